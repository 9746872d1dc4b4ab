"""HTML → the page's main text, headline first. Pure (stdlib parser, no network, no scripts).

Main text: inside <main>/<article> when the page has them, never inside navigation, headers,
footers, scripts, forms, or cookie and consent banners (recognised by id/class/role).
"""

from __future__ import annotations

import re
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


class _Extractor(HTMLParser):
    def __init__(self, main_only: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.main_only = main_only
        self.parts: list[str] = []
        self.title = ""
        self.h1 = ""
        # Open elements: (tag, hides its content, is main content).
        self._open: list[tuple[str, bool, bool]] = []

    def _hidden(self) -> bool:
        return any(hide for _, hide, _ in self._open)

    def _in_main(self) -> bool:
        return not self.main_only or any(main for _, _, main in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        marks = " ".join(v or "" for k, v in values.items() if k in ("id", "class"))
        hide = (tag in _SKIP_TAGS or bool(_BANNER.search(marks))
                or (values.get("role") or "") in _SKIP_ROLES
                or "hidden" in values or values.get("aria-hidden") == "true")
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li" and not self._hidden():
            self.parts.append("- ")
        if tag not in _VOID_TAGS:
            self._open.append((tag, hide, tag in ("main", "article")))

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                del self._open[depth:]  # also closes elements the page left open
                break

    def handle_data(self, data: str) -> None:
        tags = [tag for tag, _, _ in self._open]
        if "title" in tags:
            self.title += data
        elif not self._hidden():
            if "h1" in tags:
                self.h1 += data
            if self._in_main():
                self.parts.append(data)


def html_to_text(html: str) -> str:
    """HTML → main text with the page title (h1, else <title>) as its first line."""
    parser = _Extractor(main_only=bool(re.search(r"<(main|article)[\s>]", html, re.I)))
    parser.feed(html)
    parser.close()
    lines = [re.sub(r"\s+", " ", line).strip() for line in "".join(parser.parts).split("\n")]
    body = "\n".join(line for line in lines if line)
    title = re.sub(r"\s+", " ", parser.h1 or parser.title).strip()
    if title and not body.startswith(title):
        body = f"{title}\n{body}"
    return body
