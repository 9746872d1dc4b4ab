"""HTML → a tree of elements and text, built with the stdlib parser as a browser would repair
the markup that matters for reading: unclosed <p>, <li>, <dt>/<dd>, table cells and ruby
parts are closed by what follows them, an end tag closes the elements left open inside it,
and a stray end tag is ignored. XHTML (`<br />`, an XML declaration, CDATA) reads the same.

Every walk over the tree is iterative: a hostile page nests tens of thousands of elements.
Linear in the size of the page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_TAGS = frozenset({"br", "img", "meta", "link", "input", "hr", "source", "wbr", "area",
                       "base", "col", "embed", "track", "param", "keygen"})
# A new one of these ends an open <p> (HTML's "closes a p element in button scope").
_P_CLOSERS = frozenset({"address", "article", "aside", "blockquote", "details", "div", "dl",
                        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
                        "h4", "h5", "h6", "header", "hr", "main", "menu", "nav", "ol", "p",
                        "pre", "section", "table", "ul"})
# What a new element closes when one is open, and which open elements stop the search.
_IMPLIED_ENDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "menu"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "tr": (frozenset({"tr", "td", "th"}), frozenset({"table", "thead", "tbody", "tfoot"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "rt": (frozenset({"rb", "rt", "rp"}), frozenset({"ruby"})),
    "rp": (frozenset({"rb", "rt", "rp"}), frozenset({"ruby"})),
    "rb": (frozenset({"rb", "rt", "rp"}), frozenset({"ruby"})),
    "option": (frozenset({"option"}), frozenset({"select", "datalist"})),
}
_SCOPE = frozenset({"html", "body", "table", "td", "th", "caption", "template", "button",
                    "object", "marquee", "applet"})


@dataclass(eq=False)
class Node:
    """An element: its tag, attributes (first of each name wins, names lower case), and its
    children in page order (elements and text). Built once by `parse_html`, then only read."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    def get(self, name: str) -> str:
        """The attribute's value, or "" when the element has none."""
        return self.attrs.get(name, "")


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self._open: list[Node] = [self.root]
        self._count: Counter[str] = Counter()  # open elements by tag: end tags in O(1)

    def _close_to(self, depth: int) -> None:
        for node in self._open[depth:]:
            self._count[node.tag] -= 1
        del self._open[depth:]

    def _close_implied(self, tag: str) -> None:
        if tag in _P_CLOSERS and self._count["p"]:
            self._close_nearest(frozenset({"p"}), _SCOPE)
        if tag in _IMPLIED_ENDS:
            self._close_nearest(*_IMPLIED_ENDS[tag])
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6") and self._open[-1].tag[:1] == "h" \
                and self._open[-1].tag[1:].isdigit():
            self._close_to(len(self._open) - 1)  # headings do not nest

    def _close_nearest(self, tags: frozenset[str], stops: frozenset[str]) -> None:
        if not any(self._count[tag] for tag in tags):
            return
        for depth in range(len(self._open) - 1, 0, -1):
            tag = self._open[depth].tag
            if tag in tags:
                self._close_to(depth)
                return
            if tag in stops or tag in _SCOPE:
                return

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")
        node = Node(tag, values)
        self._open[-1].children.append(node)
        if tag == "img" and (char := gaiji(values.get("alt", ""))):
            self.handle_data(char)
        if tag not in VOID_TAGS:
            self._open.append(node)
            self._count[tag] += 1

    def handle_endtag(self, tag: str) -> None:
        if not self._count[tag]:
            return  # a stray end tag: browsers ignore it
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                self._close_to(depth)  # also closes what the page left open inside it
                return

    def handle_data(self, data: str) -> None:
        children = self._open[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


# A character that had no code point in the page's encoding, drawn as an image whose alt text
# names it (Aozora Bunko's convention, `※(「特のへん＋廴＋聿」、第3水準1-87-71)`): by its
# JIS X 0213 plane-row-cell, or by its code point (`U+546D`).
_JIS_X_0213 = re.compile(r"第[34]水準([12])-(\d{1,2})-(\d{1,2})")
_CODE_POINT = re.compile(r"U\+([0-9A-Fa-f]{4,6})")


def gaiji(alt: str) -> str:
    """The character an image stands for when its alt text names it, else ""."""
    if not alt.startswith("※"):
        return ""
    if found := _CODE_POINT.search(alt):
        value = int(found[1], 16)
        return chr(value) if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else ""
    if found := _JIS_X_0213.search(alt):
        plane, row, cell = (int(g) for g in found.groups())
        if not (1 <= row <= 94 and 1 <= cell <= 94):
            return ""
        code = bytes([0xA0 + row, 0xA0 + cell])
        try:  # EUC-JIS-2004 writes plane 2 behind the single shift SS3
            return (b"\x8f" + code if plane == 2 else code).decode("euc_jis_2004")
        except UnicodeDecodeError:
            return ""
    return ""


def parse_html(html: str) -> Node:
    """The page as a tree under a "#document" node."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def walk(root: Node) -> Iterator[Node]:
    """Every element under `root` (itself first), in page order."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child in reversed(node.children) if isinstance(child, Node))
