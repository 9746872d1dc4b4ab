"""Build Japanese PDFs in memory for tests and benchmarks, with reportlab only (no files fetched).

The text uses reportlab's built-in Adobe-Japan1 CID fonts (HeiseiMin-W3, HeiseiKakuGo-W5): the
PDF names the font and the predefined CMap UniJIS-UCS2-H and embeds no glyphs, so an extractor
must know that CMap to give back Unicode. Pages look like a newsletter: lines wrapped at about
40 characters, a page number at the foot. Image-only pages stand in for scanned pages.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Sequence
from pathlib import Path

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

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
