"""The archive's search index: what Pagefind costs after a publish, for 50 and 500 articles.

    uv run python bench/search.py [--sizes 50,500] [--repeats 3]

Writes an archive of N article pages with the real publisher (write_web), each article six
sentence pairs from the bundled seeds (distinct per article) and their glossary terms, then
times a full index build (Pagefind over articles/*.html into a temporary folder, swapped in),
and a publish that changed no article (the index is left as it is). Prints the index's size
on disk, the pages Pagefind counted and its peak memory (so far, over the sizes run); last
line: `index_500_s`, the full build for 500.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import median_time, sample_sentences

from bot.config import FeedConfig
from bot.core.model import Entry, Pair, SourceInfo, Term
from bot.publish.search import SEARCH_DIR, build_index, indexed_pages, update_search
from bot.publish.web import write_web

PAIRS = 6
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def archive(out: Path, articles: int) -> None:
    """OUT with `articles` article pages, ten to a digest."""
    sentences = sample_sentences(articles * PAIRS)
    entries = []
    for n in range(articles):
        mine = sentences[n * PAIRS:(n + 1) * PAIRS]
        pairs = tuple(Pair(ja, f"Sentence {i} of article {n}: freight, ports and routes "
                                f"through Central Asia, record number {n * 7 + i}.")
                      for i, ja in enumerate(mine))
        entries.append(Entry(
            guid=f"kakehashi-{n:024x}", document=f"doc-{n}.txt", title_ja=mine[0][:40],
            title_en=f"Article {n} on transport routes", pairs=pairs,
            terms=(Term("中欧班列", "China-Europe Railway Express", "enforced"),),
            warnings=(), source=SourceInfo(site=f"site{n % 12}.example.com",
                                           url=f"https://site{n % 12}.example.com/{n}"),
            created=NOW - timedelta(hours=n)))
    digests = [(d + 1, NOW - timedelta(days=d), entries[d * 10:(d + 1) * 10])
               for d in range(0, (articles + 9) // 10)]
    write_web(out, digests[::-1], FeedConfig(site_url="https://example.org/", max_items=10**6))


def size_kb(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) // 1024


def measure(articles: int, repeats: int) -> float:
    """Print the figures for an archive of `articles` pages; the full build's median time."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        archive(out, articles)
        problems: list[str] = []
        built = median_time(lambda: problems.append(build_index(out)), repeats)
        assert problems == [""] * repeats, problems
        unchanged = median_time(lambda: update_search(out), repeats)
        print(f"pages_{articles}={indexed_pages(out)}")
        print(f"index_kb_{articles}={size_kb(out / SEARCH_DIR)}")
        print(f"unchanged_publish_{articles}_ms={unchanged * 1000:.1f}")
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"pagefind_peak_rss_mb={children:.0f}")
        print(f"index_{articles}_s={built:.2f}")
    return built


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,500")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for articles in (int(s) for s in args.sizes.split(",")):
        measure(articles, args.repeats)


if __name__ == "__main__":
    main()
