"""Reading a PDF in this process (bot/sources/pdf/__init__.py runs this in a child).

PDF bytes → text, one page after another, with pypdfium2 (PDFium, the engine in Chrome).

Why pypdfium2: measured on generated Japanese PDFs (CID fonts with the predefined UniJIS-UCS2-H
CMap, embedded TrueType subsets, RC4 and AES encryption) against pypdf 7.1, pdfminer.six 20260107
and pymupdf 2.0 (AGPL, so out anyway). pypdfium2 5.15 extracted every line exactly, in order,
with line breaks kept; it imports in 63 ms (pypdf 263, pdfminer 146, pymupdf 2171) and reads a
20-page newsletter in 22 ms (pypdf 73, pdfminer 371, pymupdf 14). It opens AES-encrypted files
with the empty password by itself, where pypdf needs `cryptography` (+15 MB) for AES, and its
load errors carry a code that tells a wrong password from a damaged file. It costs 9 MB installed
(pypdf 2 MB, pdfminer with its dependencies 26 MB, pymupdf with its own 260 MB); licence
Apache-2.0 or BSD-3-Clause. pdfminer puts a blank line between every pair of lines; pymupdf turns
〜 (U+301C) into ～ (U+FF5E).

PDFium is not thread-safe, even across documents: every call into it holds one process-wide lock.

Plain text from PDFium keeps every line the layout broke, running headers, page numbers and the
table of contents. So the text is rebuilt from the layout instead: lines.py reads each line's
box and font size (under the lock, one page at a time), furniture.py drops what repeats in the
page margins and the contents, layout.py rejoins a paragraph's lines from their geometry and
puts the first page's largest text first, as the title. Measured on a generated 300-page report
(bench/pdf.py): 6–9 ms a page against 3–6 for the plain text, the same peak memory (the lines
of all pages take about 17 KB a page), and every sentence whole where the plain text kept 87%
whole and put the header or the contents into 300 sentences.

Known limit of PDFium: a text object of one CJK character in a font without glyph boxes (a
non-embedded CID font) is missing from its text page, as it was from the plain text: a lone
last character of a paragraph drawn by itself is lost.
"""

from __future__ import annotations

import re
import threading
from datetime import date
from typing import Any

from bot.core.errors import InputError
from bot.sources.pdf.layout import compose
from bot.sources.pdf.lines import Page, read_page

NO_TEXT_LAYER = "PDF has no text layer (scanned image?): needs OCR, which Kakehashi does not do"

# PDFium crashes or corrupts memory when two threads call it at once, whatever the documents.
_PDFIUM_LOCK = threading.Lock()
# A PDF's header may follow up to 1 KB of junk (PDFium and Acrobat both accept that).
_HEADER_WINDOW = 1024


def extract_text(data: bytes, max_pages: int, max_chars: int) -> str:
    """The document's text, one paragraph per line, title first, read in this process;
    InputError when unreadable, or past `max_pages` pages or `max_chars` characters."""
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        raise InputError("not a PDF file")
    # Imported here: the CLI must start, and read other formats, without the PDF engine.
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        document = _open_document(pdfium, data)
        try:
            pages = _bounded_pages(pdfium, document, max_pages, max_chars)
        finally:
            # Closed here, inside the lock: left to the garbage collector, the close would call
            # PDFium from whichever thread collects, unlocked. (PDFium reads `data` in place until
            # then; it stays referenced by this frame.)
            document.close()
    if not any(page.lines for page in pages):
        raise InputError(NO_TEXT_LAYER)
    text = compose(pages)
    if not text.strip():  # everything on the pages was furniture (page numbers only)
        raise InputError("no text in PDF: only page numbers, headers or a table of contents")
    return text


def pdf_date(data: bytes) -> str:
    """The day the PDF says it was made (its CreationDate, else ModDate) as YYYY-MM-DD, as
    written in its own time zone; "" when it gives none or cannot be read. Never raises: a
    date is a nicety, and an unreadable file is reported by pdf_to_text."""
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        return ""
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        try:
            document = _open_document(pdfium, data)
        except InputError:
            return ""
        try:
            values = [document.get_metadata_value(key) for key in ("CreationDate", "ModDate")]
        except pdfium.PdfiumError:
            values = []
        finally:
            document.close()
    return next((day for value in values if (day := _pdf_day(str(value or "")))), "")


def _pdf_day(value: str) -> str:
    """`D:20241106093000+09'00'` → `2024-11-06`; "" for anything that is not a real day."""
    match = re.match(r"^(?:D:)?(\d{4})(\d{2})(\d{2})", value.strip())
    if not match:
        return ""
    try:
        return date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        return ""


def _open_document(pdfium: Any, data: bytes) -> Any:
    """Load `data` with the empty password, mapping PDFium's load error codes to InputError."""
    raw = pdfium.raw
    # The raw call, not PdfDocument(data): on a file that loads but has no page, the helper
    # reports FPDF_GetLastError(), which is then left over from an earlier file (measured: a
    # zero-page file after an encrypted one read as "incorrect password"), and leaks the handle.
    handle = raw.FPDF_LoadMemDocument64(data, len(data), None)
    if not handle:
        code = raw.FPDF_GetLastError()
        if code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
            # The empty password was tried: an owner-only password (print/copy limits) opens.
            raise InputError("encrypted PDF")
        raise InputError("damaged PDF: truncated or corrupt, cannot be parsed")
    document = pdfium.PdfDocument(handle)  # takes ownership: closing it closes the handle
    if len(document) == 0:
        document.close()
        raise InputError("damaged PDF: no pages")
    return document


def _bounded_pages(pdfium: Any, document: Any, max_pages: int, max_chars: int
                   ) -> list[Page]:
    """Every page's lines, refusing a document past either bound as soon as it shows."""
    count = len(document)
    if count > max_pages:  # told before a page is read: 100,000 pages took 93 s
        raise InputError(f"PDF too long: {count:,} pages (limit {max_pages:,})")
    pages, chars = [], 0
    for index in range(count):
        pages.append(_page_lines(pdfium, document, index))
        chars += sum(len(line.text) for line in pages[-1].lines)
        if chars > max_chars:
            raise InputError(f"PDF text too long: over {max_chars:,} characters by page "
                             f"{index + 1}")
    return pages


def _page_lines(pdfium: Any, document: Any, index: int) -> Page:
    """The lines of one page; the page is closed before the next is loaded (memory stays flat)."""
    try:
        page = document[index]
    except pdfium.PdfiumError as exc:
        raise InputError(f"damaged PDF: page {index + 1} cannot be read") from exc
    try:
        return read_page(pdfium, page)
    except pdfium.PdfiumError as exc:
        raise InputError(f"damaged PDF: page {index + 1} cannot be read") from exc
    finally:
        page.close()
