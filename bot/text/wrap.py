"""Tell a layout line break (a wrap) from an author's one, from the document itself. Pure.

A line break goes on with the same paragraph when the document shows it was made by a wrap:

- kinsoku: the line ends where no line may end (、 or an opening bracket, or a ・ after a
  word: `ジル・` + `バイデン`), or the next line starts where no line may start (。、」ー,
  small kana…; a line holding only `。`, left by a mailer without kinsoku, ends the sentence
  above) — the strongest sign, in any layout;
- a hanging indent: under a marked first line (■ ◆ ● ・ ※ 1.), a line set exactly under the
  text after the marker, and no wider than the line above, goes on with the item;
- the fit test: the document is hard-wrapped at some width (most lines end within a few
  columns of one display width, full-width characters counting 2, indentation included; or,
  in a mail of short lines, most lines that stop mid-sentence do) and the next line's first
  word (a Latin word is kept whole; a Japanese character is one unit) would not have fitted
  on this line; a line that ends early was ended by its author;
- a clause that goes on: the line stops on a letter, the next line is no longer, and the line
  has a 、, or stops on a particle, or is at least 12 full-width characters wide with the next
  line ending with 。 — a heading is usually shorter than the paragraph under it;
- a long line that stops without its full stop after sentences that had one (a page break).

Never a wrap: after a sentence's end (。!? and closing brackets — unless a `!`/`?` or a closed
quote is followed by a particle that goes on with the clause, as the sentence splitter's rule 4
says), before or after a table row or a line that is only an address (bot.text.clean), before
a list item or heading marker (・ ■ ● - 1. (1) 第1章 【…】…; a ・ after a full line ending in
katakana is a middle dot, not an item), before a numbered heading (`1.2 見出し`, unless a full
line ends on a Latin word: `Python` + `3.12 …`), and, for a full line ending in a closing
bracket, before a line indented deeper than the line above. Rules and cut lines, code, a table
of contents, table cells, box tables and diagrams end a paragraph too (bot.text.furniture,
bot.text.nonprose).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from bot.text import chars

TERMINALS = chars.SENTENCE_ENDS
CLOSERS = chars.CLOSERS
# Line-start rules (行頭禁則): a line starting with one of these goes on from the line above.
_NO_START = frozenset(chars.NO_LINE_START + "!?！？" + chars.CLOSING_BRACKETS
                      + chars.CLOSING_QUOTES)
# Line-end rules (行末禁則): a line ending with one of these goes on in the line below.
_NO_END = frozenset(chars.NO_LINE_END)
_CLOSING_ONLY = re.compile(r"^[。、，．,!?！？)）」』】〕:：;；…]+$")
_PARTICLE_END = frozenset("をがにへでのやはも")
_KATAKANA_END = re.compile(f"[{chars.KATAKANA_LETTERS}]$")
# A list item's or a head's mark (and `*`, a note's), then what numbers an item or a head.
_MARKS = f"[{chars.ITEM_MARKS}*]"
_LIST = re.compile(
    rf"(?:{_MARKS}|{chars.ASCII_BULLET}|\d{{1,3}}(?:\.\d{{1,3}})*[.)]\s"
    r"|\d{1,3}[.)](?![\d.])|\(\d{1,3}\)"
    r"|\(?[a-zA-Z]\)\s|[IVX]{1,4}\.\s|第[\d一二三四五六七八九十]+[章節条項部編]|【|Reference)"
)
# A numbered section heading (`1.2 インストール`, `2.1.3 設定`): a block start unless a full line
# ends on a Latin word above it, since a wrap can put a version (`Python` + `3.12 以降`) first.
_SECTION_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2})+\s+\D")
_MARKER = re.compile(rf"{_MARKS}|\d{{1,2}}[.)]\s*|\(\d{{1,2}}\)\s*")
_TABLE = re.compile(r"[|│┃┆\t\u2500-\u257f]|\S {2,}\S.* {2,}\S")
_FIRST_UNIT = re.compile(r"[!-~]+|.")
# Slack for the fit test: a line may end a column short of the width when its last
# character would have been a full-width one, or when a kinsoku rule moved a character.
_SLACK = 2
_MIN_WRAP_WIDTH = 20
_MIN_LINES = 6
_OPEN_MIN_LINES = 4
_OPEN_MIN_WIDTH = 50
# Wrapped lines followed by a blank line, this many at least: a PDF extractor's layout.
_EXTRACTED_MIN = 3
_SHORT_MIN_WIDTH = 40
# A line this long that stops without punctuation, after a full stop, was cut by a page break.
_PAGE_BREAK_MIN = 60
# A line this wide, ending on a letter, with a sentence's end on the next (no longer) line.
_CLAUSE_MIN = 24


def char_width(char: str) -> int:
    """Columns in a fixed-width Japanese layout: wide, full-width and ambiguous count 2."""
    if char == "\t":
        return 8
    return 2 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 1


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def open_wrap_width(widths: list[int]) -> int:
    """The hard-wrap width shown by the lines that stop mid-sentence, else 0.

    In a mail of short lines (one sentence a line, headings, rules, a footer) few lines
    reach the width, but every line a wrap cut does: most of those ending near one width
    of at least `_OPEN_MIN_WIDTH` columns (wider than a heading) show the wrap.
    """
    ordered = sorted(w for w in widths if w > 0)
    if len(ordered) < _OPEN_MIN_LINES:
        return 0
    width = ordered[int(len(ordered) * 0.9)]
    near = sum(1 for w in ordered if width - _tolerance(width) <= w <= width + 2)
    return width if width >= _OPEN_MIN_WIDTH and near >= 0.6 * len(ordered) else 0


def extracted_layout(lines: list[str], widths: dict[str, int]) -> bool:
    """A PDF extractor's text: lines cut by the wrap, each followed by a blank line."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    used = {i: widths[lines[i]] if lines[i] in widths else display_width(lines[i])
            for i in filled}
    width = wrap_width(list(used.values()))
    if not width:
        return False
    cut = blank_after = 0
    for i in filled:
        if ends_sentence(lines[i].strip()) or used[i] < width - _tolerance(width):
            continue
        cut += 1
        blank_after += i + 1 < len(lines) and not lines[i + 1].strip()
    return blank_after >= _EXTRACTED_MIN and 2 * blank_after >= cut


