"""The CTranslate2 engine over an Argos package (the Translator seam: bot/translate/translator.py).

Argos's own pipeline batches by 32 *tokens* (about one sentence per call) and imports stanza
and torch; here the package's model runs directly, on length-sorted groups of one batch per
replica (DESIGN: ~8x faster), each group with an output bound of its own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from bot.config import TranslationConfig
from bot.core.errors import ConfigError, ModelError
from bot.translate.packages import PackageInfo, find_package
from bot.translate.translator import Translator, gather

# Argos ja→en models were trained on sentences well under this many pieces; longer input
# is cut at a comma where possible and translated in parts.
MAX_INPUT_TOKENS = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def fit_threads(options: TranslationConfig, cores: int | None = None) -> tuple[int, int]:
    """(inter, intra) threads: 0 means fit the cores, preferring replicas over threads."""
    cores = cores or os.cpu_count() or 1
    inter = options.inter_threads or max(1, cores // (options.intra_threads or 1))
    intra = options.intra_threads or max(1, cores // inter)
    return inter, intra


def build_engine(options: TranslationConfig) -> Translator:
    """The configured engine, for `once`, `run`, the service and `translate` alike: the
    installed Argos package of the pair, on CTranslate2 (loaded on first use), or the
    LibreTranslate servers (bot/translate/remote.py)."""
    if options.engine == "libretranslate":
        from bot.translate.remote import LibreTranslateTranslator

        return LibreTranslateTranslator(options)
    if options.engine != "argos":
        raise ConfigError(f"config: translation.engine {options.engine!r} is not available "
                          "in this version")
    return CTranslate2Translator(find_package(options.from_code, options.to_code), options)


def load_model(package: PackageInfo, options: TranslationConfig) -> Any:
    """The package's CTranslate2 model, on the CPU with the configured threads."""
    import ctranslate2

    inter, intra = fit_threads(options)
    try:
        return ctranslate2.Translator(
            str(package.model_dir), device="cpu", compute_type=options.compute_type,
            inter_threads=inter, intra_threads=intra,
        )
    except (OSError, RuntimeError, ValueError) as exc:
        raise ModelError(f"translate: cannot load {package.path}: {exc}") from None


ModelLoader = Callable[[PackageInfo, TranslationConfig], Any]


