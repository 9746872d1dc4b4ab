"""Near-duplicate merging on a labelled set of Japanese pairs: precision and recall.

    uv run python bench/neardup.py [--threshold F]

The texts (bench/neardup/texts.toml) were written for this bench: reprints with a rewritten
lead or a cut ending, press releases and the reports built on them, a retelling in other
words, and different stories on one topic that must stay apart. bench/neardup/pairs.toml
labels 50 pairs. Each pair is compared as a run compares two articles (their title and
paragraphs, MinHash sketches, bot.text.neardup.similarity). Prints each pair's score, the
lowest score of each kind that must merge and the highest of those that must not, precision
and recall over a sweep of thresholds, the exact (set) containment and Jaccard beside the
estimate, and last, at the configured threshold (digest.merge_threshold, or --threshold):
`precision=<f> recall=<f>`. Targets: precision >= 0.95, recall >= 0.8.
"""

from __future__ import annotations

import argparse
import time
import tomllib

from _common import ROOT

from bot.config.sections import DigestConfig
from bot.text.neardup import SignatureSet, shingles, signature, similarity

DATA = ROOT / "bench" / "neardup"


def load() -> tuple[dict[str, str], list[dict[str, object]]]:
    stories = tomllib.loads((DATA / "texts.toml").read_text(encoding="utf-8"))
    texts = {f"{story}.{version}": text for story, versions in stories.items()
             for version, text in versions.items()}
    pairs = tomllib.loads((DATA / "pairs.toml").read_text(encoding="utf-8"))["pairs"]
    return texts, pairs


def scores(texts: dict[str, str], pairs: list[dict[str, object]]) -> list[float]:
    sigs = {key: signature(text) for key, text in texts.items()}
    return [similarity(sigs[str(p["a"])], sigs[str(p["b"])]) for p in pairs]


def measure(labels: list[bool], values: list[float], threshold: float) -> tuple[float, float]:
    merged = [v >= threshold for v in values]
    hits = sum(m and s for m, s in zip(merged, labels, strict=True))
    precision = hits / sum(merged) if any(merged) else 1.0
    return precision, hits / sum(labels)


def exact(a: str, b: str) -> tuple[float, float]:
    """Containment and Jaccard of the two shingle sets, computed exactly."""
    x, y = shingles(a), shingles(b)
    both = len(x & y)
    return both / min(len(x), len(y)), both / len(x | y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=DigestConfig().merge_threshold)
    args = parser.parse_args()
    texts, pairs = load()
    started = time.perf_counter()
    values = scores(texts, pairs)
    elapsed = time.perf_counter() - started
    labels = [bool(p["same"]) for p in pairs]
    jaccards = []
    for pair, value in zip(pairs, values, strict=True):
        contained, jaccard = exact(texts[str(pair["a"])], texts[str(pair["b"])])
        jaccards.append(jaccard)
        print(f"pair {pair['a']:>12} {pair['b']:>12} {pair['kind']:>9} "
              f"same={int(bool(pair['same']))} score={value:.3f} "
              f"exact_containment={contained:.3f} exact_jaccard={jaccard:.3f}")
    kinds = sorted({str(p["kind"]) for p in pairs})
    for kind in kinds:
        chosen = [v for p, v in zip(pairs, values, strict=True) if p["kind"] == kind]
        same = bool(next(p["same"] for p in pairs if p["kind"] == kind))
        edge = min(chosen) if same else max(chosen)
        print(f"kind={kind} pairs={len(chosen)} {'min' if same else 'max'}_score={edge:.3f}")
    for threshold in (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        precision, recall = measure(labels, values, threshold)
        print(f"threshold={threshold:.2f} precision={precision:.3f} recall={recall:.3f}")
    # Jaccard alone, for comparison: the best recall it reaches without a false merge.
    best = max((measure(labels, jaccards, t / 100)[1], t / 100) for t in range(1, 100)
               if measure(labels, jaccards, t / 100)[0] == 1.0)
    print(f"exact_jaccard_instead: best recall={best[0]:.3f} at threshold={best[1]:.2f} "
          "with precision=1.000")
    print(f"pairs={len(pairs)} same={sum(labels)} different={len(labels) - sum(labels)}")
    print(f"signatures_and_scores_ms={elapsed * 1000:.1f}")
    # A run's article against a window of 3,000 stored stories, all sharing hashes with it.
    known = [signature(f"{text}{n}") for n in range(60) for text in texts.values()][:3000]
    probe = signature(texts["s1.lead"])
    window = SignatureSet()
    for sig in known:
        window.add(sig)
    started = time.perf_counter()
    for _ in range(20):
        window.scores(probe)
    print(f"compare_one_with_3000_ms={(time.perf_counter() - started) / 20 * 1000:.2f}")
    precision, recall = measure(labels, values, args.threshold)
    print(f"at threshold={args.threshold}")
    print(f"precision={precision:.3f} recall={recall:.3f}")


if __name__ == "__main__":
    main()
