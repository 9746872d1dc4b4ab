"""Word and OpenDocument files built with python-docx and odfpy (producers independent of
the readers), and zip packages made bad on purpose."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import datetime

import docx
from odf import dc, meta
from odf.element import Element
from odf.opendocument import OpenDocumentText
from odf.style import Style
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import (
    H,
    List,
    ListItem,
    Note,
    NoteBody,
    NoteCitation,
    P,
    Span,
)

HEADLINE = "港湾地区に新しい物流拠点が完成"
LEAD = ("株式会社かけはし運輸は本日、港湾地区に建設していた新しい物流拠点が完成したと発表"
        "しました。保管能力は従来の二倍となり、来月から本格的な運用を始めます。")
SECOND = "新拠点では、自動倉庫と電動の搬送車を導入し、夜間の作業を大幅に減らします。"
Build = Callable[[docx.document.Document], None]


def make_docx(build: Build, title: str = "", modified: datetime | None = None) -> bytes:
    document = docx.Document()
    document.core_properties.title = title
    if modified is not None:
        document.core_properties.modified = modified
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def press_release(document: docx.document.Document) -> None:
    """A Japanese press release as organisations write it: date and issuer above the title."""
    document.add_paragraph("2025年4月1日")
    document.add_paragraph("株式会社かけはし運輸")
    document.add_heading(HEADLINE, level=0)  # the Title style
    document.add_heading("概要", level=1)
    document.add_paragraph(LEAD)
    document.add_paragraph(SECOND)


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def footnote(text: str) -> Element:
    note = Note(id="n1", noteclass="footnote")
    note.addElement(NoteCitation(text="1"))
    body = NoteBody()
    body.addElement(P(text=text))
    note.addElement(body)
    return note


def make_odt(title: str = "", date: str = "") -> bytes:
    document = OpenDocumentText()
    title_style = Style(name="Title", family="paragraph")
    document.styles.addElement(title_style)
    if title:
        document.meta.addElement(dc.Title(text=title))
    if date:
        document.meta.addElement(dc.Date(text=date))
        document.meta.addElement(meta.CreationDate(text="2019-01-01T00:00:00"))
    document.text.addElement(P(text="2025年4月1日"))
    document.text.addElement(P(stylename=title_style, text=HEADLINE))
    document.text.addElement(H(outlinelevel=1, text="概要"))
    lead = P(text=LEAD[:20])
    lead.addElement(Span(text=LEAD[20:]))
    lead.addElement(footnote("脚注の本文"))
    document.text.addElement(lead)
    items = List()
    for item in ("自動倉庫の導入", "電動搬送車の導入"):
        list_item = ListItem()
        list_item.addElement(P(text=item))
        items.addElement(list_item)
    document.text.addElement(items)
    table = Table(name="取扱量")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for row in (["品目", "取扱量"], ["コンテナ", "12万個"]):
        table_row = TableRow()
        for value in row:
            cell = TableCell()
            cell.addElement(P(text=value))
            table_row.addElement(cell)
        table.addElement(table_row)
    document.text.addElement(table)
    document.text.addElement(P(text=SECOND))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()

def zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_member(data: bytes, name: str, content: bytes) -> bytes:
    """A copy of the package `data` with one member replaced."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members[name] = content
    return zipped(members)


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">'
          b'<!ENTITY c "&b;&b;&b;&b;">]><w:document xmlns:w="http://schemas.openxmlformats.org'
          b'/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body>'
          b'</w:document>')
GOOD = make_docx(press_release)


def corrupt_member(data: bytes) -> bytes:
    """The package with bytes in the middle of its compressed document flipped."""
    start = data.index(b"word/document.xml") + len("word/document.xml") + 40
    return data[:start] + bytes(b ^ 0x5A for b in data[start:start + 64]) + data[start + 64:]

