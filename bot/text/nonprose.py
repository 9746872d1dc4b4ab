"""Lines that are not prose: code and commands, a table of contents, table cells, box tables
and diagrams drawn with characters. Pure.

None is ever joined to prose or to each other, and none is text to translate: a command
keeps its meaning only verbatim, a contents line repeats a heading with its page number, a
cell is a fragment. Each is recognised from what the lines are made of:

- code: a shell or console prompt (`$ `, `C:\\>`, `PS>`, and `# `/`% `/`> ` before a line in
  Latin script), or a line in Latin script that holds code punctuation (= { } [ ] < > \\ `, or
  ends with ;) and is not a URL, or a line in Latin script indented four columns deeper than
  the text;
- contents: a line that ends in a page number after a leader (……, ‥‥, ...., ・・・, a wide
  gap), or a numbered heading (第1章, 1.2) followed by a page number; and the `目次` line
  heading them;
- table cells, in a page layout's text only: three or more lines in a row, each a few
  characters with no punctuation (`サイ`, `ズ`, `価格`, `100円`): a table's cells one per line,
  words cut by a narrow column. Running text wrapped on a page is never that short;
- a box table or a diagram, in any layout (`drawn_lines`): a mail draws both by hand.
"""

from __future__ import annotations

import re

from bot.text import artifacts as art
from bot.text.furniture import is_rule

_PROMPT = re.compile(r"^(?:\$|[A-Za-z]:\\[^>\s]*>|PS(?: [^>]*)?>)(?:\s|$)")
_LATIN_PROMPT = re.compile(r"^[#%>]\s+[!-~]")
# `|` and `:` are left out: a page title (`Tech news | Example`) or `Reference(s):` has them.
_CODE_PUNCTUATION = re.compile(r"[={}\[\]<>\\`]|;$")
_LEADER = re.compile(r"(?:…{2,}|‥{2,}|\.{3,}|・{3,}|･{3,}|[-－]{3,})\s*\d{1,4}$")
# A wide gap before the page number is a leader only where it is the line's one gap (a table
# row has several).
_GAP = re.compile(r"\S\s{3,}\d{1,4}$")
_GAPS = re.compile(r"\S\s{2,}(?=\S)")
_NUMBERED = re.compile(
    r"^(?:第[\d一二三四五六七八九十]+[章節部編]|\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}\.)\s*\S"
    r".*\s(?:p\.?\s?)?\d{1,4}$")
_CONTENTS_HEAD = re.compile(r"^(?:目\s*次|もくじ|Contents|CONTENTS|Table of Contents)$")
_CONTENTS_MAX = 80
# What a contents head is drawn with: `【目次】`, `━━ 目次 ━━`, `■目次`.
_DRAWN = " \u3000━─═＝=-－—―~～〜*＊_＿+＋#＃☆★◆◇■□●【】[]［］〔〕<>＜＞"
_CODE_INDENT = 4
_CELL_MAX = 8
_CELLS_MIN = 3
_CELL_PUNCTUATION = re.compile(r"[。、!?！？「」・■●◆※]")


def is_code_line(line: str, base_indent: int = 0) -> bool:
    """A command or a line of code (see the module docstring); `line` as written, indented."""
    text = line.strip()
    if not text:
        return False
    if _PROMPT.match(text):
        return True
    if not text.isascii() or art.is_bare_url(text):
        return False
    indent = len(line) - len(line.lstrip())
    return (bool(_LATIN_PROMPT.match(text)) or bool(_CODE_PUNCTUATION.search(text))
            or indent >= base_indent + _CODE_INDENT)


def is_contents_line(line: str) -> bool:
    """A table-of-contents entry: a heading, a leader or a gap, and a page number."""
    text = line.strip()
    if not text or len(text) > _CONTENTS_MAX or "。" in text:
        return False
    if not re.search(r"\D", text[:2]):  # a number first: a table row or a figure
        return False
    gap = bool(_GAP.search(text)) and len(_GAPS.findall(text)) == 1
    return bool(_LEADER.search(text)) or gap or bool(_NUMBERED.match(text))


