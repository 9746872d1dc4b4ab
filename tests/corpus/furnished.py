"""Layouts that come with furniture around the text: a mail magazine (rules, a masthead,
section heads, hanging indents, a footer) and a manual with a table of contents.

Built from the same gold blocks as every other layout (tests/corpus/layouts.py); what is
added here is never text, and `layouts.JUNK` matches all of it.
"""

from __future__ import annotations

from tests.corpus.layouts import Block, display_width, wrap_line

HEAVY, LIGHT, DOUBLE = "━", "─", "＝"
MAIL_FOOTER = (
    "発行：架け橋編集部（https://example.jp/）",
    "お問い合わせ：info@example.jp",
    "配信停止はこちら：https://example.jp/mail/stop",
    "登録解除・配信先の変更：https://example.jp/mail/change",
    "このメールは送信専用のアドレスから配信しています。ご返信いただいてもお答えできません。",
    "Copyright (C) 2026 架け橋編集部 All Rights Reserved.",
)
# The widths Japanese mail is wrapped at, in full-width columns.
MAIL_COLUMNS = range(30, 41)


def mail_magazine(blocks: list[Block], columns: int, kinsoku: bool = True) -> str:
    """A mail magazine: one sentence a line (as mail is written), wrapped at `columns`
    full-width columns; the first heading boxed as the masthead; 【】 heads on their own, ■
    heads drawn into a rule, other heads between rules; list items with a hanging indent; a
    labelled footer."""
    width = 2 * columns
    out = [DOUBLE * columns, "\u3000" + blocks[0].text, DOUBLE * columns, ""]
    for block in blocks[1:]:
        if block.kind == "heading":
            out += _mail_heading(block.text, columns)
        elif block.kind == "item":
            out += _hanging(block.text, width, kinsoku)
        elif block.kind == "code":
            out += ["", *block.units, ""]
        else:
            for unit in block.units:
                out += wrap_line(unit, width, words_whole=True, kinsoku=kinsoku)
            out.append("")
    out += ["", HEAVY * columns, *MAIL_FOOTER, HEAVY * columns]
    return "\n".join(out) + "\n"


def _mail_heading(text: str, columns: int) -> list[str]:
    """【】 heads stand alone, ■ heads are drawn into a rule, other heads sit between rules."""
    if text.startswith("【"):
        return ["", text, ""]
    if text.startswith("■"):
        side = HEAVY * max(3, (columns - len(text)) // 2 - 1)
        return ["", f"{side} {text} {side}", ""]
    rule = LIGHT * columns if text.startswith("◆") else HEAVY * columns
    return ["", rule, text, rule, ""]


def _hanging(text: str, width: int, kinsoku: bool) -> list[str]:
    """`・項目…` / `1. 項目…` with the lines after the first set under the item's text."""
    marker = text[: text.index(" ") + 1] if text[:1].isdigit() else text[:1]
    indent = "\u3000" if display_width(marker) == 2 else " " * display_width(marker)
    lines = wrap_line(text, width, words_whole=True, kinsoku=kinsoku)
    if len(lines) < 2:
        return lines
    rest = wrap_line(text[len(lines[0]):].lstrip(" "), width - display_width(indent),
                     words_whole=True, kinsoku=kinsoku)
    return [lines[0], *(indent + line for line in rest)]


def lone_stops(text: str) -> int:
    """Lines holding only a full stop (what a mailer without kinsoku leaves)."""
    return sum(1 for line in text.split("\n") if line.strip() == "。")


def nokinsoku_mail(blocks: list[Block]) -> str:
    """The mail magazine wrapped by a mailer without line-start rules, at the width (among
    those mail uses) that leaves the most 。 alone on a line."""
    texts = [mail_magazine(blocks, columns, kinsoku=False) for columns in MAIL_COLUMNS]
    return max(texts, key=lone_stops)


_LEADERS = ("…" * 12, " " + "." * 16 + " ", "・" * 10, "     ")


def with_contents(blocks: list[Block], body: str) -> str:
    """`body` under a table of contents of its headings: dotted leaders, page numbers."""
    lines = ["【目次】", ""]
    for index, block in enumerate(b for b in blocks if b.kind == "heading"):
        leader = _LEADERS[index % len(_LEADERS)]
        lines.append(f"{block.text}{leader}{3 + 2 * index}")
    return "\n".join(lines) + "\n\n" + body
