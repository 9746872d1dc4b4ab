"""Furniture around a text file's text: rules, a mail magazine's footer, section heads set
between rules, and running headers and footers of a paged document. Pure.

Each rule is shown by the document's own structure, never by a line's length alone:

- a rule is a line made only of rule characters (━━━, ───, ＝＝＝, -----, ***), or a cut
  line (`----->8-----`, `✂`, `切り取り線`): it separates blocks, so it ends the paragraph above it;
- the footer of a mail magazine is the block after the last rule that has lines after it,
  when most of its lines carry a footer's labels (発行：, 配信停止, 登録解除, お問い合わせ,
  送信専用, Copyright, (C)): the block goes, whatever else it says; without such a block,
  the lines at the very end that carry labels (or are a bare URL or address) go, if two
  labels at least show them to be a footer;
- a section head is a short line that is not a sentence, set between two rules, or marked
  (■◆◇▼【) with a rule right above or below it, or drawn into a rule (`━━ ■今週の話題 ━━`):
  a new article starts there;
- a running header or footer is a line repeated on several pages of a paged document: seen
  at least three times, each time next to a page boundary (a page number, a form feed, the
  document's first or last line). A line that merely repeats (`すか?` at the end of wrapped
  questions) stays: it is text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from bot.text import artifacts as art
from bot.text.chars import BOX_MARKS

PARAGRAPH_BREAK = "\v"  # a line that ends the paragraph above it (a rule, code, contents)
_RULE_CHARS = frozenset("━─═＝=-－—―ー~～〜*＊_＿+＋#＃・…◆◇■□●○▼▽▲△☆★◎※.:|｜")
_RULE_MIN = 5
# Scissors drawn in a rule (`>8`, `8<`), the scissors symbols and the words for a cut line.
_SCISSORS = re.compile(r">8|8<|[✁✂✃✄]|切り取り線|キリトリ線?|きりとり線?|cut here", re.IGNORECASE)
_FOOTER_LABEL = re.compile(
    r"配信停止|配信解除|購読解除|登録解除|配信先の?変更|送信専用|発行[:：元者人所]|編集[:：]"
    r"|お問い?合わせ|Copyright|\(C\)|©|All Rights Reserved|無断(?:転載|複製)",
    re.IGNORECASE)
_ADDRESS = re.compile(r"^<?(?:https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>?$")
# A head drawn into a rule: `━━━━ ■今週の話題 ━━━━`, `■■■ お知らせ ■■■`, `─── 目次`.
_DRAWN = "━─═＝=\\-－—―~～〜*＊_＿+＋☆★◆◇■□"  # not #: `### 見出し` is Markdown
_RULED_LABEL = re.compile(
    f"^[{_DRAWN}]{{3,}}[ \u3000]*(?P<label>[^ \u3000。]{{1,40}}?)[ \u3000]*(?:[{_DRAWN}]{{3,}})?$")
_LETTER = re.compile(r"[^\W_]")
_HEAD_MARK = re.compile(f"^[{BOX_MARKS}▼▽●【]")
_HEAD_MAX = 40
_RUNNING_MIN = 3
# A running line sits this many non-blank lines from a page boundary at most.
_RUNNING_REACH = 2


def is_rule(line: str) -> bool:
    """A line drawn with one or a few rule characters, at least five long, or a cut line."""
    line = line.strip().replace(" ", "").replace("\u3000", "")
    return ((len(line) >= _RULE_MIN and set(line) <= _RULE_CHARS and len(set(line)) <= 3)
            or is_cut_line(line))


def is_cut_line(line: str) -> bool:
    """A scissors line (`----->8-----`, `---8<---`, `✂`, `--- 切り取り線 ---`): where a mail
    marks the text to cut out, a rule between blocks, never text."""
    text = line.strip()
    rest = _SCISSORS.sub("", text).replace(" ", "").replace("\u3000", "")
    return rest != text.replace(" ", "").replace("\u3000", "") and set(rest) <= _RULE_CHARS


def drop_mail_footer(lines: list[str]) -> list[str]:
    """Remove a mail's footer: the block after the last rule that has text after it, when
    most of its lines carry a footer's labels; else the trailing run of labelled lines
    (and bare addresses) at the document's end, when it holds two labels at least."""
    cut, text_below = None, False
    for index in range(len(lines) - 1, -1, -1):
        rule = is_rule(lines[index])
        if rule and text_below:
            cut = index
            break
        text_below = text_below or (bool(lines[index].strip()) and not rule)
    if cut is not None:
        block = [line.strip() for line in lines[cut + 1 :] if line.strip() and not is_rule(line)]
        labelled = sum(1 for line in block if _FOOTER_LABEL.search(line))
        if labelled >= 2 and 2 * labelled >= len(block):
            return lines[:cut]
    return _drop_labelled_tail(lines)


