"""HTML → the page's article text, headline first, and what the page says of itself. Pure
(stdlib parser, no network, no scripts).

The article is found by structure and prose (`web.body`), the headline, site, URL and date
by metadata (`web.meta`). Ruby readings (<rt>, <rp>) are never text: `東京<rt>とうきょう`
reads `東京`. A data table (rows of figures and names, no sentence) is no text either.

Lines: one per block element (p, li, h1…, br…). A line break in the page's source inside a
block is white space, as a browser renders it (CSS Text, segment breaks): nothing between two
East Asian wide characters (`相次\nいで` → `相次いで`), one space otherwise (`Debian\nディ…`
→ `Debian ディ…`). An ideographic space is a space (`北陸新幹線　敦賀` → `北陸新幹線 敦賀`).
Only <pre> keeps its source lines. Linear in the size of the page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.model import Reading, SourceInfo
from bot.sources.web.body import BLOCK_TAGS, Body, Prose, find_body, measure, visible
from bot.sources.web.meta import PageFacts, page_meta
from bot.sources.web.tree import Node, parse_html, walk

# Inside the article, a block named like page furniture is hidden only when it holds little
# prose: a share bar, a related-links box. The name never outweighs the text.
_FURNITURE = re.compile(r"cookie|consent|gdpr|banner|advert|\bads?\b|share|social|sns"
                        r"|breadcrumb|related|recommend|ranking|newsletter|subscribe|modal"
                        r"|popup", re.IGNORECASE)
_FURNITURE_PROSE = 0.3  # prose per visible character below which a furniture name counts
_LINK_LISTS = frozenset({"ul", "ol", "dl", "table", "div", "section"})
_LINK_LIST_SHARE = 0.8  # of its text in links: a block of links, not of text
_LINK_LIST_MIN = 12  # characters: a lone short link ("続きを読む") is left to the text
_PART_OF_BODY = 0.5  # of the body's text: a block holding more is the body, whatever its name
_LINK_LIST_LINKS = 3  # an embedded card is one link, a list of stories several
_LINK_LIST_LABEL = 24  # characters outside the links: a list's label, not its text
_DATA_TABLE_ROWS = 2  # a header row and one of data, at least
_DATELINE_CHARS = 300  # of text after a headline where its date is printed
# Stands for a source line break until the text on both sides of it is known.
_SOFT = "\ue001"
_SOURCE_BREAK = re.compile(r"[ \t\r\f]*\n[ \t\r\n\f]*")  # not U+3000: it is text
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


def render(node: Node, hide: Callable[[Node], bool]) -> list[str]:
    """The element's text as lines (empty ones dropped), without what `hide` hides."""
    parts: list[str] = []
    pre = 0
    stack: list[tuple[Node | str, bool]] = [(node, False)]
    while stack:
        item, leaving = stack.pop()
        if isinstance(item, str):
            data = item.replace(_SOFT, "")
            parts.append(data if pre else _SOURCE_BREAK.sub(_SOFT, data))
        elif leaving:
            pre -= item.tag == "pre"
            parts.append("\n" if item.tag in BLOCK_TAGS else "")
        elif item is node or not hide(item):
            parts.append("\n" if item.tag in BLOCK_TAGS else "")
            parts.append("- " if item.tag == "li" else "")
            pre += item.tag == "pre"
            stack.append((item, True))
            stack.extend((child, False) for child in reversed(item.children))
    lines = (" ".join(line.split()) for line in resolve_breaks("".join(parts)).split("\n"))
    return [line for line in lines if line and line != "-"]


def _hidden(node: Node) -> bool:
    return not visible(node)


def _furniture(prose: Prose, body: Body, labels: bool = True) -> Callable[[Node], bool]:
    """What to hide inside the article: the invisible, footers, a whole page's headers (an
    article's own header holds its headline), and blocks of links or little-prose blocks
    named as furniture, or cards (see `web.cards`), when they hold less than half the body's
    text (more is the body)."""
    found, most = body.found, _PART_OF_BODY * prose.text_chars(body.core)

    def hide(node: Node) -> bool:
        if not visible(node):
            return True
        if node.tag in ("#document", "html", "body", "main"):
            return False
        if node.tag == "footer" or (node.tag == "header" and not found):
            return True
        text = prose.text_chars(node)
        if text > most:
            return False
        if id(node) in body.cards or _data_table(node, prose):
            return True
        if node.tag in _LINK_LISTS and text >= _LINK_LIST_MIN and \
                prose.link_count(node) >= _LINK_LIST_LINKS and _mostly_links(node, prose, labels):
            return True  # a list of links: related stories, categories, tags, contents
        marks = f"{node.get('id')} {node.get('class')}"
        return (bool(_FURNITURE.search(marks))
                and prose.prose_chars(node) < _FURNITURE_PROSE * text)

    return hide


def _data_table(node: Node, prose: Prose) -> bool:
    """A table of figures and names: rows of cells without a sentence in any. Its cells are
    no text to read on (each would stand as a sentence, or be glued to one); a table whose
    cells hold sentences (a layout table, a glossary) stays."""
    return (node.tag == "table" and not prose.prose_chars(node)
            and sum(1 for element in walk(node) if element.tag == "tr") >= _DATA_TABLE_ROWS)