class CTranslate2Translator:
    """Runs an installed Argos package with CTranslate2; the model loads on first use
    (through `load`: tests and benchmarks wrap `load_model` to watch the model's calls)."""

    def __init__(self, package: PackageInfo, options: TranslationConfig,
                 load: ModelLoader = load_model) -> None:
        self.package = package
        self.options = options
        self._load_model = load
        self._model: Any = None
        self._sp: Any = None

    @property
    def identity(self) -> str:
        o = self.options
        return f"{self.package.code}@{self.package.version}|beam={o.beam_size}|{o.compute_type}"

    def keeps_intact(self, text: str) -> bool:
        """Does the tokenizer encode `text` with known pieces only, and decode it unchanged?"""
        sp = self.tokenizer()
        ids = sp.encode(text)
        if any(i == sp.unk_id() or sp.is_byte(i) for i in ids):
            return False
        return bool(sp.decode(ids) == text)

    def tokenizer(self) -> Any:
        """The package's SentencePiece processor (loaded on first use)."""
        if self._sp is None:
            import sentencepiece

            try:
                self._sp = sentencepiece.SentencePieceProcessor(
                    model_file=str(self.package.sentencepiece_model)
                )
            except (OSError, RuntimeError) as exc:
                raise ModelError(f"translate: cannot load the tokenizer of "
                                 f"{self.package.path}: {exc}") from None
        return self._sp

    def _load(self) -> None:
        self.tokenizer()
        self._model = self._load_model(self.package, self.options)

    def translate(self, sentences: Sequence[str]) -> list[str]:
        """Translate in length-sorted batches; each output is cleaned of control characters."""
        return gather(self.translate_groups(sentences), len(sentences))

    def translate_groups(self, sentences: Sequence[str]) -> Iterator[dict[int, str]]:
        """Translate as `translate` does, yielding {index: translation} of the sentences each
        model call completes, as it completes (the memory stores them there and then)."""
        if not sentences:
            return
        if self._model is None:
            self._load()
        pieces: list[list[str]] = []
        owner: list[int] = []  # which input sentence each (possibly split) piece belongs to
        parts: list[list[int]] = [[] for _ in sentences]  # and the reverse
        for index, sentence in enumerate(sentences):
            for chunk in split_tokens(self._sp.encode(sentence, out_type=str)):
                parts[index].append(len(pieces))
                pieces.append(chunk)
                owner.append(index)
        texts = [""] * len(pieces)
        left = [sum(1 for i in own if pieces[i]) for own in parts]
        yield {index: "" for index, count in enumerate(left) if count == 0}  # empty input
        # Sorted by length: a short sentence never pads to, or decodes as long as, a long one.
        order = sorted((i for i, tokens in enumerate(pieces) if tokens),
                       key=lambda i: len(pieces[i]))
        inter, _ = fit_threads(self.options)
        for group in plan_groups([len(pieces[i]) for i in order], self.options, inter):
            chosen = order[group]
            done = {}
            outputs = self._translate_group([pieces[i] for i in chosen], inter)
            for i, text in zip(chosen, outputs, strict=True):
                texts[i] = text
                left[owner[i]] -= 1
                if left[owner[i]] == 0:
                    done[owner[i]] = " ".join(texts[j] for j in parts[owner[i]] if texts[j])
            yield done

    def _translate_group(self, inputs: list[list[str]], inter: int) -> list[str]:
        prefix = self.package.target_prefix
        results = self._model.translate_batch(
            inputs,
            target_prefix=[[prefix] for _ in inputs] if prefix else None,
            batch_type="examples",
            # Every replica gets a share of the group: none idles while another works.
            max_batch_size=max(1, -(-len(inputs) // inter)),
            beam_size=self.options.beam_size,
            max_decoding_length=output_limit(self.options, len(inputs[-1])),
        )
        outputs = []
        for result in results:
            tokens = result.hypotheses[0]
            if prefix and tokens[:1] == [prefix]:
                tokens = tokens[1:]
            outputs.append(_clean_output(self._sp.decode(tokens)))
        return outputs


def plan_groups(lengths: list[int], options: TranslationConfig, inter: int) -> list[slice]:
    """Cut inputs sorted by length into groups of `inter` batches: max_batch_size sentences
    each, or (batch_type "tokens") at most max_batch_size padded pieces each."""
    groups: list[slice] = []
    start = 0
    while start < len(lengths):
        if options.batch_type == "tokens":
            end = start + 1
            # Sorted ascending: the padded size of a batch is its count times its last length.
            while end < len(lengths) and (end + 1 - start) * lengths[end] <= (
                    options.max_batch_size * inter):
                end += 1
        else:
            end = start + options.max_batch_size * inter
        groups.append(slice(start, min(end, len(lengths))))
        start = end
    return groups


def output_limit(options: TranslationConfig, longest_input: int) -> int:
    """The decoding bound: configured, or 3x the input (English rarely needs more)."""
    return options.max_output_tokens or min(512, 3 * longest_input + 10)


def split_tokens(tokens: list[str], limit: int = MAX_INPUT_TOKENS) -> list[list[str]]:
    """Cut an over-long token list into parts ≤ limit, preferring to cut after a comma."""
    parts: list[list[str]] = []
    while len(tokens) > limit:
        window = tokens[:limit]
        cut = max((i + 1 for i, t in enumerate(window) if t.endswith(("、", ",", "，"))),
                  default=limit)
        if cut < limit // 2:
            cut = limit
        parts.append(tokens[:cut])
        tokens = tokens[cut:]
    parts.append(tokens)
    return parts


def _clean_output(text: str) -> str:
    # Byte-fallback pieces can decode to control characters, which are invalid in XML and HTML.
    return _CONTROL.sub("", text.replace("\ufffd", "")).strip()