def _drop_labelled_tail(lines: list[str]) -> list[str]:
    start, labelled = len(lines), 0
    for index in range(len(lines) - 1, -1, -1):
        text = lines[index].strip()
        if text and not is_rule(text) and not (_FOOTER_LABEL.search(text) or _ADDRESS.match(text)):
            break
        labelled += bool(text) and bool(_FOOTER_LABEL.search(text))
        start = index
    return lines[:start] if labelled >= 2 else lines


def mark_sections(lines: list[str]) -> list[str]:
    """Rules become paragraph breaks; a section head between rules gets an article break."""
    above, below = _neighbours(lines)
    out: list[str] = []
    text_above = False  # a head at the top starts the first article: no break needed
    for line, up, down in zip(lines, above, below, strict=True):
        if is_rule(line):
            out.append(PARAGRAPH_BREAK)
            continue
        ruled = _RULED_LABEL.match(line.strip())
        if ruled and _LETTER.search(ruled.group("label")):
            line = ruled.group("label")
        else:
            ruled = None
        if text_above and (ruled or _is_section_head(line, up, down)):
            out.append(art.ARTICLE_BREAK)
        text_above = text_above or bool(line.strip())
        out.append(line)
    return out


def _neighbours(lines: list[str]) -> tuple[list[str], list[str]]:
    """Per line, the nearest non-blank line above and below it ('' at the ends). Linear."""
    above, below = [""] * len(lines), [""] * len(lines)
    last = ""
    for index, line in enumerate(lines):
        above[index] = last
        last = line if line.strip() else last
    last = ""
    for index in range(len(lines) - 1, -1, -1):
        below[index] = last
        last = lines[index] if lines[index].strip() else last
    return above, below


def _is_section_head(line: str, above: str, below: str) -> bool:
    text = line.strip()
    # Columns set apart by wide gaps make a table's row, drawn between rules too.
    if (not text or len(text) > _HEAD_MAX or text.endswith(tuple("。．.")) or "。" in text
            or re.search(r"\S(?: {2,}|\u3000{2,}|\t)\S", text)):
        return False
    framed = is_rule(above) and is_rule(below)
    return framed or (bool(_HEAD_MARK.match(text)) and (is_rule(above) or is_rule(below)))


def drop_running_lines(lines: list[str], is_page_mark: Callable[[str], bool],
                       may_run: Callable[[str], bool]) -> list[str]:
    """Drop lines repeated next to page boundaries on several pages (see the docstring).

    `is_page_mark`: a page number or form feed line; `may_run`: a line that could be a
    running header at all (short, not a sentence). Linear in the number of lines.
    """
    texts = [line.strip() for line in lines]
    counts = Counter(texts)
    candidates = {t for t, n in counts.items() if n >= _RUNNING_MIN and t and may_run(t)}
    if not candidates:
        return lines
    near = _near_page_boundary(lines, is_page_mark)
    beside = Counter(t for t, close in zip(texts, near, strict=True) if close and t in candidates)
    running = {t for t in candidates if beside[t] == counts[t]}
    return [line for line, t in zip(lines, texts, strict=True) if t not in running]


def _near_page_boundary(lines: list[str], is_page_mark: Callable[[str], bool]) -> list[bool]:
    """Per line: within `_RUNNING_REACH` non-blank lines of a page mark or the document's end."""
    filled = [i for i, line in enumerate(lines) if line.strip() or "\f" in line]
    marks = {rank for rank, i in enumerate(filled) if is_page_mark(lines[i])}
    if not marks:
        return [False] * len(lines)
    ends = {-1, len(filled)}
    near = [False] * len(lines)
    for rank, i in enumerate(filled):
        span = range(rank - _RUNNING_REACH, rank + _RUNNING_REACH + 1)
        near[i] = any(r in marks or r in ends for r in span if r != rank)
    return near
