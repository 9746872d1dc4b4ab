"""Normalise text and repair extraction artifacts, giving one logical line per paragraph. Pure."""

from __future__ import annotations

import re
import unicodedata

from bot.text import artifacts as art
from bot.text import front, furniture, nonprose, wrap
from bot.text.chars import CIRCLED_NUMBERS, is_japanese
from bot.text.sentences import clause_continues

TERMINALS = wrap.TERMINALS
_FRONT_MATTER_LINES = 40
_MIN_WRAP_WIDTH = 20
_LATIN_END = re.compile(r"[A-Za-z]$")


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), one newline style, no trailing spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Before NFKC, which would turn the superscript footnote markers ¹ ² into plain digits.
    text = art.strip_superscript_notes(text)
    # NFKC would turn ① into a bare 1, which then reads as part of the next number.
    text = _circled(text)
    text = unicodedata.normalize("NFKC", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def japanese_ratio(text: str) -> float:
    """Share of kana/kanji among the non-space characters."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(1 for c in chars if is_japanese(c)) / len(chars)


def is_prose_line(line: str) -> bool:
    """Running text (not a heading, list item or name): long and containing a full stop."""
    return len(line) >= 30 and "。" in line and not line.startswith("- ")


def clean_text(text: str, hard_wrapped: bool = False) -> list[str]:
    """Text → logical lines: furniture and artifacts dropped, wrapped lines rejoined, glyphs
    repaired. No line of text is dropped for being short or repeated (bot.text.furniture).

    `hard_wrapped`: the text is known to come with layout line breaks (a PDF), so even a
    document too short to show a wrap width statistically is rejoined at its longest line.
    Otherwise the document itself tells (see `bot.text.wrap`). Only a page layout's text (a
    PDF, or a PDF extractor's text saved as a file: `wrap.extracted_layout`) gets the repairs
    of a PDF's losses: a ・ shown as a space, a table's cells. `artifacts.ARTICLE_BREAK`
    lines mark where an article boundary was recognised. Linear in the text's length.
    """
    widths = _source_widths(text)
    raw = normalize(text).split("\n")  # indentation kept: it tells a paragraph from a wrap
    notes = {n for line in raw if (n := art.footnote_number(line.strip()))}
    paged = hard_wrapped or wrap.extracted_layout(raw, widths)  # a page layout's text
    # Furniture first: its rules and labels are what the later stages would take for text.
    raw = front.drop_colophon(front.title_to_front(furniture.drop_mail_footer(raw)))
    raw = furniture.mark_sections(_drop_nonprose(raw, paged))
    raw = furniture.drop_running_lines(raw, _is_page_mark, art.is_running_line)
    lines = _rejoin(_drop_artifact_lines(raw), hard_wrapped, widths)
    lines = _drop_repeated_front_matter(_drop_biographies(lines))
    return [
        art.repair_inline(art.remove_glued_note_markers(art.remove_footnote_markers(line, notes)),
                          paged and is_prose_line(line))
        for line in lines
    ]


def _is_page_mark(line: str) -> bool:
    return "\f" in line or art.is_page_number(line.strip())


def _drop_nonprose(lines: list[str], paged: bool) -> list[str]:
    """Code, commands, a table of contents, box tables, diagrams and (in a page layout) table
    cells become paragraph breaks (bot.text.nonprose)."""
    base = wrap.base_indent([len(line) - len(line.lstrip()) for line in lines if line.strip()])
    cells = nonprose.table_cells(lines) if paged else [False] * len(lines)
    # Box tables and diagrams in any layout: a mail draws them with characters too.
    cells = [c or d for c, d in zip(cells, nonprose.drawn_lines(lines), strict=True)]
    out: list[str] = []
    following = ""  # the next non-blank line: the scan runs from the end
    for line, cell in zip(reversed(lines), reversed(cells), strict=True):
        if (cell or nonprose.is_code_line(line, base) or nonprose.is_contents_line(line)
                or nonprose.is_contents_head(line, following)):
            out.append(furniture.PARAGRAPH_BREAK)
        else:
            out.append(line)
        following = line if line.strip() else following
    return out[::-1]


def _source_widths(text: str) -> dict[str, int]:
    """Display width of each line as written, before NFKC narrows full-width letters."""
    widths: dict[str, int] = {}
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        key = unicodedata.normalize("NFKC", _circled(line)).rstrip()
        widths.setdefault(key, wrap.display_width(line.rstrip()))
    return widths


def _circled(text: str) -> str:
    return re.sub(f"[{CIRCLED_NUMBERS}]", lambda m: f"({ord(m.group()) - 0x245F})", text)


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


class _Paragraph:
    """Pieces of one paragraph being rejoined, and what the join rules need to know of it."""

    def __init__(self, line: str, used: int, indent: int) -> None:
        self.pieces = [line]
        self.length = len(line)
        self.full_stop = "。" in line
        self.used, self.indent = used, indent
        self.source = bool(art.source_url(line))
        # Where a hanging indent would set the lines after a marked first line (■…, ・…, 1. …).
        self.first_indent, self.marker = indent, wrap.marker_width(line)
        self.hanging = indent + self.marker

    def add(self, line: str, used: int, indent: int) -> None:
        self.pieces.append(line)
        self.length += len(line)
        self.full_stop = self.full_stop or "。" in line
        self.used, self.indent = used, indent

    def glue(self, line: str) -> None:
        """A URL the extractor wrapped goes on without a space."""
        self.pieces[-1] += line
        self.length += len(line)

    def goes_on(self, line: str, used: int, indent: int, width: int, blank: bool) -> bool:
        """Is the break before `line` a wrap inside this paragraph? (rules: bot.text.wrap)"""
        last = self.pieces[-1]
        # A line that is only an address is set apart by its author: it never joins text.
        if self.source or wrap.is_table_row(last) or art.is_bare_url(line) or art.is_bare_url(last):
            return False
        full = bool(width) and wrap.is_full(self.used, last, line, width)
        if wrap.kinsoku_join(last, line) or self._hangs(line, used, indent, full):
            return True
        if wrap.ends_sentence(last):
            # `…ありますか?」` + `を確認してください。`: the clause goes on after its quote.
            return not blank and not last.endswith("。") and clause_continues(line)
        if _starts_block(line) and not (full and wrap.dot_continues(last, line)
                                        and not self._sibling(line, indent)):
            return False
        # `1.2 見出し` is a heading, but `Python` + `3.12 以降…` a version cut by the wrap.
        if wrap.is_section_number(line) and not (full and _LATIN_END.search(last)):
            return False
        closed = last.endswith(tuple(wrap.CLOSERS))
        if full:
            # A full line ending in 」 may end a paragraph: the next line's indent decides.
            return not (closed and indent > self.indent)
        if closed:
            return False
        if not blank and wrap.clause_goes_on(last, line):
            return True
        return wrap.page_break(self.length, self.full_stop, self.pieces[0])

    def _sibling(self, line: str, indent: int) -> bool:
        """The next ・ item of a list, set where this item's ・ was (not a middle dot)."""
        return line[:1] == self.pieces[0][:1] and indent == self.first_indent

    def _hangs(self, line: str, used: int, indent: int, full: bool) -> bool:
        """Set under the text of a marked first line, and no wider than the line above: the
        item goes on (a heading's paragraph, indented the same, is wider than the heading).
        Under a full line, a ・ there is a middle dot the wrap put first, not a sub-item."""
        # ±1: `1. ` takes three columns, and a full-width space under it two.
        return (bool(self.marker) and abs(indent - self.hanging) <= 1
                and indent > self.first_indent and used <= self.used
                and (not _starts_block(line) or (full and line.startswith("・"))))


def _rejoin(lines: list[str], hard_wrapped: bool, widths: dict[str, int]) -> list[str]:
    """Join lines cut by hard wrapping or page breaks; blank lines between them are artifacts."""
    used = {raw: widths[raw] if raw in widths else wrap.display_width(raw)
            for raw in lines if raw.strip()}
    width = wrap.wrap_width([used[raw] for raw in lines if raw.strip()]) or wrap.open_wrap_width(
        [used[raw] for raw in lines if raw.strip() and _stops_open(raw.strip())])
    if not width and hard_wrapped:
        width = max(used.values(), default=0)
        width = width if width >= _MIN_WRAP_WIDTH else 0
    out: list[str] = []
    paragraph: _Paragraph | None = None
    blank = False
    for raw in lines:
        line = raw.strip()
        if raw in (art.ARTICLE_BREAK, furniture.PARAGRAPH_BREAK) or not line:
            blank = True
            if raw in (art.ARTICLE_BREAK, furniture.PARAGRAPH_BREAK):
                _flush(out, paragraph)
                paragraph = None
                out.extend([raw] if raw == art.ARTICLE_BREAK else [])
            continue
        indent = wrap.display_width(raw) - wrap.display_width(line)
        if paragraph and paragraph.goes_on(line, used[raw], indent, width, blank):
            paragraph.add(line, used[raw], indent)
        elif paragraph and art.continues_url(paragraph.pieces[-1], line):
            paragraph.glue(line)
        else:
            _flush(out, paragraph)
            paragraph = _Paragraph(line, used[raw], indent)
        blank = False
    _flush(out, paragraph)
    return out


def _flush(out: list[str], paragraph: _Paragraph | None) -> None:
    if paragraph:
        out.append(wrap.join_pieces(paragraph.pieces))


def _stops_open(line: str) -> bool:
    """Neither a sentence's end nor a block start (nor an address set on its own line):
    where only a wrap stops a line."""
    return not (wrap.ends_sentence(line) or line.endswith(tuple(wrap.CLOSERS))
                or _starts_block(line) or art.is_bare_url(line))


def _starts_block(line: str) -> bool:
    return wrap.is_block_start(line) or bool(art.source_url(line))


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
        # An article break is a boundary, not a title line: every one of them counts.
        if key not in seen or line == art.ARTICLE_BREAK:
            seen.add(key)
            out.append(line)
    return out
