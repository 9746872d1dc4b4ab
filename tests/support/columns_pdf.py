"""A two-column A4 newsletter set by reportlab's platypus, with the furniture such pages carry.

The title runs across the top of page 1; the text flows down two columns, page after page;
a data table sits in a column; footnote markers are superscript numbers in the text, and the
footnote bodies are set small at the foot of the page their marker is on, above the page
number; a running header tops every page. Japanese is set in reportlab's CID fonts, as in
make_pdf.py.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from html import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Table, TableStyle
from reportlab.platypus import Paragraph as PdfParagraph

from tests.support.make_pdf import GOTHIC, MINCHO

MARK = "\x00"  # where a paragraph's footnote marker goes
BODY_SIZE = 10.0  # a newsletter's body type; large-print issues set 12–13 points
_MARGIN = 50.0
_GUTTER = 18.0
_TITLE_HEIGHT = 70.0
_NOTES_HEIGHT = 64.0  # the foot of every page, kept for footnotes and the page number


def make_columns_pdf(title: str, story: Sequence[tuple[str, str]], header: str,
                     notes: Sequence[str], table: Sequence[Sequence[str]],
                     size: float = BODY_SIZE) -> bytes:
    """`story`: (kind, text) with kind heading, item, paragraph, code or table (`table` set
    there); paragraphs' MARK characters become footnote markers, numbered in order, whose
    bodies are `notes`."""
    pdfmetrics.registerFont(UnicodeCIDFont(MINCHO))
    pdfmetrics.registerFont(UnicodeCIDFont(GOTHIC))
    pages: dict[int, int] = {}
    for _ in range(2):  # the first pass finds the page each marker lands on
        out = io.BytesIO()
        pages = _build(out, (title, header), story, notes, table, pages, size)
    return out.getvalue()


def _styles(size: float) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=MINCHO, fontSize=size, leading=size * 1.6,
                          wordWrap="CJK", firstLineIndent=size)
    return {
        "paragraph": body,
        "heading": ParagraphStyle("heading", fontName=GOTHIC, fontSize=size * 1.3,
                                  leading=size * 2, wordWrap="CJK", spaceBefore=size * 0.8,
                                  spaceAfter=size * 0.3),
        "item": ParagraphStyle("item", parent=body, firstLineIndent=-size,
                               leftIndent=size),
        # Code is set indented, in a monospaced font, as manuals set it.
        "code": ParagraphStyle("code", fontName="Courier", fontSize=size * 0.9,
                               leading=size * 1.4, leftIndent=size * 1.5),
        "title": ParagraphStyle("title", fontName=GOTHIC, fontSize=size * 2.2,
                                leading=size * 3, wordWrap="CJK"),
        "note": ParagraphStyle("note", fontName=MINCHO, fontSize=size * 0.75,
                               leading=size * 1.1, wordWrap="CJK"),
        "cell": ParagraphStyle("cell", fontName=GOTHIC, fontSize=size * 0.85,
                               leading=size * 1.2),
    }


class _Marked(PdfParagraph):
    """A paragraph that knows the numbers of the footnote markers it holds."""

    numbers: tuple[int, ...] = ()


def _flowables(story: Sequence[tuple[str, str]], table: Sequence[Sequence[str]],
               styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    flow: list[Flowable] = []
    number = 0
    for kind, text in story:
        if kind == "table":
            cells = [[PdfParagraph(escape(c), styles["cell"]) for c in row] for row in table]
            space = styles["paragraph"].fontSize
            grid = Table(cells, hAlign="LEFT", spaceBefore=space, spaceAfter=space)
            grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                      ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]))
            flow.append(grid)
        elif kind == "code":
            flow += [PdfParagraph(escape(line) or "&nbsp;", styles["code"])
                     for line in text.split("\n")]
        else:
            parts = escape(text).split(MARK)
            marked, numbers = parts[0], []
            for part in parts[1:]:
                number += 1
                numbers.append(number)
                marked += f"<super>{number}</super>{part}"
            paragraph = _Marked(marked, styles[kind])
            paragraph.numbers = tuple(numbers)
            flow.append(paragraph)
    return flow


class _Newsletter(BaseDocTemplate):
    """Remembers the page each footnote marker was set on."""

    def __init__(self, out: io.BytesIO, **kwargs: object) -> None:
        super().__init__(out, **kwargs)
        self.note_pages: dict[int, int] = {}

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab's hook name)
        for number in getattr(flowable, "numbers", ()):
            self.note_pages[number] = self.page


def _build(out: io.BytesIO, heads: tuple[str, str], story: Sequence[tuple[str, str]],
           notes: Sequence[str], table: Sequence[Sequence[str]],
           note_pages: dict[int, int], size: float) -> dict[int, int]:
    title, header = heads
    styles = _styles(size)
    width, height = A4
    column = (width - 2 * _MARGIN - _GUTTER) / 2
    bottom, top = _MARGIN + _NOTES_HEIGHT, height - _MARGIN

    def frames(top_edge: float) -> list[Frame]:
        return [Frame(_MARGIN + i * (column + _GUTTER), bottom, column, top_edge - bottom,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
                for i in (0, 1)]

    def furniture(pdf: canvas.Canvas, doc: _Newsletter) -> None:
        number = pdf.getPageNumber()
        pdf.setFont(MINCHO, size * 0.8)
        pdf.drawString(_MARGIN, height - _MARGIN * 0.6, header)
        pdf.line(_MARGIN, height - _MARGIN * 0.7, width - _MARGIN, height - _MARGIN * 0.7)
        pdf.drawCentredString(width / 2, _MARGIN * 0.5, f"- {number} -")
        if number == 1:
            heading = PdfParagraph(escape(title), styles["title"])
            heading.wrapOn(pdf, width - 2 * _MARGIN, _TITLE_HEIGHT)
            heading.drawOn(pdf, _MARGIN, top - _TITLE_HEIGHT + size)
        _draw_notes(pdf, [(n, notes[n - 1]) for n, page in sorted(note_pages.items())
                          if page == number and n <= len(notes)], styles["note"], size)

    doc = _Newsletter(out, pagesize=A4, invariant=True)
    doc.addPageTemplates([
        PageTemplate("first", frames(top - _TITLE_HEIGHT), onPage=furniture,
                     autoNextPageTemplate="later"),
        PageTemplate("later", frames(top), onPage=furniture),
    ])
    doc.build(_flowables(story, table, styles))
    return doc.note_pages


def _draw_notes(pdf: canvas.Canvas, notes: list[tuple[int, str]],
                style: ParagraphStyle, size: float) -> None:
    """The page's footnotes under a short rule, in the band kept free at its foot."""
    if not notes:
        return
    y = _MARGIN + _NOTES_HEIGHT - size * 0.6
    pdf.line(_MARGIN, y, _MARGIN + 120, y)
    for number, text in notes:
        note = PdfParagraph(f"<super>{number}</super> {escape(text)}", style)
        _, used = note.wrapOn(pdf, A4[0] - 2 * _MARGIN, _NOTES_HEIGHT)
        y -= used + 2
        note.drawOn(pdf, _MARGIN, y)
