"""Glossary matching cost: per 1,000 characters, and how it grows with text and glossary size.

    uv run python bench/glossary.py [--entries 10000] [--repeats 7]

Builds a glossary of --entries terms (the shipped glossary plus generated terms, many sharing
prefixes with words of the text, the worst case for a trie walk), matches it over every
sample document (seeds/ and, when present, ../shared/seeds), and prints the median time per
1,000 characters for glossaries of 100, 1,000 and the full size, and for the text repeated
1x, 2x and 4x. Last line: `match_ms_per_1k_chars=<float>` for the full glossary.
"""

from __future__ import annotations

import argparse
import random
import time

from _common import ROOT, median_time, sample_files


def sample_text() -> str:
    from bot.sources.readers import read_text
    from bot.text.clean import normalize

    return "\n".join(normalize(read_text(p.name, p.read_bytes())) for p in sample_files())


def build_pairs(size: int, text: str, seed: int = 11) -> list[tuple[str, str]]:
    from bot.glossary.formats import read_entries

    pairs = [(e.ja, e.en) for e in read_entries([ROOT / "glossary"])]
    seen = {ja for ja, _ in pairs}
    rng = random.Random(seed)
    chars = "".join(sorted(set(text) - set(" \n")))
    while len(pairs) < size:
        # Half start with a piece of the text, so the trie walk goes deep before failing.
        start = rng.randrange(len(text) - 12)
        head = text[start:start + rng.randint(1, 6)].replace("\n", "")
        tail = "".join(rng.choice(chars) for _ in range(rng.randint(1, 6)))
        term = head + tail if rng.random() < 0.5 else tail + head
        if term not in seen:
            seen.add(term)
            pairs.append((term, f"term {len(pairs)}"))
    return pairs[:size]


def per_1k(glossary: object, text: str, repeats: int) -> float:
    seconds = median_time(lambda: glossary.find_hits(text), repeats)  # type: ignore[attr-defined]
    return seconds * 1000 / (len(text) / 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    from bot.glossary import Glossary

    text = sample_text()
    pairs = build_pairs(args.entries, text)
    start = time.perf_counter()
    full = Glossary.from_pairs(pairs)
    print(f"entries={len(full)} build_ms={(time.perf_counter() - start) * 1000:.1f}")
    print(f"text_chars={len(text)} hits={len(full.find_hits(text))}")
    for size in (100, 1000):
        small = Glossary.from_pairs(pairs[:size])
        print(f"glossary_{size}_ms_per_1k_chars={per_1k(small, text, args.repeats):.3f}")
    for times in (2, 4):
        longer = "\n".join([text] * times)
        print(f"text_x{times}_ms_per_1k_chars={per_1k(full, longer, args.repeats):.3f}")
    print(f"match_ms_per_1k_chars={per_1k(full, text, args.repeats):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
