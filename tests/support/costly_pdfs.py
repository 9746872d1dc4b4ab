"""PDFs that cost far more to read than their size says, written byte by byte: a content
stream that inflates to GiBs, a document of 100,000 pages, a page of millions of characters."""

from __future__ import annotations

import zlib


def write_pdf(objects: list[bytes]) -> bytes:
    """A PDF of `objects` (object 1 is the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
RESOURCES = b"/Resources << /Font << /F1 3 0 R >> >>"


def stream(data: bytes, compressed: bool = False) -> bytes:
    flate = b" /Filter /FlateDecode" if compressed else b""
    return b"<< /Length %d%s >>\nstream\n" % (len(data), flate) + data + b"\nendstream"


def inflating_pdf(mib: int) -> bytes:
    """One page whose content stream is a line of text and then `mib` MiB of spaces, in about
    mib KB: after a full flush, deflate starts afresh, so one compressed MiB can be repeated."""
    deflate = zlib.compressobj(9)
    head = deflate.compress(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET\n") + deflate.flush(
        zlib.Z_FULL_FLUSH)
    block = deflate.compress(b" " * (1 << 20)) + deflate.flush(zlib.Z_FULL_FLUSH)
    body = head + block * mib + deflate.flush()
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " + RESOURCES
            + b" /Contents 4 0 R >>")
    return write_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                      b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>", FONT,
                      stream(body, compressed=True), page])


def many_pages_pdf(count: int) -> bytes:
    """`count` pages sharing one small content stream."""
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(count))
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " + RESOURCES
            + b" /Contents 4 0 R >>")
    return write_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                      b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count, FONT,
                      stream(b"BT /F1 12 Tf 72 720 Td (Page) Tj ET"), *[page] * count])


def long_text_pdf(pages: int, chars_per_page: int) -> bytes:
    """`pages` pages of `chars_per_page` characters each (lines of 100)."""
    line = b"(" + b"A" * 99 + b" ) Tj 0 -1 Td\n"
    content = b"BT /F1 1 Tf 10 780 Td\n" + line * (chars_per_page // 100) + b"ET"
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(pages))
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " + RESOURCES
            + b" /Contents 4 0 R >>")
    return write_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                      b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages, FONT,
                      stream(content), *[page] * pages])
