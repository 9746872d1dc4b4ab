"""The pipeline benchmark's pieces: its inputs, its model, and the meters it runs through.

Inputs: distinct Japanese articles recombined from the sample documents' sentences. Model:
a random-weight model of the real translate-ja_en shape whose tokenizer cuts Japanese as
finely as the real package's does (TARGET_PIECES_PER_CHAR), since the model's work grows
with the pieces it reads and writes. Meters: the engine's time and inputs, the glossary's
enforcement rounds, and the time of each stage.
"""

from __future__ import annotations

import gc
import io
import re
import subprocess
import sys
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from _common import ROOT

ARTICLES_PER_DOCUMENT = 10
_JA_CLAUSE = re.compile(r"[、，]")

# Pieces per character of Japanese input in the real package's tokenizer. argos-train trains
# one unigram SentencePiece model of 50,000 pieces on both sides of the ja-en data
# (spm_train --vocab_size=50000 --character_coverage=0.9995); that model cannot be fetched
# here. Japanese and Japanese-English SentencePiece vocabularies of that size average 1.83 to
# 2.17 characters a piece on Japanese text (the shisa project's tokenizer-efficiency table:
# rinna japanese 32k 1.83, rinna bilingual ja/en 65k 1.88, LINE 51k 2.14, CALM 52k 2.17).
# The bilingual one is the closest kind: 1.88 characters a piece, 0.53 pieces a character.
TARGET_PIECES_PER_CHAR = 0.53


def sample_folder() -> Path:
    shared = ROOT.parent / "shared" / "seeds"
    return shared if shared.is_dir() else ROOT / "seeds"


def sample_texts(folder: Path) -> list[str]:
    """Every sample document's text, read as a run reads it."""
    from bot.sources.readers import read_text

    return [read_text(path.name, path.read_bytes()) for path in sorted(folder.iterdir())
            if path.is_file() and path.name.lower() != "readme.md"]


def sentence_pool(folder: Path) -> list[str]:
    """Prose sentences of the sample documents that have a clause break."""
    from bot.glossary import Glossary
    from bot.run.pipeline import analyze_text
    from bot.sources.readers import is_hard_wrapped, read_text

    pool: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.name.lower() == "readme.md" or not path.is_file():
            continue
        text = read_text(path.name, path.read_bytes())
        for analysis in analyze_text(text, Glossary(), 3, is_hard_wrapped(path.name)):
            pool.extend(s for s in analysis.sentences
                        if s.endswith("。") and _JA_CLAUSE.search(s) and len(s) <= 120)
    return list(dict.fromkeys(pool))


def recombined(pool: list[str], index: int, part: int) -> str:
    """A distinct sentence: one sample sentence's first clause, another's remainder."""
    n = len(pool)
    a, b = pool[(index * 7 + part) % n], pool[(index * 3 + part * 11 + index // n + 1) % n]
    head = _JA_CLAUSE.split(a, maxsplit=1)[0]
    tail = _JA_CLAUSE.split(b, maxsplit=1)[1]
    return f"{head}、{tail}"


def article_texts(pool: list[str], articles: int) -> list[tuple[str, list[str]]]:
    """`articles` (title, sentences) pairs, every title and sentence distinct."""
    seen: set[str] = set()
    made: list[tuple[str, list[str]]] = []
    for index in range(50 * articles):  # bounded: a tiny pool cannot give enough
        sentences = [recombined(pool, index, part) for part in range(4)]
        head, tail = _JA_CLAUSE.split(recombined(pool, index, 4), maxsplit=1)
        title = f"{head[:16]}、{tail[:14]}"
        if seen.intersection(sentences) or title in seen:
            continue  # every model input distinct: nothing is served from the memory
        seen.update((title, *sentences))
        made.append((title, sentences))
        if len(made) == articles:
            return made
    raise SystemExit(f"only {len(made)} distinct articles from {len(pool)} sentences")


def write_corpus(folder: Path, pool: list[str], articles: int) -> int:
    """Documents of ARTICLES_PER_DOCUMENT newsletter articles; returns the distinct texts."""
    folder.mkdir(parents=True)
    made = article_texts(pool, articles)
    texts = [f"【報告】{title}\n{''.join(sentences)}\n" for title, sentences in made]
    for start in range(0, articles, ARTICLES_PER_DOCUMENT):
        chunk = texts[start : start + ARTICLES_PER_DOCUMENT]
        (folder / f"doc-{start:04d}.txt").write_text("\n".join(chunk), encoding="utf-8")
    return sum(1 + len(sentences) for _title, sentences in made)


def model_texts(pool: list[str], articles: int) -> list[str]:
    """What the model reads of `articles` generated articles: titles and sentences."""
    return [t for title, sentences in article_texts(pool, articles) for t in (title, *sentences)]


def training_lines() -> list[str]:
    """The bench tokenizer's training text: the sample documents and the tests' own lines."""
    from tests.support.make_test_model import _corpus

    return [line for text in sample_texts(sample_folder()) for line in text.splitlines()
            if line.strip()] + _corpus()


def pieces_per_char(model: bytes, texts: Sequence[str]) -> float:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=model)
    return sum(len(sp.encode(t)) for t in texts) / max(1, sum(len(t) for t in texts))


def train_tokenizer(lines: Sequence[str], vocab: int) -> bytes:
    """A unigram SentencePiece model as argos-train makes one, byte fallback for any input."""
    import sentencepiece as spm

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=buffer, vocab_size=vocab,
        model_type="unigram", character_coverage=1.0, byte_fallback=True,
        hard_vocab_limit=False, minloglevel=2)
    return buffer.getvalue()


