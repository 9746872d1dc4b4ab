"""Telegram's HTML rules, as its Bot API applies them to parse_mode=HTML messages."""

from __future__ import annotations

from html.parser import HTMLParser

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                "blockquote", "span", "tg-spoiler", "tg-emoji"}
LIMIT = 4096


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> not allowed")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unbalanced </{tag}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def telegram_html_problems(message: str) -> list[str]:
    """Why Telegram would reject `message` (empty list: it would be accepted)."""
    checker = _Checker()
    checker.feed(message)
    checker.close()
    problems = list(checker.problems)
    if checker.stack:
        problems.append(f"unclosed <{checker.stack[-1]}>")
    visible = "".join(checker.text)
    if not visible.strip():
        problems.append("message is empty")
    # Telegram counts UTF-16 code units: a character outside the BMP (𠮷, most emoji) is two.
    units = len(visible.encode("utf-16-le", "surrogatepass")) // 2
    if units > LIMIT:
        problems.append(f"message is {units} UTF-16 units after parsing (limit {LIMIT})")
    return problems
