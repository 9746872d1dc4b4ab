"""A PDF's own date (its CreationDate) is the last-resort date of its articles, not the time
the file was copied into the folder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from bot.sources.pdf import pdf_date
from bot.sources.pdf.extract import _pdf_day
from tests.conftest import run_cli
from tests.support.make_pdf import MINCHO

LINES = ["港湾の物流量が増える", "横浜港の取扱量は今年、過去最多となる見通しだと市が発表した。",
         "市は新しい岸壁の整備を急ぐ方針である。"]


def dated_pdf(invariant: bool) -> bytes:
    """A one-page Japanese PDF; `invariant` makes reportlab write the fixed date 2000-01-01."""
    pdfmetrics.registerFont(UnicodeCIDFont(MINCHO))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=invariant)
    page.setFont(MINCHO, 11)
    for n, line in enumerate(LINES):
        page.drawString(72, 760 - 20 * n, line)
    page.save()
    return buffer.getvalue()


@pytest.mark.parametrize(("value", "day"), [
    ("D:20241106093000+09'00'", "2024-11-06"), ("D:20000101000000+00'00'", "2000-01-01"),
    ("20250230", ""), ("D:2024", ""), ("", ""), ("yesterday", ""),
])
def test_pdf_dates_are_read_as_written(value: str, day: str):
    assert _pdf_day(value) == day


def test_the_creation_date_is_read_and_never_raises():
    assert pdf_date(dated_pdf(invariant=True)) == "2000-01-01"
    assert pdf_date(b"%PDF-1.4 truncated") == ""
    assert pdf_date(b"not a pdf") == ""


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_pdf_article_without_a_date_line_carries_the_pdf_s_date(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "port.pdf").write_bytes(dated_pdf(invariant=True))
    out = tmp_path / "out"
    result = run_cli("once", "--seeds", str(seeds), "--out", str(out),
                     "--state", str(tmp_path / "state.sqlite3"))
    assert result.returncode == 0, result.stderr
    (description,) = etree.parse(str(out / "feed.xml")).findall("channel/item/description")
    assert "2000-01-01" in (description.text or "")
