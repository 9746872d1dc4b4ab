"""What one PDF may cost: pages, characters, memory and time. Past a bound the file is skipped
with its reason and the rest of the batch is published. Bounds are asserted by being hit (the
reason given), never by a measured duration."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import InputError
from bot.sources.pdf import PdfLimits, pdf_to_text
from tests.conftest import run_cli
from tests.reliability.helpers import feed_titles, normalized, write_good
from tests.support.costly_pdfs import inflating_pdf, long_text_pdf, many_pages_pdf


@pytest.mark.slow
def test_a_stream_inflating_past_the_memory_bound_is_refused_in_the_child() -> None:
    data = inflating_pdf(1536)  # 1.5 GiB of content from 1.6 MB: read in process, ~3 GB
    assert len(data) < 2_000_000
    with pytest.raises(InputError, match=r"^PDF needs more than 1,024 MB of memory to read"):
        pdf_to_text(data)
    assert pdf_to_text(inflating_pdf(4)) == "Hello"  # the same shape, small: read


def test_a_document_of_too_many_pages_is_refused_before_a_page_is_read() -> None:
    with pytest.raises(InputError) as raised:
        pdf_to_text(many_pages_pdf(100_000))
    assert str(raised.value) == "PDF too long: 100,000 pages (limit 2,000)"
    # At the bound: read (each page says only "Page", which repeats: furniture, not text).
    with pytest.raises(InputError, match=r"^no text in PDF: only page numbers"):
        pdf_to_text(many_pages_pdf(3), PdfLimits(max_pages=3))
    with pytest.raises(InputError, match=r"^PDF too long: 4 pages \(limit 3\)$"):
        pdf_to_text(many_pages_pdf(4), PdfLimits(max_pages=3))


def test_text_past_the_character_bound_stops_the_reading() -> None:
    data = long_text_pdf(5, 2_000)
    with pytest.raises(InputError) as raised:
        pdf_to_text(data, PdfLimits(max_chars=5_000))
    assert str(raised.value) == "PDF text too long: over 5,000 characters by page 3"
    assert len(pdf_to_text(data, PdfLimits(max_chars=20_000))) >= 2_000  # within: read


def test_a_reading_past_the_time_bound_is_stopped() -> None:
    # No child starts, loads PDFium and reads 50,000 lines within a millisecond.
    with pytest.raises(InputError, match=r"^PDF took too long to read \(over 0\.001 s\)$"):
        pdf_to_text(long_text_pdf(5, 10_000), PdfLimits(max_seconds=0.001))


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_run_skips_costly_pdfs_with_their_reasons_and_publishes_the_rest(
        tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    good = [write_good(seeds, 4300 + n) for n in range(2)]
    (seeds / "bomb.pdf").write_bytes(inflating_pdf(1536))
    (seeds / "endless.pdf").write_bytes(many_pages_pdf(100_000))
    state = tmp_path / "state.sqlite3"
    once = run_cli("once", "--seeds", str(seeds), "--out", str(tmp_path / "out"),
                   "--state", str(state))
    assert once.returncode == 0, once.stderr
    titles = {normalized(title) for title in feed_titles(tmp_path / "out")}
    assert {normalized(doc.title) for doc in good} <= titles
    status = run_cli("status", "--state", str(state)).stdout
    skipped = {line.split(" (")[0].strip(): line.split("): ", 1)[1]
               for line in status.splitlines() if line.startswith("  ") and "): " in line}
    assert skipped["bomb.pdf"].startswith("PDF needs more than 1,024 MB of memory to read")
    assert skipped["endless.pdf"] == "PDF too long: 100,000 pages (limit 2,000)"
