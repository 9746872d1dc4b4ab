"""One PDF page → its text lines with their boxes and font size, read from PDFium's text page.

This is the edge that calls PDFium (the caller holds the process-wide lock); everything after
it (bot/sources/pdf/layout.py) is pure. Characters come in PDFium's order, which is the order
the page's content draws them: reading order for body text, but headers and footers are often
drawn first or last, so later stages place them by position, never by order.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Any

# A character whose baseline is this many font sizes away from the line's starts a new line.
_BASELINE_SHIFT = 0.5
# A horizontal jump this many font sizes wide splits a line (columns, a header's two ends).
_COLUMN_GAP = 3.0
_NEWLINES = "\r\n"


@dataclass(frozen=True)
class Line:
    """One line of text as set on the page, in PDF points (origin at the bottom left)."""

    text: str
    left: float
    right: float
    baseline: float
    size: float  # the font size most of its characters are set in
    first_word: float  # width of its first word (a CJK character is a word): did it fit above?


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    lines: tuple[Line, ...]


@dataclass
class _Draft:
    """A line being collected, character by character."""

    chars: list[str]
    left: float
    right: float
    baseline: float
    size: float  # of the first character: how far the next line's baseline may shift
    word_end: float  # right edge of the first word so far
    word_open: bool = True  # is the first word still being read
    sizes: dict[float, int] = field(default_factory=dict)  # characters per font size

    def add(self, char: str, right: float, size: float) -> None:
        self.chars.append(char)
        self.right = max(self.right, right)
        self.sizes[size] = self.sizes.get(size, 0) + 1
        if self.word_open:
            self.word_end = right
            self.word_open = not _is_cjk(char)

    def add_space(self) -> None:
        self.chars.append(" ")
        self.word_open = False

    def close(self) -> Line | None:
        text = "".join(self.chars).strip()
        if not text:
            return None
        size = max(self.sizes, key=lambda s: self.sizes[s])
        return Line(text, self.left, self.right, self.baseline, size, self.word_end - self.left)


def read_page(pdfium: Any, page: Any) -> Page:
    """The page's size and its lines, in the order the page draws them."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        lines = _read_lines(pdfium.raw, textpage)
    finally:
        textpage.close()
    return Page(float(width), float(height), tuple(lines))


def _read_lines(raw: Any, textpage: Any) -> list[Line]:
    handle = textpage.raw
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    x, y = ctypes.c_double(), ctypes.c_double()
    lines: list[Line] = []
    draft: _Draft | None = None
    for index in range(raw.FPDFText_CountChars(handle)):
        code = raw.FPDFText_GetUnicode(handle, index)
        char = chr(code) if 0 < code < 0x110000 else ""
        if not char or char in _NEWLINES:
            continue  # PDFium's own line breaks: lines are found from positions instead
        if char.isspace():
            if draft is not None:
                draft.add_space()
            continue
        raw.FPDFText_GetCharOrigin(handle, index, ctypes.byref(x), ctypes.byref(y))
        raw.FPDFText_GetCharBox(handle, index, ctypes.byref(left), ctypes.byref(right),
                                ctypes.byref(bottom), ctypes.byref(top))
        size = round(raw.FPDFText_GetFontSize(handle, index), 1) or 1.0
        if draft is None or _starts_line(draft, x.value, y.value, left.value):
            if draft is not None and (line := draft.close()):
                lines.append(line)
            draft = _Draft([], left.value, right.value, y.value, size, right.value)
        draft.add(char, right.value, size)
    if draft is not None and (line := draft.close()):
        lines.append(line)
    return lines


def _starts_line(draft: _Draft, x: float, y: float, left: float) -> bool:
    """Does a character drawn at (x, y) start a new line after `draft`?"""
    if abs(y - draft.baseline) > _BASELINE_SHIFT * draft.size:
        return True
    # Backwards (a new line drawn at the same height elsewhere) or far ahead (another column).
    return left < draft.right - draft.size or x - draft.right > _COLUMN_GAP * draft.size


def _is_cjk(char: str) -> bool:
    return "\u3000" <= char <= "\u9fff" or "\uf900" <= char <= "\uffef"
