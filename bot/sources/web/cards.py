"""Cards inside an article: product boxes, link cards and teaser tiles drawn from one template.

A card opens with a linked image (a cover, a thumbnail), links elsewhere again (its title),
and comes with siblings made from the same template (the same tag and class): a block of
affiliate book boxes after a blog post, a row of related-story tiles. Its text describes
somewhere else, so it is never the article's, however well written its blurb is. Found by
structure (repetition and what a block opens with), never by what a class is called. Linear
in the size of the page.
"""

from __future__ import annotations

from collections import defaultdict

from bot.sources.web.tree import Node, walk

_MIN_CARDS = 2  # one boxed image link is a figure; two from one template are a set of cards


def find_cards(root: Node) -> set[int]:
    """The ids of the elements under `root` that are cards."""
    cards: set[int] = set()
    for parent in walk(root):
        groups: defaultdict[tuple[str, str], list[Node]] = defaultdict(list)
        for child in parent.children:
            if isinstance(child, Node) and child.get("class"):
                groups[(child.tag, child.get("class"))].append(child)
        for members in groups.values():
            if len(members) >= _MIN_CARDS and all(map(_is_card, members)):
                cards.update(id(member) for member in members)
    return cards


def _is_card(node: Node) -> bool:
    """Opens with a linked image and links elsewhere again (its title): a photo with its
    caption opens the same way, but its caption is the article's text and links nowhere."""
    links = sum(1 for element in walk(node) if element.tag == "a" and element.get("href"))
    return links >= 2 and _opens_with_image_link(node)


def _opens_with_image_link(node: Node) -> bool:
    """Is the first thing `node` shows (text or image) an image inside a link?"""
    stack: list[tuple[Node | str, bool]] = [(node, False)]
    while stack:
        item, linked = stack.pop()
        if isinstance(item, str):
            if item.strip():
                return False
            continue
        if item.tag == "img":
            return linked
        inside = linked or (item.tag == "a" and bool(item.get("href")))
        stack.extend((child, inside) for child in reversed(item.children))
    return False
