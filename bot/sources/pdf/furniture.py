"""Page furniture, found by position and repetition across pages, and dropped. Pure.

- Running headers and footers: a line in the outer band of the page (the top or bottom rows,
  set apart from the text by a gap) whose text, digits aside, recurs in the same band at the
  same size on a good share of the pages. Its page
  number may change (`Debian リファレンス 12 / 340`, `— 12 —`). Once a header's place is known,
  whatever else sits exactly there at the same size (a chapter title that changes every
  chapter) is a header too.
  A running line set at the body's own leading (no gap) is a header too when it is the very
  first or last row of most pages (three at least; every page of a two-page document when
  it is set no larger than the body), short and not a sentence: repeated
  word for word at the page's edge, it cannot be text, and a header glued to the text would
  end up inside the sentence that crosses the page break.
- A one-page document's header: short, no sentence, alone at the top, set smaller than the
  text and above a larger title (no repetition can tell it there).
- Bare page numbers in the outer band (`12`, `- 12 -`, `12 / 340`, `p. 12`, `xii`).
- Tables of contents: lines ending in a dot leader and a page number (`……… 12`, `. . . 12`),
  with the entry text wrapped above them; or, under a 目次 / Contents heading, the run of
  lines that each end with a page number.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from bot.sources.pdf.geometry import SIZE_TOLERANCE
from bot.sources.pdf.lines import Line, Page
from bot.text.chars import SENTENCE_ENDS

# Headers and footers lie in the outer sixth of the page, in its two outermost rows.
_BAND = 0.16
_EDGE_ROWS = 2
# A text recurring in the band on this share of the pages (and on two at least) is running.
_RUNNING_SHARE = 0.3
_SAME_ROW = 1.0  # points: lines this close in height share a row
# Furniture stands apart: the gap to the text is wider than this many font sizes (a leading).
_GAP_SIZES = 2.0
_PAGE_NUMBER = re.compile(
    r"^[\W_]*(?:p\.?|page|ページ|第)?\s*(?:\d{1,4}(?:\s*(?:/|\||of)\s*\d{1,4})?|[ivxlcdm]{1,7})"
    r"\s*(?:ページ|頁)?[\W_]*$",
    re.IGNORECASE,
)
_LEADER = re.compile(r"(?:[.．·・…‥_]\s?){3,}\s*\(?(?:\d{1,4}|[ivxlcdm]{1,7})\)?$", re.IGNORECASE)
_ENDS_WITH_NUMBER = re.compile(r"\D\s*\d{1,4}$")
_CONTENTS_HEADING = re.compile(
    r"^(?:目\s*次|もくじ|索\s*引|contents|table\s+of\s+contents|index)$", re.IGNORECASE
)
_MIN_LEADER_LINES = 3
# A header set without a gap: the outermost row, on this share of the pages and three at least.
_TIGHT_SHARE = 0.5
_TIGHT_MIN_PAGES = 3
_TIGHT_MAX_CHARS = 60
_TITLE_RATIO = 1.15  # a title is set this much larger than the text (as layout.py takes it)
# Quotes and asides close a sentence; 【】 is a header's label, not a sentence's end.
_SENTENCE_END = re.compile(f"[{SENTENCE_ENDS}．」』)）]$")


def drop_furniture(pages: list[Page]) -> list[Page]:
    """The pages without their running headers, footers and page numbers."""
    edges = [[] if page.plain else _edge_lines(page) for page in pages]
    counts: Counter[str] = Counter()
    for page_edges in edges:
        counts.update({key for line, band in page_edges if (key := _key(line, band))})
    text_pages = sum(1 for page in pages if page.lines)
    least = max(2.0, _RUNNING_SHARE * text_pages)
    running = {key for key, count in counts.items() if count >= least}
    tight = _tight_running(pages, text_pages)
    slots = {(band, round(line.baseline), round(line.size * 2))
             for page_edges in edges for line, band in page_edges if _key(line, band) in running}
    out = []
    for page, page_edges in zip(pages, edges, strict=True):
        dropped = {id(line) for line, band in page_edges
                   if _key(line, band) in running
                   or _PAGE_NUMBER.match(line.text)
                   or _in_slot(line, band, slots)}
        if tight and not page.plain:
            dropped |= {id(line) for line, band in _outer_rows(page) if _key(line, band) in tight}
        if text_pages == 1 and page.lines:
            dropped |= {id(line) for line, band in page_edges if _lone_header(line, band, page)}
        out.append(replace(page, lines=tuple(ln for ln in page.lines if id(ln) not in dropped)))
    return out


def _edge_lines(page: Page) -> list[tuple[Line, str]]:
    """Lines in the page's outermost rows, top and bottom, set apart from the text by a gap
    wider than a line's leading, with their band ("top" or "bottom")."""
    rows: dict[int, list[Line]] = {}
    for line in page.lines:
        rows.setdefault(round(line.baseline / _SAME_ROW), []).append(line)
    ordered = [rows[key] for key in sorted(rows, reverse=True)]
    edges = []
    for band, run in (("top", ordered), ("bottom", ordered[::-1])):
        for row in _isolated_block(run):
            inside = page.height * (1 - _BAND) if band == "top" else page.height * _BAND
            edges += [(line, band) for line in row
                      if (line.baseline >= inside) == (band == "top")]
    return edges


