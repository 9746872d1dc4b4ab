"""PDF bytes → text, read in a child process that may cost only so much: pages, characters,
memory and time (`PdfLimits`). Past any of them the file is skipped with the reason; the rest
of the batch goes on, and this process never holds what one file inflated.

Why a child: PDFium inflates a page's content stream whole when it loads the page, before any
of its text can be counted. Measured: a one-page PDF whose flate stream holds 256 MiB of
spaces (261 KB on disk) peaked at 547 MB read in process, about twice the stream; 1 GiB took
2.1 GB. The declared /Length is the compressed size and a stream may be encrypted, so the bytes
do not tell the cost before it is paid. In the child, an address-space limit (RLIMIT_AS) makes
PDFium's allocation fail instead, and a timeout kills a file that keeps it busy (100,000 pages
took 93 s; the page bound refuses such a file before reading a page). Measured with the child:
the 1.5 GiB stream is refused (PDFium aborts at the 1 GiB limit) while this process stays at
68 MB; starting the child costs 0.2-0.3 s a PDF (mostly importing pypdfium2), against 3 ms
for reading a 2-page newsletter. The reading itself is bot/sources/pdf/extract.py.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from dataclasses import dataclass

from bot.core.errors import InputError
from bot.sources.pdf.extract import NO_TEXT_LAYER, pdf_date

__all__ = ["NO_TEXT_LAYER", "PdfLimits", "pdf_date", "pdf_to_text"]

INPUT_ERROR_EXIT = 3  # the child's exit code for an InputError (its reason on stderr)


@dataclass(frozen=True)
class PdfLimits:
    """What one PDF may cost. The defaults are far above any real newsletter or report (a
    300-page report: about 450,000 characters read in 2-3 s) and far below what hurts."""

    max_pages: int = 2_000
    max_chars: int = 2_000_000
    max_memory_bytes: int = 1 << 30  # the child's address space, PDFium's buffers included
    max_seconds: float = 120.0


def pdf_to_text(data: bytes, limits: PdfLimits | None = None) -> str:
    """The document's text, one paragraph per line, title first; InputError when it cannot
    be read or costs more than `limits` allow."""
    if b"%PDF-" not in data[:1024]:
        raise InputError("not a PDF file")  # said at once: no child for what is no PDF
    limits = limits or PdfLimits()
    command = [sys.executable, "-P", "-m", "bot.sources.pdf.child", str(limits.max_pages),
               str(limits.max_chars), str(limits.max_memory_bytes)]
    try:
        done = subprocess.run(command, input=data, capture_output=True,
                              timeout=limits.max_seconds, check=False)
    except subprocess.TimeoutExpired:  # run() has killed the child
        raise InputError(f"PDF took too long to read (over {limits.max_seconds:g} s)") from None
    if done.returncode == 0:
        return done.stdout.decode("utf-8", "surrogatepass")
    reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
    if done.returncode == INPUT_ERROR_EXIT and reason:
        raise InputError(reason[-1])
    # Out of memory (PDFium aborts when an allocation fails), or killed by another signal.
    how = (signal.Signals(-done.returncode).name if done.returncode < 0
           else f"exit {done.returncode}")
    raise InputError(f"PDF needs more than {limits.max_memory_bytes >> 20:,} MB of memory to "
                     f"read, or crashed the PDF reader ({how})")
