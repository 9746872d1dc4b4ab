"""Word (.docx) → the main document's text, headline first. Pure (zip + ElementTree, no I/O).

What is read: the main document part in order — paragraphs, headings, list paragraphs (as
`- item`), tables (a row of several cells on one line, cells joined by ` | `; a row with one
filled cell, as layout tables hold body text, as that cell's paragraphs), tracked insertions,
the result text of fields, the base text of ruby (not its reading). Tabs stay tabs (a
`label<TAB>value` line is a table row to the cleaner, never joined to the next line); line breaks
stay line breaks (the cleaner tells a layout break from an author's one).

What is not: footnotes, endnotes, comments, headers and footers (other parts of the package:
not the document's running text), tracked deletions, text boxes and drawings, and field codes.

The headline: the first paragraph in the Title style, else the first Heading 1 (by style name
or outline level, through `basedOn`), moved to the first line; with neither, the core
property `dc:title` unless it is a file name or a converter's default.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

from bot.sources.office.package import Package, has_part, open_package, optional_part, parse_part

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_WP = "{" + _W + "}"
# Outline levels 1-8 are headings below the first; 9 is body text.
_SUBHEADING_LEVELS = frozenset("12345678")
# Inside a paragraph: deleted text, field codes, ruby readings, note and comment marks,
# properties, and drawings (text boxes) carry no running text.
_SKIP_INLINE = frozenset({"del", "moveFrom", "delText", "instrText", "delInstrText", "rt",
                          "pPr", "rPr", "drawing", "pict", "object", "footnoteReference",
                          "endnoteReference", "commentReference", "fldData"})
_SKIP_BLOCK = frozenset({"del", "moveFrom", "sectPr", "sdtPr", "sdtEndPr", "tblPr",
                         "tblGrid", "trPr", "tcPr"})
_JUNK_TITLE = re.compile(r"^(?:Microsoft Word - |無題|文書\s*\d*$|(?:Word )?Document\s*\d*$)|"
                         r"\.(?:docx?|rtf|txt|pdf)$", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    """One paragraph (or table row) as read, and what it is: "title", "heading1", "heading"
    (a lower level), "item", "row", "toc" (a contents line, not read) or "" (body text)."""

    text: str
    kind: str = ""


@dataclass(frozen=True)
class _Style:
    name: str
    outline: str
    numbered: bool
    based_on: str


def read_docx(data: bytes) -> str:
    """A .docx file → its text, headline first (see the module docstring)."""
    package = open_package(data, ".docx")
    main = _main_part(package)
    folder = main.rsplit("/", 1)[0] + "/" if "/" in main else ""
    styles = _styles(package, folder + "styles.xml")
    body = _local_tree(parse_part(package, main)).find(f"{_WP}body")
    if body is None:
        raise package.error(f"{main} has no body")
    blocks: list[Block] = []
    try:
        _read_blocks(body, styles, blocks)
    except RecursionError:
        raise package.error(f"{main} is nested too deeply") from None
    core = _core(package)
    return compose_text(blocks, core.get(_DC + "title", ""))


def _main_part(package: Package) -> str:
    """The main document part the package relationships name (word/document.xml mostly)."""
    rels = optional_part(package, "_rels/.rels")
    for rel in [] if rels is None else rels.iter(f"{_RELS}Relationship"):
        if rel.get("Type", "").endswith("/officeDocument"):
            target = rel.get("Target", "").lstrip("/")
            if has_part(package, target):
                return target
    if has_part(package, "word/document.xml"):
        return "word/document.xml"
    raise package.error("word/document.xml is missing (not a Word document)")


def _local_tree(root: ET.Element) -> ET.Element:
    """Strict OOXML names its elements in another namespace: rewritten to the usual one."""
    strict = "{" + _W_STRICT + "}"
    for element in root.iter():
        if element.tag.startswith(strict):
            element.tag = _WP + element.tag[len(strict):]
        for key in [k for k in element.attrib if k.startswith(strict)]:
            element.attrib[_WP + key[len(strict):]] = element.attrib.pop(key)
    return root


def _val(element: ET.Element | None, child: str) -> str | None:
    """The w:val of `element`'s child `child`, or None when there is no such child."""
    found = None if element is None else element.find(_WP + child)
    return None if found is None else found.get(_WP + "val", "")


def _styles(package: Package, name: str) -> dict[str, _Style]:
    """Paragraph styles by id (Japanese Word writes ids like "1" and "a3": names decide)."""
    root = optional_part(package, name)
    styles = {}
    for style in [] if root is None else _local_tree(root).iter(_WP + "style"):
        props = style.find(_WP + "pPr")
        numbered = _val(props.find(_WP + "numPr") if props is not None else None, "numId")
        styles[style.get(_WP + "styleId", "")] = _Style(
            (_val(style, "name") or "").lower(), _val(props, "outlineLvl") or "",
            numbered not in (None, "0"), _val(style, "basedOn") or "")
    return styles


