"""Bytes → text for each supported format, with encoding detection. Pure: no file access."""

from __future__ import annotations

import codecs
import re

from bot.errors import InputError
from bot.sources.html import html_to_text

TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + MARKDOWN_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def is_hard_wrapped(name: str) -> bool:
    """Does this format come with its layout's line breaks (PDF), not the author's?"""
    return name.lower().endswith(PDF_SUFFIXES)


def read_text(name: str, data: bytes) -> str:
    """Decode `data` and convert it from its format (by file suffix) to plain text."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(f"unsupported file type {suffix or '(none)'}")
    if not data.strip():
        raise InputError("empty file")
    if suffix in PDF_SUFFIXES:
        from bot.sources.pdf import pdf_to_text  # PDFium loads only when a PDF arrives

        return pdf_to_text(data)
    text = decode_bytes(data)
    if suffix in HTML_SUFFIXES:
        text = html_to_text(text)
    elif suffix in MARKDOWN_SUFFIXES:
        text = markdown_to_text(text)
    if not text.strip():
        raise InputError("no text in file")
    return text


def decode_bytes(data: bytes) -> str:
    """Bytes → str: BOM, then strict UTF-8, then charset-normalizer (Shift_JIS, EUC-JP…)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise InputError("binary file (NUL bytes), not text")
    from charset_normalizer import from_bytes  # imported here: only non-UTF-8 input needs it

    best = from_bytes(data).best()
    if best is None:
        raise InputError("undecodable bytes: not text in any known encoding")
    # cp932 is the Windows superset of Shift_JIS (①, ～, NEC symbols): decode with it.
    encoding = "cp932" if best.encoding in ("shift_jis", "cp932") else best.encoding
    return data.decode(encoding, errors="replace")


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def markdown_to_text(text: str) -> str:
    """Markdown → plain lines: headings, emphasis and link syntax removed, lists kept as '- '."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        stripped = re.sub(r"^#{1,6}\s+", "", stripped)
        stripped = re.sub(r"^[*+]\s+", "- ", stripped)
        stripped = re.sub(r"^>\s?", "", stripped)
        stripped = _MD_LINK.sub(r"\1", stripped)
        stripped = _MD_EMPHASIS.sub(r"\2", stripped)
        if re.fullmatch(r"[-*_=]{3,}", stripped):
            stripped = ""
        lines.append(stripped)
    return "\n".join(lines)
