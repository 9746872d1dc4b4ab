"""Helpers shared by the benchmarks: sample sentences, timing, peak memory."""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def sample_files(with_shared: bool = True) -> list[Path]:
    """The bundled sample documents, and the real ones beside the project when present."""
    folders = [ROOT / "seeds", ROOT.parent / "shared" / "seeds"][: 2 if with_shared else 1]
    return [p for folder in folders if folder.is_dir() for p in sorted(folder.iterdir())
            if p.is_file() and p.name.lower() != "readme.md"]


def sample_sentences(count: int) -> list[str]:
    """`count` distinct Japanese sentences from the bundled seeds (numbered to stay distinct)."""
    from bot.glossary import Glossary
    from bot.run.pipeline import analyze_text
    from bot.sources.readers import read_text

    pool: list[str] = []
    for path in sample_files(with_shared=False):
        text = read_text(path.name, path.read_bytes())
        for analysis in analyze_text(text, Glossary(), 3):
            pool.extend(s for s in analysis.sentences if s.endswith("。"))
    return [f"{pool[i % len(pool)]}（{i // len(pool) + 1}）" if i >= len(pool) else pool[i]
            for i in range(count)]


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_time(run: Callable[[], object], repeats: int) -> float:
    """Median wall time of `repeats` calls of `run`."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
