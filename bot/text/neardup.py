"""Near-duplicate Japanese articles: one story told twice (a wire story reprinted with another
lead, a press release and the article built on it). Pure and deterministic.

An article's text is normalised (NFKC width folding, punctuation, symbols and white space
dropped, Latin lower-cased), cut into overlapping character n-grams (shingles) and reduced to
a bottom-k MinHash sketch: the `PERMUTATIONS` least 64-bit hashes (BLAKE2b) of its shingles.
Of the k least hashes of two sketches together, the share held by both estimates the Jaccard
similarity of the two shingle sets (exactly, for texts under k shingles). One hash per shingle
and no numpy: a run's process starts without it (numpy's import cost about 0.2 s of CPU, more
than signing a day's articles).

Similarity here is *containment*, not Jaccard: the share of the shorter text's shingles that
the longer one holds, |A∩B| / min(|A|, |B|), computed from the estimated Jaccard J and the
set sizes as J(|A|+|B|) / ((1+J) min(|A|, |B|)). A reprint that trims the ending, or an
article that quotes most of a release and adds a paragraph, has a low Jaccard but a high
containment. A short text inside a long one would then match too easily, so a text shorter
than `MIN_SHINGLES`, or a pair over `MAX_SIZE_RATIO` apart in size, is compared by Jaccard
alone. The score is then multiplied by how far
the two texts' figures agree (`figure_agreement`): items cut from one template (a monthly
statistics note, a weather line) share nearly all their words and few of their numbers.

Comparisons go through an index of every kept hash: only sketches sharing at least one hash
with the new one can score above 0, and only those are compared (a run and a few days of
articles are hundreds to a few thousand sketches; bench/neardup.py). Each comparison gives the
estimate itself, not LSH banding's yes/no (which would add false negatives near the threshold
and a second tuning knob for no gain at this size).
"""

from __future__ import annotations

import hashlib
import heapq
import re
import struct
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from bot.text.chars import JAPANESE

SHINGLE = 5  # characters: spans a word and the next; 4 or 3 let same-topic stories score
# closer to true reprints (bench/neardup.py, text alone: different stories up to 0.62 at 4,
# 0.50 at 5)
PERMUTATIONS = 128  # hashes kept per sketch: standard error of the Jaccard estimate ~0.04
MIN_SHINGLES = 40  # below this, containment is too easy: compared by Jaccard
# Nor is containment estimated between texts this many times apart in size: it scales the
# Jaccard estimate by up to (1 + ratio), so one chance agreement of 128 (J = 1/128) between
# a short note and a 300 KB document read as "wholly contained". Within 4x the error of that
# scaling stays under 0.04; a release and the article on it are well within it.
MAX_SIZE_RATIO = 4.0

# What a story's identity is made of: kana, kanji, Latin letters and digits. Punctuation,
# brackets, symbols and spaces vary between outlets' house styles, and ・ is punctuation.
_KEPT = re.compile(f"[{JAPANESE}a-z0-9]")


_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Signature:
    """A text's sketch (its least hashes, up to PERMUTATIONS little-endian uint64 in
    ascending order), its number of distinct shingles, and the figures it states
    (space-separated)."""

    values: bytes
    shingles: int
    figures: str = ""

    def figure_set(self) -> frozenset[str]:
        return frozenset(self.figures.split())

    def hashes(self) -> tuple[int, ...]:
        return struct.unpack(f"<{len(self.values) // 8}Q", self.values)


def normalise(text: str) -> str:
    """`text` as compared: width folded, lower case, only kana, kanji, letters and digits."""
    flat = unicodedata.normalize("NFKC", text).lower()
    return "".join(_KEPT.findall(flat)).replace("・", "")


def figures(text: str) -> frozenset[str]:
    """The numbers `text` states, width folded and without thousands separators."""
    flat = unicodedata.normalize("NFKC", text)
    return frozenset(m.replace(",", "") for m in _FIGURE.findall(flat))


def figure_agreement(a: frozenset[str], b: frozenset[str]) -> float:
    """1.0 when at least half of the fewer figures are stated by the other text too (or
    either states none), falling to 0.0 when none are: twice the shared share, at most 1.
    A reprint keeps most of its story's figures (it may drop or reword a date); two items
    from one template (this month's statistics and last month's) share nearly none."""
    if not a or not b:
        return 1.0
    return min(1.0, 2 * len(a & b) / min(len(a), len(b)))


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """The distinct character n-grams of the normalised text (a short one: itself)."""
    flat = normalise(text)
    if len(flat) <= size:
        return {flat} if flat else set()
    return {flat[i : i + size] for i in range(len(flat) - size + 1)}


