"""`kakehashi eval`: translate the Japanese of the editors' past translations with one engine
or several, as the pipeline translates (glossary enforced and verified), and score each.

The edges are here (reading the pairs, building the engines, the clock); reading pairs and
scoring are pure (bot.run.eval_pairs, bot.run.eval_score). The translation memory is never
used: an evaluation must hit the model, or it measures the memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from bot.config import Config, TranslationConfig
from bot.config.rules import check_translation
from bot.core.errors import InputError, KakehashiError
from bot.glossary import Glossary, glossary_for
from bot.glossary.enforce import translate_with_terms
from bot.run.eval_pairs import Sample, align, parse_tsv, prepared, sentences_of
from bot.run.eval_score import EngineScore, score_engine
from bot.translate.engine import build_engine
from bot.translate.translator import Translator

Say = Callable[[str], None]
# Sentences per call of the glossary enforcement: long enough for the engine's length-sorted
# batches, short enough that a long evaluation shows progress every minute or so.
EVAL_CHUNK = 128
JA_SUFFIX, EN_SUFFIX = ".ja.txt", ".en.txt"


def evaluate_pairs(config: Config, path: Path, engines: Sequence[str], limit: int | None,
                   say: Say, clock: Callable[[], float] = time.perf_counter
                   ) -> list[EngineScore]:
    """Every engine named (else the configured one) over the pairs at `path`, in order.
    All engines are built before any translates: a missing one fails in a second."""
    samples = [prepared(s) for s in read_pairs(path)[:limit]]
    built = [(name, _build(config, name))
             for name in dict.fromkeys(engines or [config.translation.engine])]
    glossary = glossary_for(config)
    return [_evaluate(name, engine, samples, glossary, say, clock) for name, engine in built]


def engine_options(config: Config, engine: str) -> TranslationConfig:
    """The [translation] settings with `engine` in place of the configured one (its own
    settings, model_dir or servers, come from the config), checked as the config is."""
    options = replace(config.translation, engine=engine)
    check_translation(options)
    return options


def _build(config: Config, name: str) -> Translator:
    """The engine `name`, or its error naming it (several may be compared at once)."""
    try:
        return build_engine(engine_options(config, name))
    except KakehashiError as exc:
        raise type(exc)(f"eval: engine {name}: {str(exc).removeprefix('config: ')}") from None


def _evaluate(name: str, engine: Translator, samples: list[Sample], glossary: Glossary,
              say: Say, clock: Callable[[], float]) -> EngineScore:
    pieces = [sentences_of(s.ja) for s in samples]
    flat = [text for texts in pieces for text in texts]
    say(f"eval: {name}: translating {len(flat)} sentence(s) of {len(samples)} pair(s)")
    engine.translate(flat[:1])  # loads the model: its loading is not the engine's speed
    start = clock()
    english: list[str] = []
    for first in range(0, len(flat), EVAL_CHUNK):
        rendered = translate_with_terms(flat[first:first + EVAL_CHUNK], glossary, engine)
        english += [r.english for r in rendered]
        if len(flat) > EVAL_CHUNK:
            say(f"eval: {name}: {len(english)}/{len(flat)} sentence(s) translated")
    seconds = clock() - start
    outputs, taken = [], 0
    for texts in pieces:  # each pair's sentences joined again, as a digest shows them
        outputs.append(" ".join(english[taken:taken + len(texts)]))
        taken += len(texts)
    return score_engine(name, samples, outputs, glossary, len(flat), seconds)


def read_pairs(path: Path) -> list[Sample]:
    """The pairs of a TSV file, or of the NAME.ja.txt + NAME.en.txt files of a folder."""
    samples = _read_folder(path) if path.is_dir() else parse_tsv(_read_text(path), str(path))
    if not samples:
        raise InputError(f"eval: no pairs in {path} (a TSV file of Japanese<TAB>English, or "
                         f"a folder of NAME{JA_SUFFIX} + NAME{EN_SUFFIX} files)")
    return samples


def _read_folder(folder: Path) -> list[Sample]:
    ja_files = sorted(folder.glob("*" + JA_SUFFIX))
    en_files = sorted(folder.glob("*" + EN_SUFFIX))
    stems = {p.name.removesuffix(JA_SUFFIX) for p in ja_files}
    lone = [p for p in en_files if p.name.removesuffix(EN_SUFFIX) not in stems]
    if lone:
        raise InputError(f"eval: {lone[0]} has no {lone[0].name.removesuffix(EN_SUFFIX)}"
                         f"{JA_SUFFIX} beside it")
    samples: list[Sample] = []
    for ja in ja_files:
        en = ja.with_name(ja.name.removesuffix(JA_SUFFIX) + EN_SUFFIX)
        if not en.is_file():
            raise InputError(f"eval: {ja} has no {en.name} beside it")
        samples += align(_read_text(ja), _read_text(en), str(ja), str(en))
    return samples


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"eval: cannot read {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"eval: {path} is not UTF-8 text") from None
