"""Where a page's article is, found by its structure and its prose rather than by class names.

Prose: Japanese characters in sentences that end in 。！？, outside links (menus, buttons,
headings and teasers have none). An element's score is its prose, plus a fifth for other
written lines (a blog without 。), less the share of its text that is link text.
Evidence, strongest first: `itemprop=articleBody`; the `<article>` with the most prose;
`<main>`; else the whole page. From there the body narrows to the child that holds all the
prose (reader tools, share bars and buttons hold none), or to a child named like an article
body (`#js-article-body`, `.article-body`) that holds most of it: a name is only a hint.
Class names never hide an element that holds the body. Linear in the size of the page.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, pairwise

from bot.sources.web.cards import find_cards
from bot.sources.web.tree import Node, walk
from bot.text.chars import CLOSERS, JAPANESE, SENTENCE_ENDS

SKIP_TAGS = frozenset({"head", "script", "style", "nav", "aside", "noscript", "form", "svg",
                       "template", "iframe", "button", "select", "textarea", "object",
                       "canvas", "dialog", "rt", "rp"})
BLOCK_TAGS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
                        "th", "section", "article", "main", "blockquote", "pre", "table", "ul",
                        "ol", "dl", "dd", "dt", "figure", "figcaption", "header", "footer",
                        "address", "hr", "details", "summary", "caption", "body", "html"})
_SKIP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "dialog",
                         "alertdialog", "search", "menu", "menubar", "toolbar", "tablist"})
_NEVER_HIDDEN = frozenset({"#document", "html", "body", "main"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SENTENCE_END = re.compile(f"[{SENTENCE_ENDS}]+[{re.escape(CLOSERS)}]*|\n")
_JAPANESE = re.compile(f"[{JAPANESE}]")
_MIN_SENTENCE = 4  # Japanese characters: "※。" or "はい。" is not prose
_BODY_HINT = re.compile(r"article[-_]?body|articlebody|article[-_]?text|main[-_]text"
                        r"|entry[-_]content|post[-_]?(?:body|content)|story[-_]?body"
                        r"|body[-_]text|content[-_]body|news[-_]?body", re.IGNORECASE)
# The body narrows only into containers: a lone paragraph of prose beside a list or a table
# is one part of an article, not its body.
_CONTAINERS = frozenset({"div", "section", "article", "main", "td"})
_HEADINGS = frozenset({"h1", "h2"})
_ARTICLE_SHARE = 0.3  # of the page's score, for an <article> or <main> to be the article
_WEAK_PAGE = 30  # a page scoring less has too little prose to weigh its markup against
_TEXT_WEIGHT = 0.2  # of a written line's character, against 1 more for one in a sentence
_LONG_LINE = 10  # characters outside links: a shorter line is a label, a count, a name
_ALL_PROSE = 0.98  # a child with this share of its parent's prose holds all of it…
_TEXT_SHARE = 0.7  # …when it holds this share of the parent's text outside links too
_TEXT_SHARE_NO_PROSE = 0.9  # (a page without sentences has only its text to go by)
_HINTED_SHARE = 0.6  # a child named like an article body needs only this share of the score
_FALLBACK_SHARE = 0.75  # no article or main: a child with this share is the content column


def visible(node: Node) -> bool:
    """Is the element's text something a reader sees as content (not script, navigation,
    a form, a ruby reading, or hidden)?"""
    if node.tag in _NEVER_HIDDEN:
        return True
    return not (node.tag in SKIP_TAGS or "hidden" in node.attrs
                or node.get("aria-hidden").lower() == "true"
                or node.get("role").lower() in _SKIP_ROLES
                or bool(_HIDDEN_STYLE.search(node.get("style"))))


@dataclass(frozen=True)
class Prose:
    """Per-element measures: prose, text and link characters, summed over the subtree."""

    spans: dict[Node, tuple[int, int]]  # element → its range of text pieces
    prose: tuple[int, ...]  # running totals over the pieces, from 0
    text: tuple[int, ...]
    links: tuple[int, ...]
    lines: tuple[int, ...]  # text outside links on lines long enough to be written text
    anchors: tuple[int, ...]  # the piece position of each <a>, in order

    def _total(self, sums: tuple[int, ...], node: Node) -> int:
        start, end = self.spans.get(node, (0, 0))
        return sums[end] - sums[start]

    def score(self, node: Node) -> float:
        """Prose characters, plus a little for other written lines (a blog written without
        。 still has a body), less the share of the element's text that is link text."""
        text = self._total(self.text, node)
        if not text:
            return 0.0
        weight = self._total(self.prose, node) + _TEXT_WEIGHT * self._total(self.lines, node)
        return weight * (1 - self._total(self.links, node) / text)

    def prose_chars(self, node: Node) -> int:
        """Japanese characters in sentences."""
        return self._total(self.prose, node)

    def text_chars(self, node: Node) -> int:
        """Visible characters other than white space."""
        return self._total(self.text, node)

    def link_count(self, node: Node) -> int:
        """How many <a> elements the element holds."""
        start, end = self.spans.get(node, (0, 0))
        return bisect_left(self.anchors, end) - bisect_left(self.anchors, start)

    def plain_chars(self, node: Node) -> int:
        """Visible characters other than white space and link text."""
        return self._total(self.text, node) - self._total(self.links, node)


