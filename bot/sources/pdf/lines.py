"""One PDF page → its text lines with their boxes and font size, read from PDFium's text page.

This is the edge that calls PDFium (the caller holds the process-wide lock); everything after
it (bot/sources/pdf/layout.py) is pure. Characters come in PDFium's order, which is the order
the page's content draws them: reading order for body text, but headers and footers are often
drawn first or last, so later stages place them by position, never by order. A footnote
marker set as a raised, smaller digit stays in its line as a Unicode superscript (`¹`).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Any

from bot.text.chars import set_tight

# A character whose baseline is this many font sizes away from the line's starts a new line.
_BASELINE_SHIFT = 0.5
# A horizontal jump this many font sizes wide splits a line (columns, a header's two ends).
_COLUMN_GAP = 3.0
# A gap this many font sizes wide where the text has no space of its own (PDFium put one in)
# splits a line too: a table's cells are drawn apart, words are set with their spaces.
_CELL_GAP = 1.2
# PDFium reports a hyphen that a typesetter put at a line end, inside a word, as U+0002.
_BREAK_HYPHEN = 0x02
SOFT_HYPHEN = "\u00ad"
_VERTICAL_MIN_LINES = 8
_SIZE_SAMPLE = 4  # the font size of every fourth character tells a line's size
# A digit set this much smaller than the text beside it, and raised, is a superscript.
_SMALLER = 0.9
_NEAR = 2.0  # font sizes: a superscript sits right after its word, a note body's text after it
_SUPERSCRIPTS = "0123456789"
_TO_SUPERSCRIPT = str.maketrans(_SUPERSCRIPTS, "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text as set on the page, in PDF points (origin at the bottom left)."""

    text: str
    left: float
    right: float
    baseline: float  # the bottom of its first character's loose box (baseline less descent)
    size: float  # the font size most of its characters are set in
    first_word: float  # width of its first word (a CJK character is a word): did it fit above?


@dataclass(frozen=True, slots=True)
class Page:
    width: float
    height: float
    lines: tuple[Line, ...]
    # Lines as PDFium's plain text gives them, without positions: the page's writing runs in a
    # way lines cannot be followed by position (vertical Japanese, rotated text).
    plain: bool = False


@dataclass
class _Draft:
    """A line being collected, character by character."""

    left: float
    right: float
    baseline: float
    size: float  # of the first character: how far the next line's baseline may shift
    chars: list[str] = field(default_factory=list)
    word_end: float = 0.0  # right edge of the first word so far
    word_open: bool = True  # is the first word still being read
    generated: int = -1  # where PDFium put a space of its own (for a gap), if it just did
    sizes: dict[float, int] = field(default_factory=dict)  # sampled characters per font size

    def __post_init__(self) -> None:
        self.sizes[self.size] = 1

    def add_space(self, generated: bool) -> None:
        self.chars.append(" ")
        self.word_open = False
        if generated:
            self.generated = len(self.chars)

    def add(self, char: str, right: float) -> None:
        if self.generated == len(self.chars) and set_tight(char) and set_tight(self.chars[-2]):
            # A gap PDFium took for a space, between two Japanese characters: justification or
            # text drawn piece by piece. Japanese puts no spaces between words.
            self.chars.pop()
        self.generated = -1
        self.chars.append(char)
        self.right = max(self.right, right)
        if self.word_open:
            self.word_end = right
            self.word_open = not set_tight(char)

    def close(self) -> Line | None:
        text = "".join(self.chars).strip()
        if not text:
            return None
        size = max(self.sizes, key=lambda s: self.sizes[s])
        return Line(text, self.left, self.right, self.baseline, round(size, 1),
                    max(self.word_end, self.left) - self.left)


