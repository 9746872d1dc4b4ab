"""OpenDocument text (.odt) → the document's text, headline first. Pure (zip + ElementTree).

Read as a .docx is (see `bot.sources.office.docx`): headings, paragraphs, list items as `- item`,
table rows with cells joined by ` | `, sections, tracked insertions (deletions live apart, in
the tracked-changes block, and are not read), ruby base text. Not read: notes, annotations,
frames (text boxes, images), indexes and tables of contents (they repeat the headings).
Headline: the first paragraph in the Title style, else the first level-1 heading, else the
meta.xml `dc:title`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bot.sources.office.docx import Block, compose_text, table_row
from bot.sources.office.package import (
    Package,
    has_part,
    open_package,
    optional_part,
    parse_part,
    read_part,
)

_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_MIME = b"application/vnd.oasis.opendocument.text"
# Block content that repeats or annotates the text rather than being it.
_SKIP_BLOCK = frozenset({_TEXT + "tracked-changes", _TEXT + "table-of-content",
                         _TEXT + "alphabetical-index", _TEXT + "illustration-index",
                         _TEXT + "table-index", _TEXT + "object-index", _TEXT + "user-index",
                         _TEXT + "bibliography", _TEXT + "sequence-decls",
                         _TABLE + "covered-table-cell", _OFFICE + "forms"})
_SKIP_INLINE = frozenset({_TEXT + "note", _TEXT + "ruby-text", _OFFICE + "annotation",
                          _TEXT + "tracked-changes"})
_ROW_GROUPS = frozenset({_TABLE + "table-header-rows", _TABLE + "table-rows",
                         _TABLE + "table-row-group"})


def read_odt(data: bytes) -> str:
    """An .odt file → its text, headline first (see the module docstring)."""
    package = open_package(data, ".odt")
    if has_part(package, "mimetype") and read_part(package, "mimetype").strip() != _MIME:
        raise package.error("not a text document (mimetype "
                            f"{read_part(package, 'mimetype')[:80]!r})")
    content = parse_part(package, "content.xml")
    body = content.find(f"{_OFFICE}body/{_OFFICE}text")
    if body is None:
        raise package.error("content.xml has no text body")
    titles = _title_styles(content)
    blocks: list[Block] = []
    try:
        _read_blocks(body, titles, blocks, "")
    except RecursionError:
        raise package.error("content.xml is nested too deeply") from None
    return compose_text(blocks, _meta(package).get(_DC + "title", ""))


def _title_styles(content: ET.Element) -> frozenset[str]:
    """The style names that mean Title: the common style, and automatic styles based on it."""
    names = {"Title"}
    for style in content.iter(_STYLE + "style"):
        if style.get(_STYLE + "parent-style-name") == "Title":
            names.add(style.get(_STYLE + "name", ""))
    return frozenset(names)


def _read_blocks(container: ET.Element, titles: frozenset[str], out: list[Block],
                 kind: str) -> None:
    """Headings, paragraphs, lists, tables and sections in document order; `kind` is "item"
    inside a list."""
    for child in container:
        tag = child.tag
        if tag in (_TEXT + "p", _TEXT + "h"):
            out.append(Block(inline_text(child), _kind(child, titles) or kind))
        elif tag == _TABLE + "table":
            _read_table(child, titles, out)
        elif tag == _TEXT + "list":
            _read_blocks(child, titles, out, "item")
        elif tag not in _SKIP_BLOCK and tag.startswith((_TEXT, _TABLE)):
            _read_blocks(child, titles, out, kind)  # list items, sections, soft page breaks


def _kind(paragraph: ET.Element, titles: frozenset[str]) -> str:
    if paragraph.get(_TEXT + "style-name") in titles:
        return "title"
    level = paragraph.get(_TEXT + "outline-level", "1")
    return "heading1" if paragraph.tag == _TEXT + "h" and level == "1" else ""


def _read_table(table: ET.Element, titles: frozenset[str], out: list[Block]) -> None:
    for row in _rows(table):
        cells = []
        for cell in row:
            if cell.tag == _TABLE + "table-cell":  # covered cells are spanned: no text
                blocks: list[Block] = []
                _read_blocks(cell, titles, blocks, "")
                cells.append(blocks)
        out.extend(table_row(cells))


def _rows(table: ET.Element) -> list[ET.Element]:
    rows = []
    for child in table:
        if child.tag == _TABLE + "table-row":
            rows.append(child)
        elif child.tag in _ROW_GROUPS:
            rows.extend(_rows(child))
    return rows


def inline_text(element: ET.Element) -> str:
    """The running text of a paragraph: spans, links, fields, ruby bases; spaces (text:s),
    tabs and line breaks as they are; notes and annotations left out."""
    pieces = [element.text or ""]
    for child in element:
        tag = child.tag
        if tag == _TEXT + "s":
            count = child.get(_TEXT + "c", "1")
            pieces.append(" " * (min(int(count), 100) if count.isdigit() else 1))
        elif tag == _TEXT + "tab":
            pieces.append("\t")
        elif tag == _TEXT + "line-break":
            pieces.append("\n")
        elif tag not in _SKIP_INLINE and tag.startswith((_TEXT, _OFFICE)):
            pieces.append(inline_text(child))
        pieces.append(child.tail or "")  # the text after a child is the paragraph's own
    return "".join(pieces)


def _meta(package: Package) -> dict[str, str]:
    """meta.xml's properties by tag (only the title is used); {} without it."""
    root = optional_part(package, "meta.xml")
    meta = None if root is None else root.find(_OFFICE + "meta")
    return {} if meta is None else {c.tag: (c.text or "").strip() for c in meta}
