"""Ingest costs: reading, cleaning and splitting documents; rescanning a large seen folder.

    uv run python bench/ingest.py [--files 10000] [--repeats 5]

Prints the median time to read, clean and split every sample document (the bundled seeds/
and, when present, ../shared/seeds), then, last, `rescan_10k_seen_ms=<float>`: one scan of
a folder of 10,000 files that were all processed before (stat index in a real SQLite file),
which must read none of them. Target: under 500 ms on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _common import median_time, sample_files


def read_all(files: list[Path]) -> int:
    from bot.config import Config
    from bot.glossary import Glossary
    from bot.run.pipeline import analyze_text
    from bot.sources.readers import read_text

    summary = Config().digest.summary_sentences
    return sum(len(analyze_text(read_text(p.name, p.read_bytes()), Glossary(), summary))
               for p in files)


def rescan(folder: Path, state: Path) -> int:
    """What a run does before reading anything: scan, then compare with the stat index."""
    from bot.sources.folder import scan_folder, unseen
    from bot.state.store import Store

    store = Store.open(state)
    try:
        return len(unseen(scan_folder(folder), store.file_index()))
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from bot.sources.folder import scan_folder
    from bot.state.store import Store

    files = sample_files()
    articles = read_all(files)
    seconds = median_time(lambda: read_all(files), args.repeats)
    size = sum(p.stat().st_size for p in files)
    print(f"seed_documents={len(files)} bytes={size} articles={articles}")
    print(f"read_clean_split_all_seeds_ms={seconds * 1000:.1f}")
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as tmp:
        folder, state = Path(tmp) / "seeds", Path(tmp) / "state.sqlite3"
        for i in range(args.files):  # 100 subfolders of 100, as an archive folder grows
            sub = folder / f"{i // 100:03d}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"{i:05d}.txt").write_text(f"記事{i}。", encoding="utf-8")
        store = Store.open(state)
        with store.transaction():
            for c in scan_folder(folder):
                store.record_file(c.name, c.size, c.mtime_ns, f"hash{c.name}")
        store.close()
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            left = rescan(folder, state)
            times.append(time.perf_counter() - start)
            assert left == 0, f"{left} seen files would be read again"
    low, high = min(times) * 1000, max(times) * 1000
    print(f"rescan_runs={args.repeats} min_ms={low:.1f} max_ms={high:.1f}")
    print(f"rescan_10k_seen_ms={statistics.median(times) * 1000:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