def _lone_header(line: Line, band: str, page: Page) -> bool:
    """A one-page document shows no repetition: there a short line that is no sentence, set
    small at the top of the page above a larger title (a newsletter's name and issue above
    its masthead) is its header. Without a title below it, it may be the title: kept."""
    body = _body_size([page])
    return (band == "top" and len(line.text) <= _TIGHT_MAX_CHARS
            and not _SENTENCE_END.search(line.text.strip())
            and line.size < body - SIZE_TOLERANCE
            and any(other.size >= _TITLE_RATIO * body and other.baseline < line.baseline
                    for other in page.lines))


def _outer_rows(page: Page) -> list[tuple[Line, str]]:
    """The lines of the page's very first and very last row, gap or not."""
    if not page.lines:
        return []
    top = max(line.baseline for line in page.lines)
    bottom = min(line.baseline for line in page.lines)
    return [(line, band) for line in page.lines
            for band, edge in (("top", top), ("bottom", bottom))
            if abs(line.baseline - edge) < _SAME_ROW]


def _tight_running(pages: list[Page], text_pages: int) -> set[str]:
    """Keys of short, non-sentence lines repeated in the outermost row of most pages (of every
    page of a short document, when set no larger than the body: a title repeated on a cover
    and a title page is set larger, and stays)."""
    counts: Counter[str] = Counter()
    sizes: dict[str, float] = {}
    for page in pages:
        if page.plain:
            continue
        for line, band in _outer_rows(page):
            if len(line.text) <= _TIGHT_MAX_CHARS and not _SENTENCE_END.search(line.text.strip()):
                sizes[_key(line, band)] = line.size
        counts.update({_key(line, band) for line, band in _outer_rows(page)
                       if _key(line, band) in sizes})
    body = _body_size(pages)
    least = max(_TIGHT_MIN_PAGES, _TIGHT_SHARE * text_pages)
    return {key for key, count in counts.items()
            if count >= least or (count == text_pages >= 2 and sizes[key] <= body + 0.5)}


def _body_size(pages: list[Page]) -> float:
    """The font size most characters are set in."""
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            weights[round(line.size, 1)] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _isolated_block(rows: list[list[Line]]) -> list[list[Line]]:
    """The first rows of `rows` (at most _EDGE_ROWS, each close to the one before) when a gap
    wider than a line's leading separates them from the rest; else none."""
    block = rows[:1]
    for row in rows[1:]:
        gap = abs(block[-1][0].baseline - row[0].baseline)
        if gap > _GAP_SIZES * max(line.size for line in block[-1] + row):
            return block
        if len(block) == _EDGE_ROWS:
            return []
        block.append(row)
    return block


def _key(line: Line, band: str) -> str:
    """What stays the same in a running line from page to page: band, size and words (a
    cover page's title may also be the running header, but set larger)."""
    words = re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))
    return f"{band}:{round(line.size)}:{words}"


def _in_slot(line: Line, band: str, slots: set[tuple[str, int, int]]) -> bool:
    size = round(line.size * 2)
    return any((band, round(line.baseline) + d, size) in slots for d in (-1, 0, 1))


def drop_contents(pages: list[Page]) -> list[Page]:
    """The pages without their table of contents."""
    return [replace(page, lines=tuple(_without_contents(list(page.lines)))) for page in pages]


def _without_contents(lines: list[Line]) -> list[Line]:
    leaders = [i for i, line in enumerate(lines) if _LEADER.search(line.text)]
    dropped: set[int] = set()
    if len(leaders) >= _MIN_LEADER_LINES:
        for i in leaders:
            dropped.add(i)
            # An entry too long for one line wraps: its first part has no leader.
            j = i - 1
            while j >= 0 and j not in dropped and _wrapped_entry(lines[j], lines[i]):
                dropped.add(j)
                j -= 1
    for i, line in enumerate(lines):
        if _CONTENTS_HEADING.match(line.text.strip()):
            dropped.add(i)
            dropped.update(_numbered_run(lines, i + 1))
    return [line for i, line in enumerate(lines) if i not in dropped]


def _wrapped_entry(line: Line, leader: Line) -> bool:
    """Is `line` the first part of the contents entry that `leader` ends?"""
    return (not _LEADER.search(line.text) and abs(line.size - leader.size) < 0.5
            and 0 < line.baseline - leader.baseline < 2 * leader.size)


def _numbered_run(lines: list[Line], start: int) -> list[int]:
    """Indices of the lines from `start` that each end with a page number (an entry may wrap
    over one line that does not)."""
    run: list[int] = []
    i = start
    while i < len(lines):
        wraps = i + 1 < len(lines) and _ENDS_WITH_NUMBER.search(lines[i + 1].text)
        if not (_ENDS_WITH_NUMBER.search(lines[i].text) or _LEADER.search(lines[i].text) or wraps):
            break
        run.append(i)
        i += 1
    return run
