"""Telegram's measure of a message and the cutting of a digest into numbered parts. Pure.

Telegram's limit (4096) counts the text a message shows once its HTML is parsed, in UTF-16
code units: tags and link targets cost nothing, `&amp;` costs one, and a character outside
the Basic Multilingual Plane (𠮷, 𩸽, most emoji) costs two. Counting code points lets a
message of such characters grow to 4,800 units, and Telegram refuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

TELEGRAM_LIMIT = 4096
SEPARATOR = "\n\n"
# Renders the header of part `part` of `total`.
Header = Callable[[int, int], str]
# Renders the digest's blocks so that each fits `budget` units.
Blocks = Callable[[int], list[str]]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def units(text: str) -> int:
    """`text`'s length in UTF-16 code units, as Telegram counts it."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def visible_text(html: str) -> str:
    """The text a Telegram HTML message shows: tags dropped, entities decoded."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def telegram_length(html: str) -> int:
    """What Telegram counts against its limit: UTF-16 units of the text after parsing."""
    return units(visible_text(html))


def clip_units(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-16 units, marked with "…" where it was cut."""
    if units(text) <= limit:
        return text
    kept, used = [], 1  # the "…"
    for char in text:
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def pack(blocks: list[str], budget: int) -> list[str]:
    """Blocks joined into as few messages as keep each within `budget` units, in order."""
    messages: list[str] = []
    for block in blocks:
        joined = messages[-1] + SEPARATOR + block if messages else ""
        if messages and telegram_length(joined) <= budget:
            messages[-1] = joined
        else:
            messages.append(block)
    return messages


def numbered_parts(header: Header, blocks: Blocks, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The digest as messages of at most `limit` units, each led by its header ("2/6").

    The header's length depends on the number of parts, which depends on the room the
    header leaves: guess, pack, and pack again until the count's digits stop changing.
    """
    total = 1
    while True:
        budget = limit - telegram_length(header(total, total) + SEPARATOR)
        bodies = pack(blocks(budget), budget)
        if len(str(len(bodies))) <= len(str(total)):
            count = len(bodies)
            return [header(part, count) + SEPARATOR + body
                    for part, body in enumerate(bodies, start=1)]
        total = len(bodies)