def is_contents_head(line: str, following: str) -> bool:
    """`目次` (plain, bracketed or drawn into a rule) above a contents entry."""
    return bool(_CONTENTS_HEAD.match(line.strip(_DRAWN))) and is_contents_line(following)


def table_cells(lines: list[str]) -> list[bool]:
    """Per line: part of a run of table cells (see the module docstring). Linear."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    short = [_is_cell(lines[i]) for i in filled]
    flags = [False] * len(lines)
    start = 0
    for end in range(len(filled) + 1):
        if end == len(filled) or not short[end]:
            if end - start >= _CELLS_MIN:
                for rank in range(start, end):
                    flags[filled[rank]] = True
            start = end + 1
    return flags


def _is_cell(line: str) -> bool:
    text = line.strip()
    return len(text) <= _CELL_MAX and not _CELL_PUNCTUATION.search(text)


# A box drawn in ASCII (`+-----+-----+`) or with box-drawing characters (┌──┬──┐, ├──┼──┤).
_BOX_BORDER = re.compile(r"^(?:\+(?:[-=]+\+)+|[┌├└┏┣┗╔╠╚][\u2500-\u257f ]*)$")
_BOX_ROW = re.compile(r"^[|│┃║].*[|│┃║]")
_BOX_MIN = 2
# What a diagram is drawn with: ASCII arrows and connectors, and the arrows block (↑↓→⇒…).
_DRAWN_CHARS = re.compile(r"[-=<>|^_/\\\u2190-\u21ff│─]")
_DRAWN_MIN = 2


def drawn_lines(lines: list[str]) -> list[bool]:
    """Per line: part of a box table or a diagram drawn with characters. Linear.

    A box is a run of two or more lines, each a border (`+---+---+`, ┌─┬─┐) or a row between
    bars (`|cell |cell |`), with a border among them: its cells are wrapped inside the box, so
    no row is a sentence. A diagram line is drawn more than written (half its characters or
    more are arrows and connectors: `------> 5.0`, `↑↓交流`, `|      |`); the labels set
    between such lines (`4.0.1   4.0.2`) go with them when the block (lines between blank
    ones) has no full stop and at least half its lines are drawn."""
    flags = _boxes(lines)
    start = 0
    for end in range(len(lines) + 1):
        if end < len(lines) and lines[end].strip():
            continue
        block = range(start, end)
        drawn = [i for i in block if _is_drawing(lines[i])]
        prose = any("。" in lines[i] for i in block)
        whole = bool(drawn) and not prose and 2 * len(drawn) >= len(block)
        for i in block if whole else drawn:
            flags[i] = True
        start = end + 1
    return flags


def _boxes(lines: list[str]) -> list[bool]:
    texts = [line.strip() for line in lines]
    flags = [False] * len(lines)
    start = 0
    for end in range(len(texts) + 1):
        if end < len(texts) and (_BOX_BORDER.match(texts[end]) or _BOX_ROW.match(texts[end])):
            continue
        run = range(start, end)
        if len(run) >= _BOX_MIN and any(_BOX_BORDER.match(texts[i]) for i in run):
            for i in run:
                flags[i] = True
        start = end + 1
    return flags


def _is_drawing(line: str) -> bool:
    chars = [c for c in line if not c.isspace()]
    # A rule or a page number (`- 3 -`) is drawn too, but it is furniture's: it separates
    # blocks, frames heads, marks the pages running headers are told by.
    if (len(chars) < _DRAWN_MIN or "。" in line or is_rule(line)
            or art.is_page_number(line.strip())):
        return False
    return 2 * sum(1 for c in chars if _DRAWN_CHARS.match(c)) >= len(chars)
