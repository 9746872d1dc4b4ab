"""Bytes → a Reading for each supported format (by file suffix), with encoding detection.

Pure: no file access. Each format has one reader; the registry below is the list of what is
read, and the README's table follows it: plain text, Markdown, HTML and XHTML, PDF, Word (.docx),
OpenDocument text (.odt) and mail (.eml).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.errors import InputError
from bot.core.model import Reading
from bot.sources.code_elements import strip_code_elements
from bot.sources.encodings import decode_bytes
from bot.sources.mail import read_mail
from bot.sources.markdown import read_markdown
from bot.sources.office.docx import read_docx
from bot.sources.office.odt import read_odt
from bot.sources.web.page import read_html

TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".xht")
PDF_SUFFIXES = (".pdf",)
DOCX_SUFFIXES = (".docx",)
ODT_SUFFIXES = (".odt",)
MAIL_SUFFIXES = (".eml",)


def _read_plain(data: bytes) -> Reading:
    # A text file saved from a page's source may carry its scripts: code, never text.
    return Reading(strip_code_elements(decode_bytes(data)))


def _read_markdown(data: bytes) -> Reading:
    return read_markdown(strip_code_elements(decode_bytes(data)))


def _read_html(data: bytes) -> Reading:
    return read_html(decode_bytes(data))


def _read_pdf(data: bytes) -> Reading:
    from bot.sources.pdf import pdf_to_text  # PDFium loads only when a PDF arrives

    return Reading(pdf_to_text(data), hard_wrapped=True)


def _read_docx(data: bytes) -> Reading:
    return Reading(read_docx(data))


def _read_odt(data: bytes) -> Reading:
    return Reading(read_odt(data))


_READERS: dict[str, Callable[[bytes], Reading]] = {
    **dict.fromkeys(TEXT_SUFFIXES, _read_plain),
    **dict.fromkeys(MARKDOWN_SUFFIXES, _read_markdown),
    **dict.fromkeys(HTML_SUFFIXES, _read_html),
    **dict.fromkeys(PDF_SUFFIXES, _read_pdf),
    **dict.fromkeys(DOCX_SUFFIXES, _read_docx),
    **dict.fromkeys(ODT_SUFFIXES, _read_odt),
    **dict.fromkeys(MAIL_SUFFIXES, read_mail),
}
SUPPORTED_SUFFIXES = tuple(_READERS)
# Formats editors are sent that are not read, and the one their program can save them as.
_SAVE_AS = {".doc": ".docx", ".rtf": ".docx", ".pages": ".docx", ".msg": ".eml",
            ".mht": ".html", ".mhtml": ".html", ".xls": "PDF", ".xlsx": "PDF", ".ppt": "PDF",
            ".pptx": "PDF", ".ods": "PDF", ".odp": "PDF"}


def read_date(name: str, data: bytes) -> str:
    """The date a file's format records inside it (a PDF's creation date), else "".

    Not a Word or OpenDocument file's core dates: generators and templates carry stale ones
    (python-docx writes its template's 2013 date into every document it makes), and the
    file's date is also the upper bound for dates found in the text, so a stale one would
    discard the issue date the document states. The text's date, else the file's
    modification date, is better."""
    if not name.lower().endswith(PDF_SUFFIXES):
        return ""
    from bot.sources.pdf import pdf_date  # PDFium loads only when a PDF arrives

    return pdf_date(data)


def is_hard_wrapped(name: str) -> bool:
    """Does this format come with its layout's line breaks (PDF), not the author's?"""
    return name.lower().endswith(PDF_SUFFIXES)


def read_document(name: str, data: bytes) -> Reading:
    """Decode `data` and read it as its format (by file suffix) says."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    reader = _READERS.get(suffix)
    if reader is None:
        hint = _SAVE_AS.get(suffix, "")
        raise InputError(f"unsupported file type {suffix or '(none)'}"
                         + (f": save it as {hint} to have it read" if hint else ""))
    if not data.strip():
        raise InputError("empty file")
    reading = reader(data)
    if not reading.text.strip():
        raise InputError("no text in file")
    return reading


def read_text(name: str, data: bytes) -> str:
    """The text alone of `read_document` (for callers that need no metadata)."""
    return read_document(name, data).text