def wrap_width(widths: list[int]) -> int:
    """The hard-wrap width if many lines end near one width, else 0."""
    ordered = sorted(w for w in widths if w > 0)
    if len(ordered) < _MIN_LINES:
        # Too few lines for a distribution; two wide lines ending together still show one.
        top = ordered[-1] if ordered else 0
        near = sum(1 for w in ordered if w >= top - _tolerance(top))
        return top if top >= _SHORT_MIN_WIDTH and near >= 2 else 0
    width = ordered[int(len(ordered) * 0.9)]
    tolerance = _tolerance(width)
    near = sum(1 for w in ordered if width - tolerance <= w <= width + 2)
    return width if width >= _MIN_WRAP_WIDTH and near >= 0.4 * len(ordered) else 0


def is_block_start(line: str) -> bool:
    """A list item, a heading marker or a table row: it starts its own line."""
    return bool(_LIST.match(line)) or is_table_row(line)


def marker_width(line: str) -> int:
    """Columns taken by a list or heading marker at the line's start (`・`, `■`, `1. `), or 0."""
    match = _MARKER.match(line)
    return display_width(match.group()) if match else 0


def is_section_number(line: str) -> bool:
    """`1.2 見出し`: a numbered heading (or a version number a wrap put first)."""
    return bool(_SECTION_NUMBER.match(line))


def is_table_row(line: str) -> bool:
    return bool(_TABLE.search(line))


def ends_sentence(line: str) -> bool:
    return line.rstrip(CLOSERS).endswith(tuple(TERMINALS)) or line.endswith(tuple(TERMINALS))


def kinsoku_join(line: str, following: str) -> bool:
    """The break between `line` and `following` breaks a line-end or line-start rule.

    A ・ ending a line after a word (`ジル・` + `バイデン`) joins two parts of a name.
    """
    return (line[-1:] in _NO_END or following[:1] in _NO_START or is_closing_only(following)
            or (line.endswith("・") and chars.is_japanese(line[-2:-1])))


def is_closing_only(line: str) -> bool:
    """Punctuation that ends what the line above says (`。` or `:` alone on a line, where a
    mailer knew no line-start rule)."""
    return bool(_CLOSING_ONLY.match(line))


def is_full(width_used: int, line: str, following: str, width: int) -> bool:
    """Was `line` ended by the wrap width: near it, or with no room for the next word?

    Near: within the tolerance `wrap_width` allowed, since proportional fonts (a PDF's text)
    fill lines unevenly.
    """
    return (width_used >= width - _tolerance(width)
            or not would_have_fit(width_used, line, following, width))


def _tolerance(width: int) -> int:
    return max(4, width // 8)


def would_have_fit(width_used: int, line: str, following: str, width: int) -> bool:
    """Had there been room for `following`'s first word at the end of `line`?"""
    unit = _FIRST_UNIT.match(following)
    gap = 1 if line[-1:].isascii() and following[:1].isascii() else 0
    return width_used + gap + display_width(unit.group() if unit else "") <= width - _SLACK


def dot_continues(line: str, following: str) -> bool:
    """`…ジル` + `・バイデン夫人の…`: a ・ between katakana words, not a list item, when a
    full line ends on katakana (layouts that ignore the rule against ・ at a line's start)."""
    return following.startswith("・") and bool(_KATAKANA_END.search(line))


def clause_goes_on(line: str, following: str) -> bool:
    """A clause cut mid-way: `…によると、工場の新設が相次` + `いでいる。`."""
    # A wrapped line is as long as the line after it or longer; a heading is usually shorter
    # than the paragraph under it (and headlines end on particles: `…過去最多に`).
    width = display_width(line)
    if not line[-1:].isalnum() or width < display_width(following):
        return False
    if "、" in line or (line[-1] in _PARTICLE_END and len(line) >= 8):
        return True
    return width >= _CLAUSE_MIN and following.rstrip(CLOSERS).endswith("。")


def page_break(length: int, has_full_stop: bool, first: str) -> bool:
    """A paragraph this long, with a full stop in it, stopped mid-sentence: a page break."""
    return length >= _PAGE_BREAK_MIN and has_full_stop and not first.startswith("- ")


def base_indent(indents: list[int]) -> int:
    """The indentation most lines share (first-line indents and quotes are deeper)."""
    counts = Counter(indents)
    return counts.most_common(1)[0][0] if counts else 0


def join_pieces(pieces: list[str]) -> str:
    """Rejoin wrapped pieces: Japanese needs no space at a wrap; words in Latin script do."""
    out: list[str] = []
    for piece in pieces:
        # A URL has no space in it: a piece ending inside one goes on with the next piece.
        if out and chars.latin_words_meet(out[-1], piece) and not _URL_END.search(out[-1]):
            out.append(" ")
        out.append(piece)
    return "".join(out)


_URL_END = re.compile(r"https?://[!-~]*$")
