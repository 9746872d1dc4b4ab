"""Near-duplicate Japanese articles: one story told twice (a wire story reprinted with another
lead, a press release and the article built on it). Pure and deterministic.

An article's text is normalised (NFKC width folding, punctuation, symbols and white space
dropped, Latin lower-cased), cut into overlapping character n-grams (shingles) and reduced to
a MinHash signature: for each of `PERMUTATIONS` seeded hash functions, the least hash over
its shingles. Two signatures agree at a position with probability equal to the Jaccard
similarity of the two shingle sets.

Similarity here is *containment*, not Jaccard: the share of the shorter text's shingles that
the longer one holds, |A∩B| / min(|A|, |B|), computed from the estimated Jaccard J and the
set sizes as J(|A|+|B|) / ((1+J) min(|A|, |B|)). A reprint that trims the ending, or an
article that quotes most of a release and adds a paragraph, has a low Jaccard but a high
containment. A short text inside a long one would then match too easily, so a text shorter
than `MIN_SHINGLES`, or a pair over `MAX_SIZE_RATIO` apart in size, is compared by Jaccard
alone. The score is then multiplied by how far
the two texts' figures agree (`figure_agreement`): items cut from one template (a monthly
statistics note, a weather line) share nearly all their words and few of their numbers.

Comparisons are plain (one new signature against every recent one, vectorised with numpy),
not LSH banding: a run and a few days of articles are hundreds to a few thousand signatures,
which numpy compares in a few milliseconds (bench/neardup.py), and a plain comparison gives
the estimate itself for every pair (banding would add false negatives near the threshold and
a second tuning knob for no gain at this size).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.text.chars import JAPANESE

SHINGLE = 5  # characters: spans a word and the next; 4 or 3 let same-topic stories score
# closer to true reprints (bench/neardup.py, text alone: different stories up to 0.62 at 4,
# 0.50 at 5)
PERMUTATIONS = 128  # standard error of the Jaccard estimate about 0.04
MIN_SHINGLES = 40  # below this, containment is too easy: compared by Jaccard
# Nor is containment estimated between texts this many times apart in size: it scales the
# Jaccard estimate by up to (1 + ratio), so one chance agreement of 128 (J = 1/128) between
# a short note and a 300 KB document read as "wholly contained". Within 4x the error of that
# scaling stays under 0.04; a release and the article on it are well within it.
MAX_SIZE_RATIO = 4.0
_SEED = 20261203
_PRIME = np.uint64(4_294_967_311)  # the first prime above 2**32: (a*x + b) fits in uint64
_MAX = 2**32

_rng = np.random.default_rng(_SEED)
_A = _rng.integers(1, _MAX, PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _MAX, PERMUTATIONS, dtype=np.uint64)

# What a story's identity is made of: kana, kanji, Latin letters and digits. Punctuation,
# brackets, symbols and spaces vary between outlets' house styles, and ・ is punctuation.
_KEPT = re.compile(f"[{JAPANESE}a-z0-9]")


_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Signature:
    """A text's MinHash (PERMUTATIONS uint32 values), its number of distinct shingles, and
    the figures it states (space-separated)."""

    values: bytes
    shingles: int
    figures: str = ""

    def figure_set(self) -> frozenset[str]:
        return frozenset(self.figures.split())

    def array(self) -> np.ndarray:
        return np.frombuffer(self.values, dtype=np.uint32)


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
    """The MinHash of `text`'s shingles; the same on every machine and run (seeded)."""
    grams = shingles(text)
    stated = " ".join(sorted(figures(text)))
    if not grams:
        return Signature(np.full(PERMUTATIONS, _MAX - 1, np.uint32).tobytes(), 0, stated)
    hashed = np.fromiter(
        (int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little")
         for g in grams), dtype=np.uint64, count=len(grams))
    values = ((hashed[:, None] * _A + _B) % _PRIME).min(axis=0)
    return Signature(np.minimum(values, _MAX - 1).astype(np.uint32).tobytes(), len(grams),
                     stated)


def similarity(a: Signature, b: Signature) -> float:
    """How much of one text the other holds, 0.0 … 1.0, times how far their figures agree
    (see the module's docstring)."""
    return float(similarities(a, [b])[0])


def similarities(new: Signature, known: Sequence[Signature]) -> np.ndarray:
    """`new` against each of `known`, in one vectorised pass."""
    group = SignatureSet()
    for sig in known:
        group.add(sig)
    return group.scores(new)


class SignatureSet:
    """Signatures kept as one growing matrix, so that comparing one with thousands is a
    single numpy pass (no rebuilding per comparison)."""

    def __init__(self) -> None:
        self._values = np.zeros((16, PERMUTATIONS), np.uint32)
        self._sizes = np.zeros(16, float)
        self._figures: list[frozenset[str]] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, sig: Signature) -> None:
        if self._count == len(self._sizes):  # doubled: appending stays cheap
            self._values = np.concatenate([self._values, np.zeros_like(self._values)])
            self._sizes = np.concatenate([self._sizes, np.zeros_like(self._sizes)])
        self._values[self._count] = sig.array()
        self._sizes[self._count] = sig.shingles
        self._figures.append(sig.figure_set())
        self._count += 1

    def scores(self, new: Signature) -> np.ndarray:
        """`similarity` of `new` with each kept signature."""
        stated = new.figure_set()
        agreement = [figure_agreement(stated, kept) for kept in self._figures]
        scores: np.ndarray = self.text_scores(new) * np.array(agreement)
        return scores

    def text_scores(self, new: Signature) -> np.ndarray:
        """How much of one text the other holds, `new` against each kept signature."""
        matrix, sizes = self._values[: self._count], self._sizes[: self._count]
        jaccard = (matrix == new.array()).mean(axis=1)
        smaller = np.minimum(sizes, new.shingles)
        with np.errstate(divide="ignore", invalid="ignore"):
            contained = jaccard * (sizes + new.shingles) / ((1 + jaccard) * smaller)
        larger = np.maximum(sizes, new.shingles)
        near_in_size = (smaller >= MIN_SHINGLES) & (larger <= MAX_SIZE_RATIO * smaller)
        result = np.where(near_in_size, np.minimum(contained, 1.0), jaccard)
        return np.where((sizes == 0) | (new.shingles == 0), 0.0, result)

    def best(self, new: Signature, threshold: float) -> tuple[int, float] | None:
        """The index and similarity of the closest kept signature at or over `threshold`
        (earliest on a tie); None below it or when `threshold` is 0 (merging off)."""
        if threshold <= 0 or not self._count:
            return None
        # The text first, vectorised; the figures only of the few that pass.
        text = self.text_scores(new)
        stated = new.figure_set()
        found: tuple[int, float] | None = None
        for index in np.flatnonzero(text >= threshold):
            score = float(text[index]) * figure_agreement(stated, self._figures[index])
            if score >= threshold and (found is None or score > found[1]):
                found = (int(index), score)
        return found


def best_match(new: Signature, known: Sequence[Signature], threshold: float
               ) -> tuple[int, float] | None:
    """As `SignatureSet.best`, over a list."""
    group = SignatureSet()
    for sig in known:
        group.add(sig)
    return group.best(new, threshold)
