"""HTML → the page's main text, headline first. Pure (stdlib parser, no network, no scripts).

Main text: inside <main>/<article> when the page has them, never inside navigation, headers,
footers, scripts, forms, or cookie and consent banners (recognised by id/class/role).

Lines: one per block element (p, li, h1…, br…). A line break in the page's source inside a
block is white space, as a browser renders it (CSS Text, segment breaks): nothing between two
East Asian wide characters (`相次\nいで` → `相次いで`), one space otherwise (`Debian\nディ…`
→ `Debian ディ…`). Only <pre> keeps its source lines. Linear in the size of the page.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from html.parser import HTMLParser

_SKIP_TAGS = frozenset({"script", "style", "nav", "footer", "header", "aside", "noscript",
                        "form", "svg", "template", "iframe", "button", "select"})
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
                         "section", "article", "main", "blockquote", "pre", "table", "ul", "ol",
                         "dd", "dt", "figure", "figcaption"})
_VOID_TAGS = frozenset({"br", "img", "meta", "link", "input", "hr", "source", "wbr", "area",
                        "base", "col", "embed", "track"})
_BANNER = re.compile(r"cookie|consent|gdpr|banner|advert|\bads?\b|share|social|breadcrumb"
                     r"|related|recommend|newsletter|subscribe|modal|popup", re.IGNORECASE)
_SKIP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "dialog",
                         "alertdialog", "search"})
# Stands for a source line break until the text on both sides of it is known.
_SOFT = "\ue001"
_SOURCE_BREAK = re.compile(r"[ \t\r\f]*\n\s*")
_SOFT_RUN = re.compile(f"[ \\t]*{_SOFT}[ \\t{_SOFT}]*")


def _wide(char: str) -> bool:
    """East Asian wide or full-width, and not Hangul (which is written with spaces)."""
    return (unicodedata.east_asian_width(char) in ("W", "F", "H")
            and not "\uac00" <= char <= "\ud7af" and not "\u1100" <= char <= "\u11ff")


def resolve_breaks(text: str) -> str:
    """Source line breaks (`_SOFT`) → nothing between two wide characters, else a space."""
    def replace(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() else " "
        after = text[match.end()] if match.end() < len(text) else " "
        return "" if _wide(before) and _wide(after) else " "

    return _SOFT_RUN.sub(replace, text)


def _kinds(tag: str, hide: bool, main: bool) -> list[str]:
    """What an open element counts towards: its tag, and hidden or main content."""
    return [tag] + (["hidden"] if hide else []) + (["main"] if main else [])


class _Extractor(HTMLParser):
    def __init__(self, main_only: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.main_only = main_only
        self.parts: list[str] = []
        self.title: list[str] = []
        self.h1: list[str] = []
        # Open elements: (tag, hides its content, is main content), and how many of each
        # kind are open, so that every piece of text is placed in constant time.
        self._open: list[tuple[str, bool, bool]] = []
        self._count: Counter[str] = Counter()

    def _push(self, tag: str, hide: bool, main: bool) -> None:
        self._open.append((tag, hide, main))
        self._count.update(_kinds(tag, hide, main))

    def _pop_to(self, depth: int) -> None:
        for tag, hide, main in self._open[depth:]:
            self._count.subtract(_kinds(tag, hide, main))
        del self._open[depth:]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        marks = " ".join(v or "" for k, v in values.items() if k in ("id", "class"))
        hide = (tag in _SKIP_TAGS or bool(_BANNER.search(marks))
                or (values.get("role") or "") in _SKIP_ROLES
                or "hidden" in values or values.get("aria-hidden") == "true")
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li" and not self._count["hidden"]:
            self.parts.append("- ")
        if tag not in _VOID_TAGS:
            self._push(tag, hide, tag in ("main", "article"))

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if not self._count[tag]:
            return
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                self._pop_to(depth)  # also closes elements the page left open
                break

    def handle_data(self, data: str) -> None:
        data = data.replace(_SOFT, "")
        if not self._count["pre"]:
            data = _SOURCE_BREAK.sub(_SOFT, data)
        if self._count["title"]:
            self.title.append(data)
        elif not self._count["hidden"]:
            if self._count["h1"]:
                self.h1.append(data)
            if not self.main_only or self._count["main"]:
                self.parts.append(data)


def html_to_text(html: str) -> str:
    """HTML → main text with the page title (h1, else <title>) as its first line."""
    parser = _Extractor(main_only=bool(re.search(r"<(main|article)[\s>]", html, re.I)))
    parser.feed(html)
    parser.close()
    text = resolve_breaks("".join(parser.parts))
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.split("\n")]
    body = "\n".join(line for line in lines if line)
    title = re.sub(r"\s+", " ", resolve_breaks("".join(parser.h1 or parser.title))).strip()
    if title and not body.startswith(title):
        body = f"{title}\n{body}"
    return body
