"""Lines placed on pages → text with one paragraph per line, decided by geometry. Pure.

A line goes on in the next one when the next line was set right below it (at the line pitch,
in the same font size, not indented) and this line is full: it reaches the column's right
edge, or stops short of it by less than the next line's first word (which would have fitted).
That holds for justified and ragged text, Japanese or Latin, and across a page break, where
a full last line that ends without a full stop continues on the next page. Headings (another
font size), list items, short lines and indented first lines start their own line. The
title is the largest text on the first page, put first and followed by a blank line.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.sources.pdf.furniture import drop_contents, drop_furniture
from bot.sources.pdf.geometry import (
    CJK,
    MIN_FULL_EMS,
    SIZE_TOLERANCE,
    Geometry,
    column_of,
    measure,
    page_geometries,
    same_size,
)
from bot.sources.pdf.lines import SOFT_HYPHEN, Line, Page
from bot.text import chars

_CLOSERS = re.escape(chars.CLOSERS)
# A full stop in Latin text (`.`, `．`) ends a paragraph at a page break too.
_TERMINAL = re.compile(f"[{chars.SENTENCE_ENDS}．.][{_CLOSERS}']*$")
# A bullet or a box mark becomes `- `; ▲ and ※ stay (a caption's and a note's marks).
_BULLET = re.compile(rf"^(?:[{chars.BULLETS}{chars.BOX_MARKS}]\s*|[-*]\s+)")
_ITEM = re.compile(rf"^(?:[{chars.ITEM_MARKS}]|{chars.ASCII_BULLET})")
# `(1)`, `1.`, `①` start an item after a full stop or a colon; elsewhere they may be inside a
# sentence that wrapped just before them.
_NUMBERED = re.compile(
    rf"^(?:\(?\d{{1,2}}[.)）]\s|{chars.NUMBER_IN_PARENS}|[{chars.CIRCLED_NUMBERS}])")
_ENDS_CLAUSE = re.compile(f"[{chars.SENTENCE_ENDS}．:：][{_CLOSERS}]*$")
# A URL glued to the text before it (`サイト（https://…`), as Japanese sets it, has no space
# around it: a wrap inside it is no space either. (Latin text sets a URL apart by spaces.)
_GLUED_URL_END = re.compile(r"[^\s\x00-\x7f]https?://[!-~]*$")
_URL_GOES_ON = re.compile(f"[{chars.URL_CHARS}]")
_MIN_TITLE_RATIO = 1.15  # a title is set this much larger than the body text
# A title has two letters at least: a drop cap or a chapter number in a huge font is not one.
_TITLE_WORDS = re.compile(r"[^\W\d_].*[^\W\d_]")


def compose(pages: list[Page]) -> str:
    """The document's text: title (if any) and a blank line, then one paragraph per line."""
    pages = drop_contents(drop_furniture(pages))
    if not any(page.lines for page in pages):
        return ""
    placed = [line for page in pages if not page.plain for line in page.lines]
    geometry = measure(placed or [Line("", 0, 0, 0, 1, 0)])
    title, pages = take_title(pages, geometry)
    paragraphs = join_lines(pages, page_geometries(pages, geometry))
    return "\n".join([title, "", *paragraphs] if title else paragraphs)


def take_title(pages: list[Page], geometry: Geometry) -> tuple[str, list[Page]]:
    """(the largest text on the first page with text, pages without it); '' if none stands out."""
    first = next((i for i, page in enumerate(pages) if page.lines), None)
    if first is None or pages[first].plain:
        return "", pages
    lines = pages[first].lines
    largest = max(line.size for line in lines)
    if largest < geometry.size * _MIN_TITLE_RATIO:
        return "", pages
    picked = [i for i, line in enumerate(lines)
              if line.size >= largest - SIZE_TOLERANCE and _TITLE_WORDS.search(line.text)]
    if not picked:
        return "", pages
    # The title is one block: the first largest line and those right below it.
    block = [picked[0]]
    for i in picked[1:]:
        if i == block[-1] + 1 and lines[block[-1]].baseline - lines[i].baseline < 2 * largest:
            block.append(i)
    title = lines[block[0]].text
    for i in block[1:]:
        title = join_text(title, lines[i].text, geometry.spaced)
    rest = tuple(line for i, line in enumerate(lines) if i not in block)
    kept = [*pages[:first], replace(pages[first], lines=rest), *pages[first + 1:]]
    return title, kept


