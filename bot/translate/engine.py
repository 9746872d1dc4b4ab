"""The CTranslate2 engine over a model and its tokenizers (the Translator seam:
bot/translate/translator.py): an installed Argos package, or a model folder (Marian/OPUS-MT,
M2M100, NLLB, …: bot/translate/models.py says what each needs around its tokens).

Argos's own pipeline batches by 32 *tokens* (about one sentence per call) and imports stanza
and torch; here the model runs directly, on length-sorted groups of one batch per replica
(DESIGN: ~8x faster), each group with an output bound of its own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.config import TranslationConfig
from bot.core.errors import ConfigError, ModelError
from bot.translate.models import MAX_INPUT_TOKENS, ModelFolder, from_package, read_model_folder
from bot.translate.packages import PackageInfo, find_package
from bot.translate.translator import Translator, gather

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def fit_threads(options: TranslationConfig, cores: int | None = None) -> tuple[int, int]:
    """(inter, intra) threads: 0 means fit the cores, preferring replicas over threads."""
    cores = cores or os.cpu_count() or 1
    inter = options.inter_threads or max(1, cores // (options.intra_threads or 1))
    intra = options.intra_threads or max(1, cores // inter)
    return inter, intra


def find_model(options: TranslationConfig) -> ModelFolder | None:
    """The configured engine's local model, checked; None for LibreTranslate servers (they
    are asked on first use, and a failing one is retried: bot/translate/servers.py)."""
    if options.engine == "libretranslate":
        return None
    return local_model(options)


def local_model(options: TranslationConfig) -> ModelFolder:
    """The installed Argos package of the pair, or the folder `model_dir` (ModelError naming
    what is missing); the device is checked first."""
    resolve_device(options.device)
    if options.engine == "argos":
        return from_package(find_package(options.from_code, options.to_code))
    if options.engine == "ctranslate2":
        return read_model_folder(Path(options.model_dir), options.from_code, options.to_code)
    raise ConfigError(f"config: translation.engine {options.engine!r} has no local model")


def build_engine(options: TranslationConfig) -> Translator:
    """The configured engine, for `once`, `run`, the service and `translate` alike: the
    installed Argos package of the pair or a model folder, on CTranslate2 (loaded on first
    use), or the LibreTranslate servers (bot/translate/remote.py)."""
    if options.engine == "libretranslate":
        from bot.translate.remote import LibreTranslateTranslator

        return LibreTranslateTranslator(options)
    return CTranslate2Translator(local_model(options), options)


def resolve_device(device: str) -> str:
    """"cpu" or "cuda": "auto" is CUDA when CTranslate2 sees a GPU; "cuda" without one is a
    ModelError at the start (not a crash at the first batch)."""
    if device == "cpu":
        return "cpu"
    import ctranslate2

    try:
        gpus = int(ctranslate2.get_cuda_device_count())
    except (RuntimeError, OSError):  # a broken CUDA install counts as none
        gpus = 0
    if gpus > 0:
        return "cuda"
    if device == "cuda":
        raise ModelError('translate: translation.device is "cuda" but CTranslate2 sees no CUDA '
                         'device; set device = "auto" or "cpu"')
    return "cpu"


def compute_type(options: TranslationConfig) -> str:
    """The compute type for a resolved device: compute_type on the CPU, compute_type_cuda on
    a GPU (float16 by default: int8 tuned for CPUs is not what a GPU runs best)."""
    return options.compute_type_cuda if options.device == "cuda" else options.compute_type


def load_model(model: ModelFolder, options: TranslationConfig) -> Any:
    """The CTranslate2 model on the configured device, with the configured threads."""
    import ctranslate2

    inter, intra = fit_threads(options)
    device = resolve_device(options.device)
    try:
        return ctranslate2.Translator(
            str(model.model_dir), device=device,
            compute_type=compute_type(replace(options, device=device)),
            inter_threads=inter, intra_threads=intra,
        )
    except (OSError, RuntimeError, ValueError) as exc:
        raise ModelError(f"translate: cannot load {model.path}: {exc}") from None


ModelLoader = Callable[[ModelFolder, TranslationConfig], Any]


class CTranslate2Translator:
    """Runs a model with CTranslate2; the model loads on first use (through `load`: tests
    and benchmarks wrap `load_model` to watch the model's calls)."""

    def __init__(self, model: ModelFolder | PackageInfo, options: TranslationConfig,
                 load: ModelLoader = load_model) -> None:
        self.model = model if isinstance(model, ModelFolder) else from_package(model)
        # The device is settled once: it is part of the identity, asked before any loading.
        self.options = replace(options, device=resolve_device(options.device))
        self._load_model = load
        self._model: Any = None
        self._sp: Any = None  # the source side's SentencePiece processor
        self._tp: Any = None  # the target side's (the same one when the model shares it)

    @property
    def identity(self) -> str:
        """Model, version, beam and compute type; the device only when it is not the CPU, so
        the memories of CPU runs from before devices were a setting still hit."""
        o, m = self.options, self.model
        device = "" if o.device == "cpu" else f"|{o.device}"
        return f"{m.name}@{m.version}|beam={o.beam_size}|{compute_type(o)}{device}"

    def keeps_intact(self, text: str) -> bool:
        """Does `text`, written into the model's probe sentence, encode with known pieces
        only, each one the target side knows too, and decode unchanged?"""
        sp, tp = self.tokenizer(), self.target_tokenizer()
        sentence = self.model.probe.format(text)
        ids = sp.encode(sentence)
        if any(i == sp.unk_id() or sp.is_byte(i) for i in ids):
            return False
        if tp is not sp:
            ids = [tp.piece_to_id(sp.id_to_piece(i)) for i in ids]
            if any(i == tp.unk_id() or tp.is_byte(i) for i in ids):
                return False
        return bool(tp.decode(ids) == sentence)

    def tokenizer(self) -> Any:
        """The source side's SentencePiece processor (loaded on first use)."""
        if self._sp is None:
            self._sp = self._processor(self.model.source_tokenizer)
        return self._sp

    def target_tokenizer(self) -> Any:
        """The target side's SentencePiece processor (loaded on first use)."""
        if self._tp is None:
            same = self.model.target_tokenizer == self.model.source_tokenizer
            self._tp = self.tokenizer() if same else self._processor(self.model.target_tokenizer)
        return self._tp

    def _processor(self, path: Path) -> Any:
        import sentencepiece

        try:
            return sentencepiece.SentencePieceProcessor(model_file=str(path))
        except (OSError, RuntimeError) as exc:
            raise ModelError(f"translate: cannot load the tokenizer {path}: {exc}") from None

    def _load(self) -> None:
        self.tokenizer()
        self.target_tokenizer()
        self._model = self._load_model(self.model, self.options)

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
            tokens = self._sp.encode(sentence, out_type=str)
            for chunk in split_tokens(tokens, self.model.max_input_tokens):
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
        m = self.model
        inputs = [[*m.source_prefix, *tokens, *m.source_suffix] for tokens in pieces]
        for group in plan_groups([len(inputs[i]) for i in order], self.options, inter):
            chosen = order[group]
            done = {}
            outputs = self._translate_group([inputs[i] for i in chosen], inter)
            for i, text in zip(chosen, outputs, strict=True):
                texts[i] = text
                left[owner[i]] -= 1
                if left[owner[i]] == 0:
                    done[owner[i]] = " ".join(texts[j] for j in parts[owner[i]] if texts[j])
            yield done

    def _translate_group(self, inputs: list[list[str]], inter: int) -> list[str]:
        prefix = self.model.target_prefix
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
            outputs.append(_clean_output(self._tp.decode(self._decodable(tokens))))
        return outputs

    def _decodable(self, tokens: list[str]) -> list[str]:
        # Tokens of the model's vocabulary that its tokenizer lacks (another language's token,
        # madeupword…) would decode as " ⁇ ": they are dropped. Argos output is decoded as it
        # always was (its memories stay what a new run would give).
        if self.model.family == "argos":
            return tokens
        tp = self._tp
        unknown = tp.unk_id()
        return [t for t in tokens if tp.piece_to_id(t) != unknown or t == tp.id_to_piece(unknown)]


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