def _style_kind(styles: dict[str, _Style], style_id: str) -> str:
    """What a paragraph style makes a paragraph (see `Block`), through its `basedOn` chain."""
    seen: set[str] = set()
    while style_id in styles and style_id not in seen:
        seen.add(style_id)
        style = styles[style_id]
        if style.name == "title":
            return "title"
        if style.name.startswith("toc "):
            return "toc"  # a table of contents repeats the headings
        if style.name == "heading 1" or style.outline == "0":
            return "heading1"
        if style.name.startswith("heading ") or style.outline in _SUBHEADING_LEVELS:
            return "heading"  # numbered headings (1.1 概要) are headings, not list items
        if style.numbered:
            return "item"
        style_id = style.based_on
    return ""


def _read_blocks(container: ET.Element, styles: dict[str, _Style], out: list[Block]) -> None:
    """The paragraphs and tables of a body, cell or content control, in document order."""
    for child in container:
        if not child.tag.startswith(_WP):
            continue  # markup compatibility alternatives, other vocabularies: not text
        name = child.tag[len(_WP):]
        if name == "p":
            out.append(_paragraph(child, styles))
        elif name == "tbl":
            _read_table(child, styles, out)
        elif name not in _SKIP_BLOCK:
            _read_blocks(child, styles, out)  # content controls, custom XML, insertions


def _paragraph(paragraph: ET.Element, styles: dict[str, _Style]) -> Block:
    props = paragraph.find(_WP + "pPr")
    kind = _style_kind(styles, _val(props, "pStyle") or "")
    outline = _val(props, "outlineLvl")
    if outline == "0" and kind != "title":
        kind = "heading1"
    elif outline in _SUBHEADING_LEVELS and kind in ("", "item"):
        kind = "heading"
    numbering = props.find(_WP + "numPr") if props is not None else None
    if not kind and _val(numbering, "numId") not in (None, "0"):
        kind = "item"
    pieces: list[str] = []
    _read_inline(paragraph, pieces)
    return Block("".join(pieces), kind)


def _read_inline(element: ET.Element, out: list[str]) -> None:
    """The running text of a paragraph's content: runs, links, insertions, fields' results."""
    for child in element:
        if not child.tag.startswith(_WP):
            continue
        name = child.tag[len(_WP):]
        if name == "t":
            out.append(child.text or "")
        elif name == "tab":
            out.append("\t")
        elif name in ("br", "cr"):
            out.append("\n")
        elif name == "noBreakHyphen":
            out.append("-")
        elif name not in _SKIP_INLINE:
            _read_inline(child, out)


def _read_table(table: ET.Element, styles: dict[str, _Style], out: list[Block]) -> None:
    for row in _wrapped(table, "tr"):
        cells = []
        for cell in _wrapped(row, "tc"):
            blocks: list[Block] = []
            _read_blocks(cell, styles, blocks)
            cells.append(blocks)
        out.extend(table_row(cells))


def table_row(cells: list[list[Block]]) -> list[Block]:
    """A table row as blocks: one line, its filled cells joined by ` | ` so that they never
    read as one sentence; a row with a single filled cell is layout (Japanese documents often
    frame body text in a table), so that cell's paragraphs are body text."""
    filled = [c for c in cells if any(b.text.strip() for b in c)]
    if len(filled) == 1:
        return filled[0]
    texts = [_one_line(" ".join(b.text for b in cell if b.text.strip())) for cell in filled]
    return [Block(" | ".join(texts), "row")] if texts else []


def _wrapped(element: ET.Element, name: str) -> Iterator[ET.Element]:
    """The children named `name`, also those inside content controls and custom XML."""
    for child in element:
        if child.tag == _WP + name:
            yield child
        elif child.tag in (_WP + "sdt", _WP + "sdtContent", _WP + "customXml"):
            yield from _wrapped(child, name)


def _one_line(text: str) -> str:
    """Tabs and line breaks inside a cell or headline → a space, or nothing between two
    Japanese characters (a break in 新工場が\\n稼働 is layout, not a word boundary)."""
    text = re.sub(r"(?<=[^\x00-\x7f])[ \t]*\n\s*(?=[^\x00-\x7f])", "", text.strip())
    return re.sub(r"\s+", " ", text)


def compose_text(blocks: list[Block], core_title: str) -> str:
    """The blocks as lines, headline first (the Title, else the first Heading 1, else the
    document property's title when it is a real one)."""
    blocks = [b for b in blocks if b.text.strip() and b.kind != "toc"]
    head = next((b for b in blocks if b.kind == "title"), None) or next(
        (b for b in blocks if b.kind == "heading1"), None)
    lines = [_one_line(head.text)] if head else []
    title = _one_line(core_title)
    first = _one_line(blocks[0].text) if blocks else ""
    if not head and title and not _JUNK_TITLE.search(title) and first != title:
        lines.append(title)
    for block in blocks:
        if block is head:
            continue
        text = "\n".join(line.strip() for line in block.text.split("\n"))
        lines.append(f"- {_one_line(text)}" if block.kind == "item" else text)
    # A blank line between paragraphs: each is the author's own, and the cleaner joins lines
    # across a blank one only where a line-end rule demands it (a heading never runs on).
    return "\n\n".join(lines)


def _core(package: Package) -> dict[str, str]:
    """The core properties (docProps/core.xml) by tag; {} without it. Only the title is used:
    the created and modified dates are often a template's (see `readers.read_date`)."""
    core = optional_part(package, "docProps/core.xml")
    return {} if core is None else {child.tag: (child.text or "").strip() for child in core}