def join_lines(pages: list[Page], geometries: list[Geometry]) -> list[str]:
    """Paragraphs, headings and list items, each as one line of text."""
    out: list[str] = []
    previous: Line | None = None  # the last line read, and the paragraph it is part of
    current = -1
    # The last line in the body's size and its paragraph, while only smaller lines below it
    # (footnotes) follow it on its page.
    body: tuple[int, Line] | None = None
    before = geometries[0] if geometries else None  # the geometry of the page `previous` is on
    for page, geometry in zip(pages, geometries, strict=True):
        if page.plain:  # no positions to go by: the lines as PDFium gave them
            out += [line.text for line in page.lines]
            previous, body = None, None
            continue
        for number, line in enumerate(page.lines):
            pair = (before or geometry, geometry)
            if number == 0 and body and previous is not body[1] and _continues(
                body[1], line, pair, True, _is_item(out[body[0]])
            ):
                # The page ended with a footnote or a caption: the text runs on past it.
                current = body[0]
                out[current] = join_text(out[current], line.text, geometry.spaced)
            elif previous is not None and _continues(previous, line, pair, number == 0,
                                                     _is_item(out[current])):
                out[current] = join_text(out[current], line.text, geometry.spaced)
            else:
                out.append(_BULLET.sub("- ", line.text))
                current = len(out) - 1
            previous, before = line, geometry
            if same_size(line.size, geometry.size):
                body = (current, line)
            elif body and not (line.size < geometry.size and line.baseline < body[1].baseline):
                body = None  # only footnotes (smaller, below the text) may follow it
    return [paragraph.replace(SOFT_HYPHEN, "") for paragraph in out]


def _is_item(paragraph: str) -> bool:
    """Is the paragraph a list item, whose lines may hang under its text?"""
    return bool(_ITEM.match(paragraph) or _NUMBERED.match(paragraph))


def _continues(
    above: Line, below: Line, geometries: tuple[Geometry, Geometry], new_page: bool,
    item: bool = False,
) -> bool:
    """Is `below` the next line of the paragraph that `above` is part of? (`geometries`: of
    the pages `above` and `below` are on; `item`: that paragraph is a list item.)"""
    geometry, next_geometry = geometries
    size = above.size
    if not same_size(above.size, below.size) or _ITEM.match(below.text):
        return False
    if _NUMBERED.match(below.text) and _ENDS_CLAUSE.search(above.text):
        return False
    column = column_of(above, geometry.margins)
    next_column = column_of(below, next_geometry.margins)
    if new_page:
        if _TERMINAL.search(above.text):
            return False  # a page break at a full stop: the next page starts anew
    elif column == next_column:
        pitch = geometry.pitch * size / geometry.size
        if not 0 < above.baseline - below.baseline <= pitch * 1.25:
            return False  # a gap, or a line set somewhere else on the page
    elif below.baseline <= above.baseline:
        return False  # the next column starts at the top, not below
    # Indented: a new paragraph. An item's text may hang, though, on every line of it and in
    # the next column or page too: offsets are taken from each line's own column margin.
    indent = below.left - next_geometry.margins[next_column]
    above_indent = above.left - geometry.margins[column]
    if indent > size / 2 and not (item and indent <= above_indent + 2.5 * size):
        return False
    return _is_full(above, below, geometry, column)


def _is_full(above: Line, below: Line, geometry: Geometry, column: int) -> bool:
    """Did `above` fill its column, so that `below`'s first word no longer fitted?"""
    size, margin, right = above.size, geometry.margins[column], geometry.rights[column]
    if above.right - margin < MIN_FULL_EMS * size:
        return False
    if geometry.count and abs(len(above.text) - geometry.count) <= 1:
        return True
    if not right:
        return False
    # Kinsoku may push a character (or a closing bracket and a full stop) to the next line.
    return above.right + min(below.first_word, 12 * size) + 1.5 * size >= right


def join_text(left: str, right: str, spaced: bool = False) -> str:
    """Words in Latin script keep a space at a wrap; Japanese needs none; between a Japanese
    character and a Latin word (never a number: `3割`), the document's habit decides."""
    if left.endswith(SOFT_HYPHEN):  # a word hyphenated at the wrap: whole again
        return left[:-1] + right
    if _GLUED_URL_END.search(left) and _URL_GOES_ON.match(right):
        return left + right  # a URL set tight in Japanese text, wrapped inside itself
    if chars.latin_words_meet(left, right):
        return f"{left} {right}"
    if spaced and (
        (re.search(f"[{CJK}]$", left) and re.match("[A-Za-z/]", right))
        or (re.search("[A-Za-z]$", left) and re.match(f"[{CJK}]", right))
    ):
        return f"{left} {right}"
    return left + right
