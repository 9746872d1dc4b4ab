"""What a CTranslate2 model needs around it: its tokenizers and its token conventions.

An Argos package is one case (one SentencePiece model, no language tokens, 200 pieces a part).
A model folder (translation.model_dir) is another: its family is read from its files,

    marian    source.spm + target.spm (OPUS-MT); source ends with </s>
    m2m100    one SentencePiece model, __ja__ in the vocabulary: [__ja__] … </s> → [__en__] …
    nllb      one SentencePiece model, jpn_Jpan in the vocabulary: [jpn_Jpan] … </s> →
              [eng_Latn] … (the order of Transformers' tokenizer since 2023, as CTranslate2's
              NLLB guide feeds it)
    argos     sentencepiece.model alone (an Argos model folder, converted elsewhere)

and a folder may say what detection cannot in kakehashi-model.toml (see FOLDER_KEYS).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.errors import ConfigError, ModelError
from bot.translate.packages import PackageInfo

# Argos ja→en models were trained on sentences well under this many pieces; longer input
# is cut at a comma where possible and translated in parts.
MAX_INPUT_TOKENS = 200
# Transformers-converted models have 512 (Marian) or 1024 (M2M100, NLLB) positions; the
# decoding bound is 512 pieces (engine.output_limit), so a part stays within what the output
# can follow: 512 less the </s> and language token the source gets.
MAX_POSITIONS_INPUT = 510
# Where the glossary's placeholders are tried (keeps_intact): after a Japanese character, as
# they stand in a sentence, where SentencePiece cuts differently than at a word start.
JAPANESE_PROBE = "中国の{}が発表した。"
FAMILIES = ("argos", "marian", "m2m100", "nllb")
FOLDER_FILE = "kakehashi-model.toml"
FOLDER_KEYS = ("family", "source_tokenizer", "target_tokenizer", "source_token",
               "source_suffix", "target_prefix", "max_input_tokens", "version", "probe")
SINGLE_TOKENIZERS = ("sentencepiece.bpe.model", "spm.model", "sentencepiece.model")
# NLLB's FLORES-200 codes for the two-letter codes of translation.from_code / to_code.
NLLB_CODES = {
    "ja": "jpn_Jpan", "en": "eng_Latn", "zh": "zho_Hans", "ko": "kor_Hang", "fr": "fra_Latn",
    "de": "deu_Latn", "es": "spa_Latn", "ru": "rus_Cyrl", "it": "ita_Latn", "pt": "por_Latn",
}


@dataclass(frozen=True)
class ModelFolder:
    """A CTranslate2 model, its tokenizers, and the tokens its inputs and outputs carry."""

    name: str  # with `version`, names the model in the engine's identity
    version: str
    path: Path  # the folder a user named (errors say it)
    model_dir: Path  # model.bin, config.json, vocabularies
    source_tokenizer: Path
    target_tokenizer: Path
    family: str = "argos"
    source_prefix: tuple[str, ...] = ()
    source_suffix: tuple[str, ...] = ()
    target_prefix: str = ""
    max_input_tokens: int = MAX_INPUT_TOKENS
    probe: str = JAPANESE_PROBE


def from_package(package: PackageInfo) -> ModelFolder:
    """An installed Argos package as a model (its identity unchanged: translate-ja_en@1.1)."""
    return ModelFolder(
        name=package.code, version=package.version, path=package.path,
        model_dir=package.model_dir, source_tokenizer=package.sentencepiece_model,
        target_tokenizer=package.sentencepiece_model, target_prefix=package.target_prefix,
    )


def read_model_folder(path: Path, from_code: str, to_code: str) -> ModelFolder:
    """The model in `path`, its family detected or said by its kakehashi-model.toml;
    ModelError naming the path when the folder, its model or a tokenizer is missing."""
    if not path.is_dir():
        raise ModelError(f"translate: model folder not found: {path}")
    if (path / "metadata.json").is_file() and (path / "model" / "model.bin").is_file():
        return _argos_folder(path)
    if not (path / "model.bin").is_file():
        raise ModelError(f"translate: {path} is not a CTranslate2 model folder (no model.bin)")
    said = _folder_settings(path)
    family = str(said.get("family") or _detect_family(path))
    source, target = _tokenizers(path, family, said)
    for tokenizer in (source, target):
        if not tokenizer.is_file():
            raise ModelError(f"translate: tokenizer not found: {tokenizer}")
    conventions = _conventions(family, from_code, to_code, said)
    return ModelFolder(
        name=f"ctranslate2:{path.resolve().name}",
        version=str(said.get("version") or _fingerprint(path / "model.bin")),
        path=path, model_dir=path, source_tokenizer=source, target_tokenizer=target,
        family=family, **conventions,
    )


def _argos_folder(path: Path) -> ModelFolder:
    from bot.translate.packages import read_installed

    info = read_installed(path)
    if info is None:
        raise ModelError(f"translate: {path / 'metadata.json'} is not an Argos package's")
    return from_package(info)


def _detect_family(path: Path) -> str:
    if (path / "source.spm").is_file() or (path / "target.spm").is_file():
        return "marian"  # a missing one of the two is named by the caller
    single = [name for name in SINGLE_TOKENIZERS if (path / name).is_file()]
    if not single:
        raise ModelError(f"translate: no tokenizer in {path} (source.spm and target.spm, or "
                         f"one of {', '.join(SINGLE_TOKENIZERS)}); name it in {FOLDER_FILE}")
    vocabulary = _vocabulary(path)
    if "jpn_Jpan" in vocabulary or "eng_Latn" in vocabulary:
        return "nllb"
    if "__ja__" in vocabulary or "__en__" in vocabulary:
        return "m2m100"
    if single[0] == "sentencepiece.model":
        return "argos"
    raise ModelError(f"translate: cannot tell the model family of {path} (no language tokens "
                     f"in its vocabulary); say it in {path / FOLDER_FILE}: family = one of "
                     f"{', '.join(FAMILIES)}")


def _tokenizers(path: Path, family: str, said: dict[str, Any]) -> tuple[Path, Path]:
    if family == "marian":
        source, target = "source.spm", "target.spm"
    else:
        source = target = next((n for n in SINGLE_TOKENIZERS if (path / n).is_file()),
                               SINGLE_TOKENIZERS[0])
    source = str(said.get("source_tokenizer") or source)
    target = str(said.get("target_tokenizer") or (said.get("source_tokenizer") or target))
    return path / source, path / target


def _conventions(family: str, from_code: str, to_code: str,
                 said: dict[str, Any]) -> dict[str, Any]:
    """The tokens each family puts around a sentence, for the configured pair, with what
    the folder's file says instead."""
    conventions = _family_conventions(family, from_code, to_code, said)
    return {**conventions, **{k: said[k] for k in said if k in conventions}}


