"""Build Japanese PDFs in memory for tests and benchmarks, with reportlab only (no files fetched).

The text uses reportlab's built-in Adobe-Japan1 CID fonts (HeiseiMin-W3, HeiseiKakuGo-W5): the
PDF names the font and the predefined CMap UniJIS-UCS2-H and embeds no glyphs, so an extractor
must know that CMap to give back Unicode. `make_japanese_pdf` sets pages like a newsletter:
lines wrapped at about 40 characters, a page number at the foot; image-only pages stand in for
scanned pages. `make_report_pdf` sets flowing text as a typesetter does (platypus, lines broken
anywhere between characters), with a title, a table of contents, running headers and footers.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, PageBreak, SimpleDocTemplate
from reportlab.platypus import Paragraph as PdfParagraph

MINCHO = "HeiseiMin-W3"
GOTHIC = "HeiseiKakuGo-W5"
FONT_SIZE = 10.5
LEADING = 16
MARGIN = 56


def wrap_japanese(text: str, width: int = 40) -> list[str]:
    """Cut `text` into lines of `width` characters, as a newsletter's layout does."""
    return [text[i : i + width] for i in range(0, len(text), width)]


def make_japanese_pdf(
    path: Path | None,
    pages: Sequence[Sequence[str]],
    *,
    image_only_pages: Collection[int] = (),
    page_numbers: bool = True,
    font: str = MINCHO,
    user_password: str | None = None,
    owner_password: str | None = None,
) -> bytes:
    """A PDF with one page per entry of `pages` (each a list of lines); written to `path` if given.

    Pages whose index is in `image_only_pages` get a drawn frame and a bitmap but no text at all,
    like a scan. `user_password` / `owner_password` encrypt the file with RC4-128 (reportlab's
    AES needs the extra pyaes package); an owner password alone leaves the file readable with the
    empty password. reportlab leaves the CID fonts' Registry/Ordering strings unencrypted, which
    makes pdfminer.six and pymupdf fall back to raw CIDs; PDFium and pypdf read them.
    """
    pdfmetrics.registerFont(UnicodeCIDFont(font))  # idempotent: reportlab keeps a registry
    encrypt = None
    if user_password is not None or owner_password is not None:
        encrypt = StandardEncryption(user_password or "", owner_password, strength=128)
    out = io.BytesIO()
    # invariant=True fixes the creation date and document id, so equal input gives equal bytes.
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True, encrypt=encrypt)
    _, height = A4
    for index, lines in enumerate(pages):
        if index in image_only_pages:
            _draw_scan(pdf)
        else:
            pdf.setFont(font, FONT_SIZE)
            y = height - MARGIN
            for line in lines:
                pdf.drawString(MARGIN, y, line)
                y -= LEADING
            if page_numbers:
                pdf.drawCentredString(A4[0] / 2, MARGIN / 2, f"- {index + 1} -")
        pdf.showPage()
    pdf.save()
    data = out.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


def _draw_scan(pdf: canvas.Canvas) -> None:
    """Draw what a scanned page holds: shapes and a bitmap, never a text operator."""
    width, height = A4
    pdf.setFillGray(0.85)
    pdf.rect(MARGIN, MARGIN, width - 2 * MARGIN, height - 2 * MARGIN, stroke=1, fill=1)
    bitmap = Image.new("L", (64, 32), color=255)
    for x in range(8, 56):  # a few dark bars, like lines of print seen as pixels
        for y in (6, 14, 22):
            bitmap.putpixel((x, y), 0)
    pdf.drawImage(ImageReader(bitmap), MARGIN * 2, height / 2, width=256, height=128)


# ---------------------------------------------------------------------------------------------
# Laid-out documents: flowing text set by reportlab's platypus, as word processors and DocBook
# toolchains set reports and manuals, with the page furniture a reader must see past.


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


Block = Heading | Para | Bullets


@dataclass(frozen=True)
class Layout:
    """How a laid-out document looks; every field is a kind of layout seen in real documents."""

    header: str = "技術資料"  # left of the running header; the right holds `n / total`
    footer: str = "— {n} —"  # centred running footer; {n} is the page number
    leaders: str = "…"  # the table of contents' dot leader ("…", "．" or ". ")
    indent: bool = True  # paragraphs start with a one-em indent (else: space between them)
    width: float = 360.0  # text column width in points (A4 is 595)
    body_size: float = FONT_SIZE
    toc: bool = True
    font: str = MINCHO
    justify: bool = False  # lines spread to the full column width, as books and manuals are
    chapter_header: bool = False  # the header's left shows the current heading, not `header`
    furnish_first_page: bool = True  # header and footer on the title page too