def read_page(pdfium: Any, page: Any) -> Page:
    """The page's size and its lines, in the order the page draws them."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        lines = _read_lines(pdfium.raw, textpage.raw)
        if _is_vertical(lines):
            # get_text_bounded, not get_text_range: pypdfium2 documents the latter as limited
            # to UCS-2, and kanji in some names (𠮷) lie outside it.
            text = textpage.get_text_bounded().replace("\r\n", "\n").replace("\r", "\n")
            plain = tuple(Line(t.strip(), 0, 0, 0, 0, 0) for t in text.split("\n") if t.strip())
            return Page(float(width), float(height), plain, plain=True)
    finally:
        textpage.close()
    return Page(float(width), float(height), tuple(lines))


def _is_vertical(lines: list[Line]) -> bool:
    """Most lines hold one character: the text runs down the page, not across."""
    singles = sum(1 for line in lines if len(line.text) == 1)
    return singles >= _VERTICAL_MIN_LINES and singles > 0.6 * len(lines)


def _read_lines(raw: Any, handle: Any) -> list[Line]:
    # The hot loop of PDF reading (a few calls per character): the ctypes out-parameter is made
    # once, and the font size is sampled, not asked for every character.
    box = raw.FS_RECTF()
    box_ref = ctypes.byref(box)
    get_unicode, get_box, get_size = (raw.FPDFText_GetUnicode, raw.FPDFText_GetLooseCharBox,
                                      raw.FPDFText_GetFontSize)
    is_generated = raw.FPDFText_IsGenerated
    lines: list[Line] = []
    draft: _Draft | None = None
    for index in range(raw.FPDFText_CountChars(handle)):
        code = get_unicode(handle, index)
        if code == _BREAK_HYPHEN and draft is not None:
            draft.chars.append(SOFT_HYPHEN)  # the word goes on in the next line
            continue
        # Below 0x20: PDFium's own line breaks (lines are found from positions instead);
        # 0xFFFE/0xFFFF: no character at all.
        if code < 0x20 or 0xFFFE <= code <= 0xFFFF or code >= 0x110000:
            continue
        char = chr(code)
        if char.isspace():
            if draft is not None:
                draft.add_space(is_generated(handle, index) == 1)
            continue
        # The loose box spans the font's ascent and descent: its bottom is the baseline less
        # the descent, the same for every character of a font, unlike the glyphs' own boxes.
        get_box(handle, index, box_ref)
        if draft is None or _starts_line(draft, box.left, box.bottom):
            if draft is not None and _beside(draft, box.left) and _superscript(
                    draft, char, box, get_size(handle, index)):
                continue
            if draft is not None and (line := draft.close()):
                lines.append(line)
            draft = _Draft(box.left, box.right, box.bottom, get_size(handle, index) or 1.0)
        elif len(draft.chars) % _SIZE_SAMPLE == 0:
            size = get_size(handle, index) or 1.0
            draft.sizes[size] = draft.sizes.get(size, 0) + 1
        draft.add(char, box.right)
    if draft is not None and (line := draft.close()):
        lines.append(line)
    return lines


def _beside(draft: _Draft, left: float) -> bool:
    """Only a character right beside the line may be its superscript (so the font size is
    asked for no other line start)."""
    return abs(left - draft.right) <= _NEAR * draft.size


def _superscript(draft: _Draft, char: str, box: Any, size: float) -> bool:
    """A footnote marker set as a raised, smaller digit is part of its line, not a line of
    its own: after its word (`集中¹の`) it joins the line as a superscript; leading a smaller
    line (a footnote body) the line goes on at the body's baseline. Both come out as Unicode
    superscripts, which the text stage reads as markers (bot/text/artifacts.py)."""
    if not draft.size or not size or abs(box.left - draft.right) > max(size, draft.size):
        return False
    if (char in _SUPERSCRIPTS and size < _SMALLER * draft.size
            and 0 < box.bottom - draft.baseline < draft.size):
        draft.add(char.translate(_TO_SUPERSCRIPT), box.right)
        return True
    digits = "".join(draft.chars).strip()
    if (digits and all(c in _SUPERSCRIPTS for c in digits)
            and draft.size < _SMALLER * size and 0 < draft.baseline - box.bottom < size):
        draft.chars = list(digits.translate(_TO_SUPERSCRIPT))
        draft.baseline, draft.size, draft.sizes = box.bottom, size, {size: 1}
        draft.add(char, box.right)
        return True
    return False


def _starts_line(draft: _Draft, left: float, bottom: float) -> bool:
    """Does a character whose box starts at (left, bottom) start a new line after `draft`?"""
    if abs(bottom - draft.baseline) > _BASELINE_SHIFT * draft.size:
        return True
    # Backwards (a new line drawn at the same height elsewhere) or far ahead (another column).
    gap = left - draft.right
    return (left < draft.right - draft.size or gap > _COLUMN_GAP * draft.size
            or (draft.generated == len(draft.chars) and gap > _CELL_GAP * draft.size))