def signature(text: str) -> Signature:
    """The sketch of `text`'s shingles; the same on every machine and run."""
    grams = shingles(text)
    stated = " ".join(sorted(figures(text)))
    least = heapq.nsmallest(PERMUTATIONS, {_hash(g) for g in grams})
    return Signature(struct.pack(f"<{len(least)}Q", *least), len(grams), stated)


def _hash(gram: str) -> int:
    return int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class Sketch:
    """A signature's hashes as compared: a set, and ascending (values ships them sorted)."""

    held: frozenset[int]
    ordered: tuple[int, ...]

    @classmethod
    def of(cls, sig: Signature) -> Sketch:
        ordered = sig.hashes()
        return cls(frozenset(ordered), ordered)

    def bound(self) -> float:
        """Every hash of the text up to this one is in the sketch (all of them: a text under
        PERMUTATIONS shingles)."""
        return self.ordered[-1] if len(self.ordered) >= PERMUTATIONS else float("inf")


def jaccard(a: Sketch, b: Sketch) -> float:
    """The Jaccard estimate of two sketches: below the lower of their bounds every hash of
    both texts is known, and the share of those held by both estimates it (at least
    PERMUTATIONS hashes; exact when both texts are under PERMUTATIONS shingles)."""
    shared = a.held & b.held
    if not shared:
        return 0.0
    bound = min(a.bound(), b.bound())
    both = sum(1 for h in shared if h <= bound)
    either = bisect_right(a.ordered, bound) + bisect_right(b.ordered, bound) - both
    return both / either


def contained(jaccard_estimate: float, size_a: int, size_b: int) -> float:
    """How much of the smaller shingle set the larger holds, from the Jaccard estimate and
    the sizes (|A∩B| = J(|A|+|B|)/(1+J)); Jaccard itself where that is too easy (see
    MIN_SHINGLES, MAX_SIZE_RATIO)."""
    smaller, larger = min(size_a, size_b), max(size_a, size_b)
    if smaller == 0:
        return 0.0
    if smaller < MIN_SHINGLES or larger > MAX_SIZE_RATIO * smaller:
        return jaccard_estimate
    j = jaccard_estimate
    return min(1.0, j * (size_a + size_b) / ((1 + j) * smaller))


def similarity(a: Signature, b: Signature) -> float:
    """How much of one text the other holds, 0.0 … 1.0, times how far their figures agree
    (see the module's docstring)."""
    return float(similarities(a, [b])[0])


def similarities(new: Signature, known: Sequence[Signature]) -> list[float]:
    """`new` against each of `known`."""
    group = SignatureSet()
    for sig in known:
        group.add(sig)
    return group.scores(new)


class SignatureSet:
    """Sketches kept with an index of their hashes, so that a new one is compared only with
    those sharing a hash with it (the others score 0)."""

    def __init__(self) -> None:
        self._sketches: list[Sketch] = []
        self._sizes: list[int] = []
        self._figures: list[frozenset[str]] = []
        self._holders: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return len(self._sketches)

    def add(self, sig: Signature) -> None:
        index = len(self._sketches)
        sketch = Sketch.of(sig)
        self._sketches.append(sketch)
        self._sizes.append(sig.shingles)
        self._figures.append(sig.figure_set())
        for h in sketch.ordered:
            self._holders.setdefault(h, []).append(index)

    def scores(self, new: Signature) -> list[float]:
        """`similarity` of `new` with each kept sketch, in the order they were added."""
        result = [0.0] * len(self)
        stated = new.figure_set()
        for index, text in self._text_scores(new).items():
            result[index] = text * figure_agreement(stated, self._figures[index])
        return result

    def _text_scores(self, new: Signature) -> dict[int, float]:
        """How much of one text the other holds, for the kept sketches sharing a hash with
        `new` (the others score 0)."""
        sketch = Sketch.of(new)
        candidates = {i for h in sketch.ordered for i in self._holders.get(h, ())}
        return {i: contained(jaccard(sketch, self._sketches[i]), self._sizes[i], new.shingles)
                for i in sorted(candidates)}

    def best(self, new: Signature, threshold: float) -> tuple[int, float] | None:
        """The index and similarity of the closest kept sketch at or over `threshold`
        (earliest on a tie); None below it or when `threshold` is 0 (merging off)."""
        if threshold <= 0 or not self._sketches:
            return None
        stated = new.figure_set()
        found: tuple[int, float] | None = None
        for index, text in self._text_scores(new).items():
            if text < threshold:
                continue
            score = text * figure_agreement(stated, self._figures[index])
            if score >= threshold and (found is None or score > found[1]):
                found = (index, score)
        return found


def best_match(new: Signature, known: Sequence[Signature], threshold: float
               ) -> tuple[int, float] | None:
    """As `SignatureSet.best`, over a list."""
    group = SignatureSet()
    for sig in known:
        group.add(sig)
    return group.best(new, threshold)