def make_report_pdf(
    path: Path | None, title: str, blocks: Sequence[Block], layout: Layout = Layout()
) -> bytes:
    """A multi-page report: the title large on page 1, a table of contents with dot leaders,
    headings, paragraphs wrapped anywhere between characters, bullet lists, and on every page a
    running header (`<header>  n / total`) and footer (`— n —`)."""
    pdfmetrics.registerFont(UnicodeCIDFont(layout.font))
    pdfmetrics.registerFont(UnicodeCIDFont(GOTHIC))
    total = 1
    for _ in range(2):  # the first pass counts the pages the header shows as its total
        out = io.BytesIO()
        pages = _build_report(out, title, blocks, layout, total)
        total = pages
    data = out.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


def _build_report(
    out: io.BytesIO, title: str, blocks: Sequence[Block], layout: Layout, total: int
) -> int:
    size = layout.body_size
    body = ParagraphStyle(
        "body", fontName=layout.font, fontSize=size, leading=size * 1.6, wordWrap="CJK",
        firstLineIndent=size if layout.indent else 0, spaceBefore=0 if layout.indent else size,
        alignment=TA_JUSTIFY if layout.justify else TA_LEFT,
    )
    heading = ParagraphStyle(
        "heading", fontName=GOTHIC, fontSize=size * 1.4, leading=size * 2.2, wordWrap="CJK",
        spaceBefore=size, spaceAfter=size * 0.4,
    )
    big = ParagraphStyle("title", fontName=GOTHIC, fontSize=size * 2.2, leading=size * 3,
                         wordWrap="CJK", spaceAfter=size * 2)
    # The bullet is part of the text with a hanging indent, as word processors set lists.
    # (PDFium does not see a platypus bulletText drawn in a CID font; poppler does.)
    item = ParagraphStyle("item", parent=body, firstLineIndent=-size, leftIndent=size * 1.5,
                          spaceBefore=0)
    story: list[Flowable] = [PdfParagraph(title, big)]
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    if layout.toc and headings:
        story.append(PdfParagraph("目次", heading))
        story += [_toc_line(n, text, layout, body) for n, text in enumerate(headings, start=1)]
        story.append(PageBreak())
    for block in blocks:
        if isinstance(block, Heading):
            story.append(PdfParagraph(block.text, heading))
        elif isinstance(block, Para):
            story.append(PdfParagraph(block.text, body))
        else:
            story += [PdfParagraph(f"・{text}", item) for text in block.items]
    width, height = A4
    frame_x = (width - layout.width) / 2

    def furniture(pdf: canvas.Canvas, doc: _ReportDoc) -> None:
        number = pdf.getPageNumber()
        if number == 1 and not layout.furnish_first_page:
            return
        left = doc.chapter if layout.chapter_header and doc.chapter else layout.header
        pdf.setFont(layout.font, size * 0.8)
        pdf.drawString(frame_x, height - MARGIN * 0.7, left)
        pdf.drawRightString(frame_x + layout.width, height - MARGIN * 0.7, f"{number} / {total}")
        pdf.drawCentredString(width / 2, MARGIN * 0.5, layout.footer.format(n=number))

    doc = _ReportDoc(out, pagesize=A4, leftMargin=frame_x, rightMargin=frame_x,
                     topMargin=MARGIN * 1.2, bottomMargin=MARGIN * 1.2, invariant=True)
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return int(doc.page)


class _ReportDoc(SimpleDocTemplate):
    """Remembers the last heading set, for a running header that names the chapter."""

    chapter = ""

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab's hook name)
        if isinstance(flowable, PdfParagraph) and flowable.style.name == "heading":
            self.chapter = flowable.getPlainText()


def _toc_line(number: int, text: str, layout: Layout, style: ParagraphStyle) -> PdfParagraph:
    """`text ……… page`: leaders fill the column as a typesetter's tab leader would."""
    entry_width = pdfmetrics.stringWidth(text, layout.font, style.fontSize)
    leader_width = pdfmetrics.stringWidth(layout.leaders, layout.font, style.fontSize)
    count = int((layout.width * 0.85 - entry_width) / leader_width)
    return PdfParagraph(f"{text}{layout.leaders * count}{number + 1}",
                        ParagraphStyle("toc", parent=style, firstLineIndent=0, spaceBefore=0))