def _mostly_links(node: Node, prose: Prose, labels: bool) -> bool:
    """Links, and with `labels` at most a short label without a sentence (`Table of
    Contents`, `関連記事`)."""
    plain = prose.plain_chars(node)
    return plain <= (1 - _LINK_LIST_SHARE) * prose.text_chars(node) or (
        labels and plain <= _LINK_LIST_LABEL and not prose.prose_chars(node))


def _inline_text(node: Node) -> str:
    return " ".join(render(node, _hidden))


def _facts(root: Node, body: Body, prose: Prose) -> PageFacts:
    """Metadata, <title>, the headings around the article and its first <time>."""
    meta: dict[str, str] = {}
    canonical, title, scripts, h1s, time = "", "", [], [], ""
    scope = body.section if body.found else body.core
    heading_scope, reached = set(walk(scope)), False
    time_scope = set(walk(body.section)) if body.found else None
    for node in walk(root):
        reached = reached or node is scope
        key = (node.get("property") or node.get("name") or node.get("itemprop")).lower()
        if node.tag == "meta" and key and node.get("content").strip():
            meta.setdefault(key, node.get("content"))
        elif node.tag == "link" and "canonical" in node.get("rel").lower().split():
            canonical = canonical or node.get("href")
        elif node.tag == "script" and node.get("type").strip().lower() == "application/ld+json":
            scripts.append("".join(c for c in node.children if isinstance(c, str)))
        elif node.tag == "title" and not title:
            title = "".join(c for c in node.children if isinstance(c, str))
        elif node.tag == "h1" and node in prose.spans:
            h1s.append((node, _inline_text(node), node in heading_scope, reached))
        elif (node.tag == "time" and not time and node.get("datetime")
              and (time_scope is None or node in time_scope)):
            time = node.get("datetime")
    inside = [(node, text) for node, text, is_in, _ in h1s if is_in]
    before = [(node, text) for node, text, is_in, after in h1s if not is_in and not after]
    heading = (inside or before[-1:])[0][0] if inside or before else None
    return PageFacts(meta, canonical, tuple(scripts), title, inside[0][1] if inside else "",
                     before[-1][1] if before else "", tuple(text for _, text, _, _ in h1s),
                     time, _dateline(root, body, prose, heading))


def _dateline(root: Node, body: Body, prose: Prose, heading: Node | None) -> str:
    """Where a page without date metadata prints the date: the article's text outside its
    body, and what follows its headline (within the headline's parent and grandparent). A
    byline of links with its date as their label (`著者 / 分類 / 2019.04.25`) is read here."""
    furniture = _furniture(prose, body, labels=False)

    def hide(node: Node) -> bool:
        return node is body.core or furniture(node)

    texts = []
    if body.found and body.core is not body.section:
        texts.append(render(body.section, hide))
    parents = {child: node for node in walk(root) for child in node.children
               if isinstance(child, Node)} if heading is not None else {}
    node = heading
    for _ in range(2):  # the headline's siblings, then its parent's
        parent = parents.get(node) if node is not None else None
        if node is None or parent is None:
            break
        following = Node("div", children=parent.children[parent.children.index(node):])
        texts.append(render(following, hide))
        node = parent
    return "\n".join("\n".join(lines)[:_DATELINE_CHARS] for lines in texts)


def _with_headline(headline: str, lines: list[str]) -> str:
    if headline and (not lines or lines[0] != headline):
        lines = [headline, *lines]
    return "\n".join(lines)


@dataclass(frozen=True)
class PageArticle:
    """A page's article: its headline, its text without the headline, and what the page
    says of itself."""

    headline: str
    lines: tuple[str, ...]
    source: SourceInfo


def read_article(html: str) -> PageArticle:
    """HTML → the page's article, its headline apart (a feed entry keeps its own title)."""
    root = parse_html(html)
    prose = measure(root)
    body = find_body(root, prose)
    meta = page_meta(_facts(root, body, prose))
    lines = render(body.core, _furniture(prose, body))
    if meta.headline and lines and lines[0] == meta.headline:
        lines = lines[1:]
    source = SourceInfo(site=meta.site, url=meta.url, published=meta.published,
                        published_from="page" if meta.published else "")
    return PageArticle(meta.headline, tuple(lines), source)


def read_html(html: str) -> Reading:
    """HTML → a Reading: the article's headline then its text, and the page's site,
    canonical URL and publication date (`published_from="page"`) where it gives them."""
    page = read_article(html)
    return Reading("\n".join([page.headline, *page.lines] if page.headline else page.lines),
                   page.source)


def html_to_text(html: str) -> str:
    """HTML (a feed entry's content or a page) → its text with the headline as first line.
    The whole article or fragment is kept: a feed's content is all body."""
    root = parse_html(html)
    prose = measure(root)
    body = find_body(root, prose)
    headline = page_meta(_facts(root, body, prose)).headline
    return _with_headline(headline, render(body.section, _furniture(prose, body)))
