"""Sentence centrality over a similarity graph (LexRank with TF-IDF cosine). Pure.

Sentences are sparse TF-IDF vectors; the graph's edges are their cosine similarities; a
sentence is central when it is similar to sentences that are central themselves (PageRank).
Up to DENSE_LIMIT sentences the graph is ranked by power iteration; beyond it (a file with
no article breaks) by degree centrality, the sum of a sentence's similarities, which needs
no pairwise matrix: the sum over j of cos(i, j) is v_i · Σ v_j. The work per article stays
linear in its length whatever the input.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

Vector = dict[str, float]

DENSE_LIMIT = 150
_DAMPING = 0.85
_ITERATIONS = 60
_TOLERANCE = 1e-6


def tfidf_vectors(bags: Sequence[Counter[str]]) -> list[Vector]:
    """Unit-length TF-IDF vectors; the document frequencies are taken over `bags` itself."""
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    vectors = []
    for bag in bags:
        # Sub-linear tf: a word repeated in one sentence is not three times the content.
        weights = {w: (1 + math.log(c)) * math.log((1 + n) / df[w]) for w, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in weights.values()))
        vectors.append({w: v / norm for w, v in weights.items()} if norm else {})
    return vectors


def cosine(a: Vector, b: Vector) -> float:
    """Cosine of two unit vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def centrality(vectors: Sequence[Vector]) -> list[float]:
    """Each sentence's centrality in the similarity graph, summing to 1 (0s if no edges)."""
    n = len(vectors)
    if n == 0:
        return []
    if n > DENSE_LIMIT:
        return _degree(vectors)
    weights = [[cosine(vectors[i], vectors[j]) if i != j else 0.0 for j in range(n)]
               for i in range(n)]
    totals = [sum(row) for row in weights]
    # Each sentence's incoming edges, normalised by the sender's out-degree, computed once.
    incoming = [[(j, weights[j][i] / totals[j]) for j in range(n) if weights[j][i] > 0]
                for i in range(n)]
    sinks = [j for j in range(n) if totals[j] == 0]
    rank = [1.0 / n] * n
    for _ in range(_ITERATIONS):
        # A sentence like no other gives its weight to all alike (no rank sink).
        spread = sum(rank[j] for j in sinks) / n
        new = [(1 - _DAMPING) / n + _DAMPING * (spread + sum(rank[j] * w for j, w in edges))
               for edges in incoming]
        delta = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if delta < _TOLERANCE:
            break
    return rank


def _degree(vectors: Sequence[Vector]) -> list[float]:
    """Degree centrality in linear time: cos(i, Σ v_j) less the self-similarity."""
    total: Vector = {}
    for vector in vectors:
        for w, v in vector.items():
            total[w] = total.get(w, 0.0) + v
    degrees = [max(0.0, cosine(vector, total) - (1.0 if vector else 0.0)) for vector in vectors]
    mass = sum(degrees)
    return [d / mass for d in degrees] if mass else [1.0 / len(vectors)] * len(vectors)