def measure(root: Node) -> Prose:
    """Prose, text and link characters of every visible element under `root`."""
    pieces: list[str] = []
    in_link: list[bool] = []
    breaks: list[int] = []  # piece positions where a block starts or ends
    spans: dict[Node, tuple[int, int]] = {}
    anchors: list[int] = []
    links = 0
    stack: list[tuple[Node | str, bool]] = [(root, False)]
    while stack:
        item, leaving = stack.pop()
        if isinstance(item, str):
            pieces.append(item)
            in_link.append(links > 0)
        elif leaving:
            spans[item] = (spans[item][0], len(pieces))
            links -= item.tag == "a"
            if item.tag in BLOCK_TAGS:
                breaks.append(len(pieces))
        elif visible(item):
            if item.tag in BLOCK_TAGS:
                breaks.append(len(pieces))
            spans[item] = (len(pieces), len(pieces))
            links += item.tag == "a"
            if item.tag == "a":
                anchors.append(len(pieces))
            stack.append((item, True))
            stack.extend((child, False) for child in reversed(item.children))
    bounds = sorted({0, *breaks, len(pieces)})
    prose = _prose_counts([p if not linked else "" for p, linked in zip(pieces, in_link,
                                                                         strict=True)], bounds)
    text = [len("".join(piece.split())) for piece in pieces]
    link = [count if linked else 0 for count, linked in zip(text, in_link, strict=True)]
    prose_sums, text_sums, link_sums, line_sums = (
        tuple(accumulate(values, initial=0))
        for values in (prose, text, link, _line_counts(text, link, bounds)))
    return Prose(spans, prose_sums, text_sums, link_sums, line_sums, tuple(anchors))


def _line_counts(text: list[int], link: list[int], bounds: list[int]) -> list[int]:
    """Characters outside links in each piece whose line holds at least `_LONG_LINE` of
    them: a blog's lines count, a sidebar's `タグ(54)` and `by 名前 at 16:29` do not."""
    counts = [0] * len(text)
    for start, end in pairwise(bounds):
        if sum(text[start:end]) - sum(link[start:end]) >= _LONG_LINE:
            counts[start:end] = (t - n for t, n in zip(text[start:end], link[start:end],
                                                       strict=True))
    return counts


def _prose_counts(pieces: list[str], bounds: list[int]) -> list[int]:
    """Prose characters in each piece: sentences are found across the pieces of one block
    (a ruby or a coloured word splits a sentence into many pieces). Link text comes in
    blank: a teaser's sentences are another page's prose."""
    counts = [0] * len(pieces)
    for start, end in pairwise(bounds):
        joined = "".join(pieces[start:end])
        mask = [" "] * len(joined)
        begin = 0
        # Sentence ends only: a pattern for whole sentences retries from every start, which is
        # quadratic in a long run without 。.
        for stop in _SENTENCE_END.finditer(joined):
            sentence = joined[begin:stop.end()]
            if stop[0] != "\n" and len(_JAPANESE.findall(sentence)) >= _MIN_SENTENCE:
                mask[begin:stop.end()] = sentence
            begin = stop.end()
        masked, offset = "".join(mask), 0
        for index in range(start, end):
            size = len(pieces[index])
            counts[index] = len(_JAPANESE.findall(masked, offset, offset + size))
            offset += size
    return counts


