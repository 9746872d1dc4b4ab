"""The body text's measures, taken from the lines themselves: font size, line pitch, the
columns' margins and right edges, and the habits a wrap must respect. Pure.

A column's margin is where most of its lines start; its right edge is where most of them end
(justified and Japanese text end within a point of it; ragged prose ends near it, lines of
code or a table anywhere, which gives no edge). A book's odd and even pages have mirrored
margins, so each page is measured with the pages laid out like it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from itertools import pairwise

from bot.sources.pdf.lines import Line, Page
from bot.text.chars import JAPANESE

CJK = JAPANESE  # kana and kanji, 々 included (bot.text.chars)
# Letters, not digits: `3割`, `第1章` are written tight everywhere.
_SPACED = re.compile(f"[{CJK}] [A-Za-z]|[A-Za-z] [{CJK}]")
_TIGHT = re.compile(f"[{CJK}][A-Za-z]|[A-Za-z][{CJK}]")
SIZE_TOLERANCE = 0.5  # points: sizes this close are one font size
MIN_FULL_EMS = 8  # a line narrower than this many font sizes is never a wrapped line
_HANG_SIZES = 2.0  # a line this far left of a column's margin still belongs to it
# This share of a column's lines ending at one place makes that place the right edge.
_EDGE_SHARE = 0.2
_RAGGED_MIN_LINES = 5
_RAGGED_SPREAD = 0.2  # ragged prose: half its lines end within this share of the column width
_COUNT_SHARE = 0.3  # this share of the lines having one length means lines were cut by count

@dataclass(frozen=True)
class Geometry:
    """The body text's measures, from the lines of the whole document."""

    size: float
    pitch: float
    margins: tuple[float, ...]  # the left edges of the text columns, left to right
    rights: tuple[float, ...]  # the right edge of each column
    count: int  # characters in a full line, when lines were cut by count (else 0)
    spaced: bool  # does the text put a space between Japanese and a Latin word?


def measure(lines: list[Line]) -> Geometry:
    """Body font size (by characters), line pitch, column margins and right edges."""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size * 2) / 2] += len(line.text)
    size = sizes.most_common(1)[0][0]
    body = [line for line in lines if abs(line.size - size) <= SIZE_TOLERANCE]
    drops = Counter(round((a.baseline - b.baseline) * 2) / 2 for a, b in pairwise(body)
                    if 0.9 * size <= a.baseline - b.baseline <= 3 * size)
    pitch = drops.most_common(1)[0][0] if drops else 1.5 * size
    margins, rights = _columns(body, size)
    return Geometry(size, pitch, margins, rights, _full_count(body), _spaced_latin(lines))


def page_geometries(pages: list[Page], document: Geometry) -> list[Geometry]:
    """Each page's geometry: its columns measured with the pages laid out like it (a book's
    odd and even pages have mirrored margins), the rest from the whole document."""
    groups: dict[tuple[int, int, int], list[Line]] = {}
    keys = []
    for page in pages:
        body = [line for line in page.lines if same_size(line.size, document.size)]
        lefts = Counter(round(line.left) for line in body)  # most lines start at the margin
        key = (round(page.width), round(page.height), lefts.most_common(1)[0][0] if lefts else -1)
        keys.append(key)
        groups.setdefault(key, []).extend(body)
    measured = {key: _columns(body, document.size) for key, body in groups.items() if body}
    return [replace(document, margins=measured[key][0],
                    rights=_known_rights(*measured[key], document))
            if key in measured and not page.plain else document
            for page, key in zip(pages, keys, strict=True)]


def _known_rights(
    margins: tuple[float, ...], rights: tuple[float, ...], document: Geometry
) -> tuple[float, ...]:
    """A column whose few lines do not show its right edge has the width of the document's
    column nearest to it (a shifted margin shifts the edge with it)."""
    known = []
    for margin, right in zip(margins, rights, strict=True):
        if not right:
            nearest = min(range(len(document.margins)),
                          key=lambda i: abs(document.margins[i] - margin))
            width = document.rights[nearest] - document.margins[nearest]
            right = margin + width if document.rights[nearest] else 0.0
        known.append(right)
    return tuple(known)


def _columns(body: list[Line], size: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(left margins, right edges) of the text columns the lines are set in."""
    lefts = Counter(round(line.left) for line in body)
    margins: list[float] = []
    # The most common starts first: an indented first line, a list item's text or a bullet
    # hanging in the margin lies within two sizes of the margin it belongs to.
    for left, count in lefts.most_common():
        if count >= max(2, 0.1 * len(body)) and all(abs(left - m) >= 2 * size for m in margins):
            margins.append(left)
    margins = sorted(margins) or [min(lefts)]
    return tuple(margins), tuple(_column_right(body, margins, i) for i in range(len(margins)))


def _spaced_latin(lines: list[Line]) -> bool:
    """Does this document write `と sources.list` rather than `とsources.list`? Then a wrap
    between Japanese and a Latin word stood for a space too."""
    spaced = tight = 0
    for line in lines:
        spaced += len(_SPACED.findall(line.text))
        tight += len(_TIGHT.findall(line.text))
    return spaced > tight


def _full_count(body: list[Line]) -> int:
    """Lines cut at a number of characters (by a tool, not a typesetter) end ragged wherever
    narrow digits and letters fall; their common length tells a full line instead."""
    counts = Counter(len(line.text) for line in body)
    if not counts:
        return 0
    count, lines = counts.most_common(1)[0]
    share = lines >= 2 and lines >= _COUNT_SHARE * len(body)
    return count if share and count >= MIN_FULL_EMS else 0


def _column_right(body: list[Line], margins: list[float], index: int) -> float:
    """The right edge most of the column's lines reach (justified or Japanese text ends there
    within a point or so), or 0 when too few lines share one to know it."""
    ends = Counter(round(line.right) for line in body if column_of(line, margins) == index)
    near = {edge: ends[edge - 1] + ends[edge] + ends[edge + 1] for edge in ends}
    total = sum(ends.values())
    if near:
        edge = max(near, key=lambda e: (near[e], e))
        if near[edge] >= 2 and near[edge] >= _EDGE_SHARE * total:
            return float(edge + 1)
    if total < _RAGGED_MIN_LINES:
        return 0.0
    # Ragged prose has no common edge, but most of its lines end close to it; lines of code or
    # a table end anywhere, and have no edge to be full at.
    spread = sorted(ends.elements())
    far, near_end = spread[int(0.85 * total)], spread[total // 2]
    return float(far) if far - near_end <= _RAGGED_SPREAD * (far - margins[index]) else 0.0


def column_of(line: Line, margins: tuple[float, ...] | list[float]) -> int:
    """Index of the column whose margin is the nearest at or left of the line's start, or
    within two font sizes right of it: a column whose most lines hang in a list item's
    indent has its margin there, and its bullets and unindented lines start left of it
    (margins lie further apart than that, see `_columns`)."""
    index = 0
    for i, margin in enumerate(margins):
        if line.left >= margin - max(2.0, _HANG_SIZES * line.size):
            index = i
    return index


def same_size(one: float, other: float) -> bool:
    """Set in one font size? Inline code is often set a little smaller than the text."""
    return abs(one - other) <= max(SIZE_TOLERANCE, 0.12 * max(one, other))
