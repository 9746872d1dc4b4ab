"""Repair extraction artifacts and normalise text. Pure functions over strings."""

from __future__ import annotations

import re
import unicodedata

TERMINALS = "。！？!?"
_CLOSERS = "」』）)】〕"
_PAGE_NUMBER = re.compile(r"^[-－–—\s]*\d{1,3}[-－–—\s]*$")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_ASCII_WORD_END = re.compile(r"[A-Za-z0-9,.]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9(]")


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), one newline style, no trailing spaces."""
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n"))


def japanese_ratio(text: str) -> float:
    """Share of kana/kanji among the non-space characters."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(1 for c in chars if _JAPANESE.match(c)) / len(chars)


def clean_text(text: str) -> list[str]:
    """Normalised text → logical lines: wrapped lines rejoined, page numbers dropped."""
    lines = [line.strip() for line in normalize(text).split("\n")]
    lines = ["" if _PAGE_NUMBER.match(line) else line for line in lines]
    width = _wrap_width(lines)
    out: list[str] = []
    joinable = False  # the previous kept line was cut by a wrap, not by the author
    for line in lines:
        if not line:
            # Blank lines between wrapped lines are an extraction artifact; keep the wrap open.
            if not joinable and out and out[-1]:
                out.append("")
            continue
        if joinable and out:
            out[-1] = _join(out[-1], line)
        else:
            out.append(line)
        joinable = width > 0 and _is_wrapped(out[-1] if joinable else line, line, width)
    return [line for line in out if line] if width else _collapse_blanks(out)


def _wrap_width(lines: list[str]) -> int:
    """The hard-wrap width if the text looks hard-wrapped (many lines of one length), else 0."""
    lengths = sorted(len(line) for line in lines if line)
    if len(lengths) < 6:
        return 0
    width = lengths[int(len(lengths) * 0.8)]
    near = sum(1 for n in lengths if width - 4 <= n <= width + 2)
    return width if width >= 20 and near >= 0.4 * len(lengths) else 0


def _is_wrapped(joined: str, last_piece: str, width: int) -> bool:
    return len(last_piece) >= width - 4 and not joined.endswith(tuple(TERMINALS + _CLOSERS))


def _join(left: str, right: str) -> str:
    # Japanese needs no space at a wrap; words in Latin script do.
    if _ASCII_WORD_END.search(left) and _ASCII_WORD_START.match(right):
        return f"{left} {right}"
    return left + right


def _collapse_blanks(lines: list[str]) -> list[str]:
    return [line for line in lines if line]
