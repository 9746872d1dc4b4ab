"""Cost per KB of one document through the whole path, from 10 KB to 2 MB.

    uv run python bench/scaling.py [--sizes 10,100,1000,2000] [--repeats 3]

Two shapes of text, both generated (our own clauses around the shipped glossary's terms):
`line`, one line without a full stop (one "sentence" of the whole size), and `wrapped`,
sentences hard-wrapped at 38 characters with blank lines between paragraphs, read as PDF
text. Each goes bytes → decode → safe_text → text key → analyse (clean, articles,
sentences, summary, glossary) → article keys → translate with the glossary enforced, twice:
`pure` with a stand-in translator that copies its input (the stages we own, no model), and
`model` with the tiny CTranslate2 model from tests/support/make_test_model.py. Prints
milliseconds per KB for each shape, size and path, a stage breakdown at the largest size,
and, last, `ms_per_kb_growth=<float>`: the largest ratio, over shapes and paths, of ms/KB at
the largest size to ms/KB at the smallest. Target: at most 1.5 (linear).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from _common import ROOT

from bot.translate.translator import WholeBatches

CLAUSES = (
    "{t}の関係者は新しい計画について説明した",
    "{t}を通る貨物の量は前年より増えている",
    "会議では{t}との協力の進め方が話し合われた",
    "地元の企業は{t}に関する事業を広げている",
    "専門家は{t}の動きを注意深く見守っている",
    "今年の統計によると{t}への投資は大きく伸びた",
)


class Copy(WholeBatches):
    """The stand-in model: returns its input, so only our stages are timed."""

    identity = "copy"

    def translate(self, sentences: Sequence[str]) -> list[str]:
        return list(sentences)


def clauses(glossary_terms: list[str], count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(CLAUSES).format(t=rng.choice(glossary_terms)) for _ in range(count)]


def make_text(shape: str, size: int, terms: list[str]) -> bytes:
    """About `size` bytes of UTF-8 Japanese in the given shape."""
    pool = clauses(terms, size // 40 + 10)
    if shape == "line":
        text = "、".join(pool)
    else:
        sentences = ["、".join(pool[i:i + 3]) + "。" for i in range(0, len(pool), 3)]
        paragraphs = ["".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4)]
        text = "\n\n".join("\n".join(p[j:j + 38] for j in range(0, len(p), 38))
                           for p in paragraphs)
    return text.encode("utf-8")[:size].decode("utf-8", "ignore").encode("utf-8")


def run_path(data: bytes, shape: str, glossary: Any, translator: Any,
             marks: dict[str, float] | None = None) -> int:
    """The ingest path for one document; returns how many entries it made."""
    from bot.core.model import Document
    from bot.run.admit import require_japanese
    from bot.run.pipeline import analyze_text, article_key, text_key, translate_document
    from bot.sources.readers import read_text
    from bot.text.safe import safe_text

    name = "doc.txt"  # the wrapped shape is read as PDF text would be: hard_wrapped below
    clock = _Clock(marks)
    text = read_text(name, data)
    clock.mark("decode")
    text = safe_text(text)
    clock.mark("safe_text")
    key = text_key(text)
    clock.mark("text_key")
    require_japanese(text)
    analyses = analyze_text(text, glossary, 3, hard_wrapped=shape == "wrapped")
    clock.mark("analyse")
    [article_key(a.article) for a in analyses]
    clock.mark("article_keys")
    entries = translate_document(Document(name, key, text), analyses, translator, glossary,
                                 datetime(2026, 11, 26, tzinfo=UTC))
    clock.mark("translate")
    return len(entries)


class _Clock:
    def __init__(self, marks: dict[str, float] | None) -> None:
        self.marks, self.last = marks, time.perf_counter()

    def mark(self, stage: str) -> None:
        now = time.perf_counter()
        if self.marks is not None:
            self.marks[stage] = self.marks.get(stage, 0.0) + now - self.last
        self.last = now


def ms_per_kb(run: Callable[[], object], size: int, repeats: int) -> float:
    """The fastest of the runs, per KB: on a shared machine the slower runs measure the
    neighbours. Small inputs run more often (at least ~0.1 s in all)."""
    count = max(repeats, min(50, 1_000_000 // max(size, 1)))
    times = []
    for _ in range(count):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1000 / (size / 1024)


def tiny_model(folder: Path) -> Any:
    import sys

    sys.path.insert(0, str(ROOT))
    from bot.config import TranslationConfig
    from bot.translate.engine import CTranslate2Translator
    from bot.translate.packages import read_installed
    from tests.support.make_test_model import build_package

    archive = build_package(folder / "tiny.argosmodel")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(folder)
        top = zf.namelist()[0].split("/")[0]
    info = read_installed(folder / top)
    assert info is not None
    # Random weights never stop on their own: a fixed output length makes every call equal.
    return CTranslate2Translator(info, TranslationConfig(max_output_tokens=48))


def measure(shape: str, sizes: list[int], terms: list[str], glossary: Any,
            translators: dict[str, Any], repeats: int) -> list[float]:
    """Print ms/KB per size and path for one shape; return each path's growth."""
    texts = {size: make_text(shape, size, terms) for size in sizes}
    growth = []
    for path, translator in translators.items():
        run_path(texts[sizes[0]], shape, glossary, translator)  # load the model, warm caches
        figures = [ms_per_kb(partial(run_path, texts[size], shape, glossary, translator),
                             size, repeats) for size in sizes]
        for size, figure in zip(sizes, figures, strict=True):
            print(f"{shape}_{path}_{size // 1024}kb_ms_per_kb={figure:.3f}")
        growth.append(figures[-1] / figures[0])
        print(f"{shape}_{path}_growth={growth[-1]:.2f}")
    marks: dict[str, float] = {}
    run_path(texts[sizes[-1]], shape, glossary, translators["pure"], marks)
    print(f"{shape}_{sizes[-1] // 1024}kb_stages_ms " + " ".join(
        f"{stage}={seconds * 1000:.0f}" for stage, seconds in marks.items()))
    return growth


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,2000", help="KB, comma-separated")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from bot.config import Config
    from bot.core.resources import resource_dir
    from bot.glossary import glossary_for
    from bot.glossary.formats import read_entries

    glossary = glossary_for(Config())
    terms = sorted({e.ja for e in read_entries([resource_dir("glossary")])})
    sizes = [int(s) * 1024 for s in args.sizes.split(",")]
    growth: list[float] = []
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as tmp:
        translators = {"pure": Copy(), "model": tiny_model(Path(tmp))}
        for shape in ("line", "wrapped"):
            growth += measure(shape, sizes, terms, glossary, translators, args.repeats)
    print(f"ms_per_kb_growth={max(growth):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
