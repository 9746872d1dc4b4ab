"""Normalise text and repair extraction artifacts, giving one logical line per paragraph. Pure."""

from __future__ import annotations

import re
import unicodedata

from bot.text import artifacts as art

TERMINALS = "。！？!?"
_CLOSERS = "」』）)】〕"
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_ASCII_WORD_END = re.compile(r"[A-Za-z0-9,.]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9(]")
# A prose line this long that stops without punctuation was cut by a page break.
_PAGE_BREAK_MIN = 60
_FRONT_MATTER_LINES = 40
_MIN_WRAP_WIDTH = 20


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), one newline style, no trailing spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Before NFKC, which would turn the superscript footnote markers ¹ ² into plain digits.
    text = art.strip_superscript_notes(text)
    # NFKC would turn ① into a bare 1, which then reads as part of the next number.
    text = re.sub("[\u2460-\u2473]", lambda m: f"({ord(m.group()) - 0x245F})", text)
    text = unicodedata.normalize("NFKC", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def japanese_ratio(text: str) -> float:
    """Share of kana/kanji among the non-space characters."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(1 for c in chars if _JAPANESE.match(c)) / len(chars)


def is_prose_line(line: str) -> bool:
    """Running text (not a heading, list item or name): long and containing a full stop."""
    return len(line) >= 30 and "。" in line and not line.startswith("- ")


def clean_text(text: str, hard_wrapped: bool = False) -> list[str]:
    """Text → logical lines: artifacts dropped, wrapped lines rejoined, glyphs repaired.

    `hard_wrapped`: the text is known to come with layout line breaks (a PDF), so even a
    document too short to show a wrap width statistically is rejoined at its longest line.
    `artifacts.ARTICLE_BREAK` lines mark where an article boundary was recognised.
    """
    raw = normalize(text).split("\n")  # indentation kept: it tells a paragraph from a wrap
    notes = {n for line in raw if (n := art.footnote_number(line.strip()))}
    lines = _rejoin(_drop_artifact_lines(raw), hard_wrapped)
    lines = _drop_repeated_front_matter(_drop_biographies(lines))
    return [
        art.repair_inline(art.remove_footnote_markers(line, notes), is_prose_line(line))
        for line in lines
    ]


def _drop_artifact_lines(lines: list[str]) -> list[str]:
    """Remove page furniture; garbage header lines become article breaks."""
    out: list[str] = []
    footnote = ""  # the footnote body being dropped, so its URL lines go with it
    for raw in lines:
        line = raw.strip()
        if footnote and line and (art.is_bare_url(line) or art.continues_url(footnote, line)):
            footnote += line
            continue
        if line:
            footnote = ""
        if art.footnote_number(line):
            footnote = line
            continue
        if line and (art.is_page_number(line) or art.is_dropped_line(line)):
            continue
        out.append(art.ARTICLE_BREAK if line and art.is_garbage(line) else raw)
    return out


def _rejoin(lines: list[str], hard_wrapped: bool) -> list[str]:
    """Join lines cut by hard wrapping or page breaks; blank lines between them are artifacts."""
    stripped = [line.strip() for line in lines if line != art.ARTICLE_BREAK]
    width = _wrap_width(stripped)
    if not width and hard_wrapped:
        width = max((len(line) for line in stripped), default=0)
        width = width if width >= _MIN_WRAP_WIDTH else 0
    out: list[str] = []
    joinable = weak = False
    for raw in lines:
        line = raw.strip()
        if raw == art.ARTICLE_BREAK:
            out.append(raw)
            joinable = False
            continue
        if not line:
            if not joinable and out and out[-1]:
                out.append("")
            continue
        indented = raw[:1] in (" ", "\u3000")
        if joinable and out and not _starts_block(line) and not (weak and indented):
            out[-1] = _join(out[-1], line)
        elif (last := _last_text(out)) is not None and art.continues_url(out[last], line):
            del out[last + 1 :]  # the blank lines the extractor put inside the URL
            out[last] += line
        else:
            out.append(line)
        joinable, weak = _continues(out[-1], line, width)
    return [line for line in out if line]


def _last_text(lines: list[str]) -> int | None:
    """Index of the last non-blank line, if any."""
    for index in range(len(lines) - 1, -1, -1):
        if lines[index]:
            return index
    return None


def _continues(joined: str, piece: str, width: int) -> tuple[bool, bool]:
    """(does this line go on in the next one, is that only a guess)."""
    if joined.endswith(tuple(TERMINALS)) or art.source_url(joined):
        return False, False
    closed = joined.endswith(tuple(_CLOSERS))
    if width and len(piece) >= width - 4:
        # A full line ending in 」 may end a paragraph: the next line's indent decides.
        return True, closed
    if closed:
        return False, False
    return len(joined) >= _PAGE_BREAK_MIN and "。" in joined and not joined.startswith("- "), False


def _starts_block(line: str) -> bool:
    return line.startswith(("- ", "【", "Reference")) or bool(art.source_url(line))


def _wrap_width(lines: list[str]) -> int:
    """The hard-wrap width if the text looks hard-wrapped (many lines of one length), else 0."""
    lengths = sorted(len(line) for line in lines if line and line != art.ARTICLE_BREAK)
    if len(lengths) < 6:
        return 0
    width = lengths[int(len(lengths) * 0.8)]
    near = sum(1 for n in lengths if width - 4 <= n <= width + 2)
    return width if width >= _MIN_WRAP_WIDTH and near >= 0.4 * len(lengths) else 0


def _join(left: str, right: str) -> str:
    # Japanese needs no space at a wrap; words in Latin script do.
    if _ASCII_WORD_END.search(left) and _ASCII_WORD_START.match(right):
        return f"{left} {right}"
    return left + right


def _drop_biographies(lines: list[str]) -> list[str]:
    """Cut an author biography block up to the next article break."""
    out: list[str] = []
    skipping = False
    for index, line in enumerate(lines):
        if line == art.ARTICLE_BREAK:
            skipping = False
        elif art.is_bio_start(line, lines[index + 1 : index + 4]):
            skipping = True
        if not skipping:
            out.append(line)
    return out


def _drop_repeated_front_matter(lines: list[str]) -> list[str]:
    """PDF reports repeat their title block (cover, then title page): keep the first copy."""
    seen: set[str] = set()
    out: list[str] = []
    for index, line in enumerate(lines):
        if is_prose_line(line) or index >= _FRONT_MATTER_LINES:
            return out + lines[index:]  # front matter ends where the text begins
        key = art.squeeze_title(line).replace(" ", "")
        if key not in seen:
            seen.add(key)
            out.append(line)
    return out