@dataclass(frozen=True)
class Body:
    """Where the article is: `section` holds its headline and date (an <article>, <main>, or
    the page), `core` the article's text within it; `found` says the page marked it up."""

    section: Node
    core: Node
    found: bool

    @cached_property
    def cards(self) -> frozenset[int]:
        """The ids of the cards in the section (see `web.cards`): found once a page, for its
        text and its dateline alike."""
        return frozenset(find_cards(self.section))


def find_body(root: Node, prose: Prose) -> Body:
    """The page's article: by markup first (articleBody, <article>, <main>), then by prose."""
    page = next((n for n in walk(root) if n.tag == "body"), root)
    for candidates in (
        [n for n in walk(root) if "articleBody" in n.get("itemprop").split()
         and n in prose.spans],
        [n for n in walk(root) if n.tag == "article" and n in prose.spans],
        [n for n in walk(root) if (n.tag == "main" or n.get("role") == "main")
         and n in prose.spans],
    ):
        best = max(candidates, key=lambda n: (prose.score(n), prose.plain_chars(n)),
                   default=None)
        if best is not None and _holds_article(best, page, prose):
            return Body(best, narrow(best, prose, fallback=False), True)
    return Body(page, narrow(page, prose, fallback=True), False)


def _holds_article(candidate: Node, page: Node, prose: Prose) -> bool:
    """An <article> in a sidebar holds a teaser: the body holds a real share of the page's
    score. A page with almost nothing written (a photo post) has only its markup to go by."""
    if prose.score(page) < _WEAK_PAGE:
        return prose.plain_chars(candidate) > 0
    return prose.score(candidate) >= _ARTICLE_SHARE * prose.score(page)


def narrow(node: Node, prose: Prose, fallback: bool) -> Node:
    """The descendant of `node` that holds its body: an article-body-named child with most of
    its score, else a child with all its prose and most of its text (what is left beside it
    is reader tools, buttons, a date line). Without article markup, the child with most of
    the page's score (the content column beside menus and sidebars)."""
    while True:
        children = [c for c in node.children
                    if isinstance(c, Node) and c.tag in _CONTAINERS and c in prose.spans]
        best = max(children, key=prose.score, default=None)
        hinted = [c for c in children if _BODY_HINT.search(f"{c.get('id')} {c.get('class')}")
                  and prose.score(c) >= _HINTED_SHARE * prose.score(node) > 0]
        if hinted:
            node = hinted[0]
        elif (best is not None and _holds_body(best, node, prose, fallback)
              and not _headed(node, best, prose)):
            node = best
        else:
            return node


def _headed(node: Node, child: Node, prose: Prose) -> bool:
    """Is `node` a unit that opens with its own heading and ends with `child` (a chapter's
    title and lead, then its sections)? Then nothing is narrowed away: what sits beside the
    body is the chapter's own. Not when more follows the body (tags, previous/next links),
    nor for the page itself: an h1 straight in <body> is as often the site's name."""
    if node.tag in _NEVER_HIDDEN:
        return False
    index = node.children.index(child)
    after = node.children[index + 1:]
    if any(isinstance(item, Node) and prose.text_chars(item) for item in after):
        return False
    return any(isinstance(item, Node) and item.tag in _HEADINGS and prose.text_chars(item)
               for item in node.children[:index])


def _holds_body(child: Node, node: Node, prose: Prose, fallback: bool) -> bool:
    if fallback:
        return prose.score(child) >= _FALLBACK_SHARE * prose.score(node) > 0
    text_share = _TEXT_SHARE if prose.prose_chars(node) else _TEXT_SHARE_NO_PROSE
    return (prose.prose_chars(child) >= _ALL_PROSE * prose.prose_chars(node)
            and prose.plain_chars(child) >= text_share * prose.plain_chars(node) > 0)
