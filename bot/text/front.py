"""The front of a plain-text document: its colophon, and a title set apart below a cut line. Pure.

- A colophon line is a copyright notice (`Copyright (C) 2001 …`, `(c) 2001 …`, `© …`) or a
  licence notice (`改変しない限り再配布は自由です`, `無断転載を禁じます`): a line without a
  full stop that grants or forbids copying, set next to a copyright notice (alone, a
  `無断転載` notice or `All Rights Reserved` is one too). It is furniture, not a sentence.
- A mailed document often opens with a short covering note, then a rule or cut line, then
  the document itself, whose title block is set apart: a short line, indented, right under
  the rule, with the document's address or its copyright notice right under it. That line
  is the document's title: it heads the document (the note stays, as its first text).
"""

from __future__ import annotations

import re

from bot.text import artifacts as art
from bot.text.chars import SENTENCE_ENDS
from bot.text.furniture import PARAGRAPH_BREAK, is_rule

_COPYRIGHT = re.compile(r"^(?:copyright\b|©|\(c\)\s*(?:\d{4}|[A-Z]))", re.IGNORECASE)
_LICENCE = re.compile(
    r"(?:再配布|配布|転載|複製|改変|引用).{0,12}(?:自由|禁|可能|できます|許可|許諾|ご遠慮)")
_NOTICE = re.compile(r"無断(?:転載|複製|転用)|All Rights Reserved", re.IGNORECASE)
_NOTICE_MAX = 60
_TITLE_MAX = 40
# The rule above a title block sits this near the top (a covering note is a few lines).
_FRONT_LINES = 8


def is_copyright(line: str) -> bool:
    text = line.strip()
    return bool(_COPYRIGHT.match(text)) and "。" not in text and len(text) <= _NOTICE_MAX * 2


def drop_colophon(lines: list[str]) -> list[str]:
    """Copyright and licence notices become paragraph breaks (see the module docstring)."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    notices = {i for i in filled if is_copyright(lines[i])}
    out = list(lines)
    for rank, i in enumerate(filled):
        text = lines[i].strip()
        if "。" in text or len(text) > _NOTICE_MAX:
            continue
        beside = {filled[r] for r in (rank - 1, rank + 1) if 0 <= r < len(filled)}
        licence = bool(_LICENCE.search(text)) and bool(beside & notices)
        if i in notices or licence or _NOTICE.search(text):
            out[i] = PARAGRAPH_BREAK
    return out


def title_to_front(lines: list[str]) -> list[str]:
    """A title block set apart below a rule near the top heads the document (see the module
    docstring); without one, the lines as they were."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    for rank, i in enumerate(filled[:_FRONT_LINES]):
        if rank == 0 or not is_rule(lines[i]) or rank + 2 >= len(filled):
            continue
        title, below = filled[rank + 1], lines[filled[rank + 2]].strip()
        if _is_title(lines[title]) and (art.is_bare_url(below) or is_copyright(below)):
            return [lines[title].strip(), PARAGRAPH_BREAK, *lines[:title], *lines[title + 1 :]]
        return lines
    return lines


def _is_title(line: str) -> bool:
    """Short, indented, with words, and not a sentence."""
    text = line.strip()
    return (line[:1] in (" ", "\t", "\u3000") and 0 < len(text) <= _TITLE_MAX
            and not text.endswith(tuple(SENTENCE_ENDS + "．.、:：")) and not is_rule(text)
            and not art.is_bare_url(text) and any(c.isalnum() for c in text))