def _family_conventions(family: str, from_code: str, to_code: str,
                        said: dict[str, Any]) -> dict[str, Any]:
    probe = JAPANESE_PROBE if from_code == "ja" else "{}"
    base: dict[str, Any] = {"source_prefix": (), "source_suffix": (), "target_prefix": "",
                            "max_input_tokens": MAX_POSITIONS_INPUT, "probe": probe}
    if family == "argos":
        return {**base, "max_input_tokens": MAX_INPUT_TOKENS}
    if family == "marian":  # one model per pair: no language tokens
        return {**base, "source_suffix": ("</s>",)}
    if family == "m2m100":
        return {**base, "source_prefix": (f"__{from_code}__",), "source_suffix": ("</s>",),
                "target_prefix": f"__{to_code}__"}
    if family == "nllb":  # the folder's own tokens, when it gives them, need no code table
        source = said.get("source_prefix") or (_nllb_code(from_code),)
        return {**base, "source_prefix": source, "source_suffix": ("</s>",),
                "target_prefix": said.get("target_prefix") or _nllb_code(to_code)}
    raise ConfigError(f"translate: unknown model family {family!r}; one of "
                      f"{', '.join(FAMILIES)}")


def _nllb_code(code: str) -> str:
    if code not in NLLB_CODES:
        raise ConfigError(f"translate: no NLLB language code known for {code!r}; set "
                          f"source_token and target_prefix in the model's {FOLDER_FILE}")
    return NLLB_CODES[code]


def _folder_settings(path: Path) -> dict[str, Any]:
    """kakehashi-model.toml in the model folder, checked: {} when there is none."""
    file = path / FOLDER_FILE
    if not file.is_file():
        return {}
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"translate: cannot read {file}: {exc}") from None
    unknown = sorted(set(raw) - set(FOLDER_KEYS))
    if unknown:
        raise ConfigError(f"translate: {file}: unknown key {unknown[0]!r}")
    said = dict(raw)
    if "family" in said and said["family"] not in FAMILIES:
        raise ConfigError(f"translate: {file}: family must be one of {', '.join(FAMILIES)}")
    for key in ("source_token", "source_suffix"):
        if key in said:
            value = said.pop(key)
            tokens = [value] if isinstance(value, str) else value
            if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
                raise ConfigError(f"translate: {file}: {key} must be a string or a list")
            said["source_prefix" if key == "source_token" else key] = tuple(t for t in tokens if t)
    if not isinstance(said.get("target_prefix", ""), str):
        raise ConfigError(f"translate: {file}: target_prefix must be a string")
    limit = said.get("max_input_tokens", MAX_INPUT_TOKENS)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 8 <= limit <= 4096:
        raise ConfigError(f"translate: {file}: max_input_tokens must be 8-4096")
    if "probe" in said and (not isinstance(said["probe"], str) or said["probe"].count("{}") != 1):
        raise ConfigError(f"translate: {file}: probe must hold {{}} once (the placeholder)")
    return said


def _vocabulary(path: Path) -> set[str]:
    """The model's source (or shared) vocabulary, as CTranslate2 saved it (JSON or text)."""
    for name in ("shared_vocabulary", "source_vocabulary"):
        for file in (path / f"{name}.json", path / f"{name}.txt"):
            if file.is_file():
                try:
                    text = file.read_text(encoding="utf-8")
                    if file.suffix == ".json":
                        return set(json.loads(text))
                    return set(text.splitlines())
                except (OSError, UnicodeDecodeError, ValueError) as exc:
                    raise ModelError(f"translate: cannot read {file}: {exc}") from None
    return set()


def _fingerprint(model: Path) -> str:
    """Names this model.bin in the identity (and so the memory): a replaced model is another
    model, without reading hundreds of MB at each start."""
    stat = model.stat()
    return hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