def calibrated_tokenizer(lines: Sequence[str], probe: Sequence[str],
                         target: float = TARGET_PIECES_PER_CHAR) -> tuple[bytes, float]:
    """The tokenizer, trained on `lines`, whose pieces per character on `probe` (the bench's
    model inputs) come closest to `target`; and that ratio. A larger vocabulary cuts the
    text into fewer pieces, so the size is found by bisection."""
    best: tuple[float, bytes, float] | None = None
    low, high = 256, 50_000
    while low <= high:
        vocab = (low + high) // 2
        try:
            model = train_tokenizer(lines, vocab)
        except RuntimeError:  # fewer pieces than the text's distinct characters
            low = vocab + 1
            continue
        ratio = pieces_per_char(model, probe)
        if best is None or abs(ratio - target) < best[0]:
            best = (abs(ratio - target), model, ratio)
        if ratio > target:
            low = vocab + 1
        else:
            high = vocab - 1
    assert best is not None, "no tokenizer could be trained on the sample documents"
    return best[1], best[2]


def build_package(folder: Path, tokenizer: bytes) -> Path:
    """The real-shape random model with `tokenizer`, built in a subprocess (its build does
    not count in this process's peak memory); the extracted package folder."""
    script = ROOT / "tests" / "support" / "make_test_model.py"
    archive, sp_file = folder / "real.argosmodel", folder / "bench-tokenizer.model"
    sp_file.write_bytes(tokenizer)
    subprocess.run([sys.executable, str(script), str(archive), "--shape", "real",
                    "--tokenizer", str(sp_file)], check=True, cwd=ROOT, capture_output=True)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(folder)
        return folder / zf.namelist()[0].split("/")[0]


def peak_rss_mb() -> float:
    """This process's peak resident memory since the last `reset_peak` (VmHWM)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


def reset_peak() -> None:
    """Start the peak over at the current RSS (Linux: "5" to clear_refs), so that each run's
    peak is its own, not the largest of the runs before it."""
    Path("/proc/self/clear_refs").write_text("5")


def release(meter: Meter) -> None:
    """Unload the run's model: every run loads its own, as `once` does."""
    meter.engine._model = None
    gc.collect()


class Meter:
    """The engine, metered: model inputs, time, and which glossary round they belong to."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.inputs: list[str] = []
        self.seconds = 0.0
        self.round = 0
        self.by_round: dict[str, int] = defaultdict(int)

    @property
    def identity(self) -> str:
        return str(self.engine.identity)

    def keeps_intact(self, text: str) -> bool:
        return bool(self.engine.keeps_intact(text))

    def pieces(self) -> int:
        """Input pieces sent to the model (the model's work grows with them)."""
        return sum(len(self.engine._sp.encode(s)) for s in self.inputs)

    def translate(self, sentences: Sequence[str]) -> list[str]:
        from bot.translate.translator import gather

        return gather(self.translate_groups(sentences), len(sentences))

    def translate_groups(self, sentences: Sequence[str]) -> Iterator[dict[int, str]]:
        self.inputs.extend(sentences)
        self.by_round["first" if self.round == 0 else "retry"] += len(sentences)
        groups = self.engine.translate_groups(sentences)
        while True:
            start = time.perf_counter()
            done = next(groups, None)
            self.seconds += time.perf_counter() - start
            if done is None:
                return
            yield done


class Rounds:
    """Between translate_with_terms and the memory: counts the enforcement round."""

    def __init__(self, inner: Any, meter: Meter) -> None:
        self.inner, self.meter = inner, meter

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def translate(self, sentences: Sequence[str]) -> list[str]:
        out: list[str] = self.inner.translate(sentences)
        self.meter.round += 1
        return out


def timed(stages: dict[str, float], stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            stages[stage] += time.perf_counter() - start
    return run


def main() -> int:
    """Build the calibrated real-shape package into a folder, for `--package` of the
    benchmarks (engine.py, pipeline.py): `uv run python bench/support.py DEST`."""
    import argparse

    parser = argparse.ArgumentParser(description="Build the calibrated real-shape package.")
    parser.add_argument("dest", type=Path)
    parser.add_argument("--pieces-per-char", type=float, default=TARGET_PIECES_PER_CHAR)
    args = parser.parse_args()
    probe = model_texts(sentence_pool(sample_folder()), 200)
    tokenizer, ratio = calibrated_tokenizer(training_lines(), probe, args.pieces_per_char)
    args.dest.mkdir(parents=True, exist_ok=True)
    print(f"pieces_per_char={ratio:.3f} package={build_package(args.dest, tokenizer)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
