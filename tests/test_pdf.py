"""PDF to text: Japanese pages come back whole and in order; each kind of bad PDF is refused."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.errors import InputError
from bot.sources.pdf import NO_TEXT_LAYER, pdf_to_text
from tests.support.make_pdf import GOTHIC, make_japanese_pdf, wrap_japanese

NEWS = (
    "中欧班列の運行本数が過去最多を更新した。カザフスタン経由の貨物は前年より2割増え、"
    "「一帯一路」の物流を支える重要なルートである。取扱量は2.6万TEU、売上高は948億ドル"
    "（前年比＋12％）。佐々木社長は①コスト削減②サービス向上を掲げ、ＡＢＣ社・ＸＹＺ社と"
    "提携〜今後も拡大する見通しだ。"
)
PAGE_TWO = ["二ページ目の本文です。", "「引用」と（括弧）、English 123。"]
PAGE_THREE = ["三ページ目。最終行。"]
ROOT = Path(__file__).resolve().parents[1]


def run_python(script: str) -> subprocess.CompletedProcess[str]:
    """Run `script` in a fresh interpreter at the project root, warnings as errors."""
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def lines_of(text: str) -> list[str]:
    """Non-blank lines, stripped: extractors may pad a line with spaces."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def test_a_wrapped_paragraph_comes_back_whole_and_pages_in_order():
    wrapped = wrap_japanese(NEWS, 40)
    assert len(wrapped) > 3  # the first page really is a wrapped paragraph
    text = pdf_to_text(make_japanese_pdf(None, [wrapped, PAGE_TWO, PAGE_THREE]))
    # Every character exactly (①, full-width letters, 〜), the page numbers gone.
    assert lines_of(text) == [NEWS, *PAGE_TWO, *PAGE_THREE]


def test_short_lines_stay_lines():
    text = pdf_to_text(
        make_japanese_pdf(None, [["一行目", "二行目"], ["次の頁"]], page_numbers=False)
    )
    assert text == "一行目\n二行目\n次の頁"


def test_gothic_font_extracts_too():
    pdf = make_japanese_pdf(None, [PAGE_TWO], font=GOTHIC, page_numbers=False)
    assert lines_of(pdf_to_text(pdf)) == PAGE_TWO


def test_twenty_pages_extract_in_page_order():
    pages = [[f"第{n}頁の記事。", *wrap_japanese(NEWS, 40)] for n in range(1, 21)]
    text = pdf_to_text(make_japanese_pdf(None, pages))
    assert lines_of(text) == [line for n in range(1, 21) for line in (f"第{n}頁の記事。", NEWS)]


def test_image_only_pages_are_skipped_between_text_pages():
    pdf = make_japanese_pdf(None, [["表紙の文"], [], ["最後の文"]], image_only_pages={1})
    assert lines_of(pdf_to_text(pdf)) == ["表紙の文", "最後の文"]


def test_owner_password_only_opens_with_the_empty_password():
    pdf = make_japanese_pdf(None, [PAGE_THREE], owner_password="owner", page_numbers=False)
    assert b"/Encrypt" in pdf
    assert lines_of(pdf_to_text(pdf)) == PAGE_THREE


def test_written_to_a_path_when_given(tmp_path):
    path = tmp_path / "news.pdf"
    data = make_japanese_pdf(path, [PAGE_THREE])
    assert path.read_bytes() == data


def bad_inputs() -> dict[str, tuple[bytes, str]]:
    """Each bad input with the start of the reason it must give."""
    good = make_japanese_pdf(None, [wrap_japanese(NEWS, 40), PAGE_TWO])
    return {
        "text named .pdf": ("これはPDFではありません".encode(), "not a PDF file"),
        "html named .pdf": (b"<!doctype html><p>hello</p>", "not a PDF file"),
        "png named .pdf": (b"\x89PNG\r\n\x1a\n" + bytes(64), "not a PDF file"),
        "empty": (b"", "not a PDF file"),
        "truncated to half": (good[: len(good) // 2], "damaged PDF: "),
        "trailer cut off": (good[:-100], "damaged PDF: "),
        "header only": (b"%PDF-1.7\n", "damaged PDF: "),
        "user password": (
            make_japanese_pdf(None, [PAGE_TWO], user_password="secret"),
            "encrypted PDF",
        ),
        "scanned pages": (
            make_japanese_pdf(None, [[], []], image_only_pages={0, 1}),
            NO_TEXT_LAYER,
        ),
    }


@pytest.mark.parametrize("case", list(bad_inputs()))
def test_bad_input_is_refused_with_its_reason(case: str):
    data, reason = bad_inputs()[case]
    with pytest.raises(InputError) as info:
        pdf_to_text(data)
    assert str(info.value).startswith(reason)
    assert "\n" not in str(info.value)


def test_encrypted_reason_is_not_taken_for_damage():
    data = make_japanese_pdf(None, [PAGE_TWO], user_password="secret")
    with pytest.raises(InputError, match=r"^encrypted PDF$"):
        pdf_to_text(data)


def test_a_pdf_with_no_page_is_damaged():
    # A hand-written, well-formed file whose page tree is empty.
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 3\n0000000000 65535 f \n")
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    with pytest.raises(InputError, match=r"^damaged PDF: "):
        pdf_to_text(out.getvalue())


@pytest.mark.slow
def test_bad_pdfs_print_nothing():
    # PDFium is C++ and could write to file descriptor 2, past pytest's capture; pypdfium2
    # writes there at exit about objects left open. So a fresh interpreter reads every bad
    # input and a good one, and both of its streams must stay empty.
    script = (
        "import sys\n"
        "from bot.core.errors import InputError\n"
        "from bot.sources.pdf import pdf_to_text\n"
        "from tests.test_pdf import bad_inputs, make_japanese_pdf, PAGE_TWO\n"
        "for data, _ in bad_inputs().values():\n"
        "    try:\n"
        "        pdf_to_text(data)\n"
        "    except InputError:\n"
        "        pass\n"
        "pdf_to_text(make_japanese_pdf(None, [PAGE_TWO]))\n"
    )
    done = run_python(script)
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")


def test_importing_the_module_does_not_load_the_pdf_engine():
    script = "import sys, bot.sources.pdf; print('pypdfium2' in sys.modules)"
    done = run_python(script)
    assert done.stdout.strip() == "False", done.stderr


@pytest.mark.slow
def test_threads_may_extract_at_once():
    # PDFium is not thread-safe: without the lock this child crashed (SIGSEGV) in about one run
    # in six, so a pass proves little but a failure is real. A child process, so that a crash
    # fails this test and not the whole run.
    script = (
        "import threading\n"
        "from bot.sources.pdf import pdf_to_text\n"
        "from tests.test_pdf import NEWS, make_japanese_pdf, wrap_japanese\n"
        "data = make_japanese_pdf(None, [wrap_japanese(NEWS, 40)] * 20)\n"
        "expected = pdf_to_text(data)\n"
        "def extract():\n"
        "    for _ in range(15):\n"
        "        assert pdf_to_text(data) == expected\n"
        "threads = [threading.Thread(target=extract) for _ in range(4)]\n"
        "for thread in threads:\n"
        "    thread.start()\n"
        "for thread in threads:\n"
        "    thread.join()\n"
        "print('ok')\n"
    )
    done = run_python(script)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")


def test_vertical_writing_is_read_as_pdfium_gives_it_not_one_character_a_line():
    # Lines are found by position; a column of vertical text would come out one character
    # a line. Such a page falls back to PDFium's own reading of it.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = UnicodeCIDFont(GOTHIC, isVertical=True)
    pdfmetrics.registerFont(font)  # under the horizontal font's name: put that back after
    try:
        out = io.BytesIO()
        pdf = canvas.Canvas(out, invariant=True)
        pdf.setFont(font.fontName, 12)
        columns = ["一列目の文は上から下へ進む。", "二列目も同じように進む。", "三列目で終わる。"]
        for number, text in enumerate(columns):
            pdf.drawString(500 - number * 20, 780, text)
        pdf.showPage()
        pdf.save()
    finally:
        pdfmetrics.registerFont(UnicodeCIDFont(GOTHIC))
    lines = lines_of(pdf_to_text(out.getvalue()))
    assert lines and all(len(line) > 1 for line in lines), lines
    assert "三列目で終わる。" in lines


def test_pages_with_nothing_but_page_numbers_are_refused_with_a_reason():
    data = make_japanese_pdf(None, [[], []])  # each page holds only its `- n -`
    with pytest.raises(InputError, match=r"^no text in PDF: only page numbers"):
        pdf_to_text(data)


def test_the_sample_newsletter_reads_as_two_articles_of_whole_sentences():
    from bot.glossary import Glossary
    from bot.run.pipeline import analyze_text
    from bot.sources.readers import is_hard_wrapped, read_text

    name = "05_newsletter.pdf"
    text = read_text(name, (ROOT / "seeds" / name).read_bytes())
    analyses = analyze_text(text, Glossary(), 3, hard_wrapped=is_hard_wrapped(name))
    assert [a.article.title for a in analyses] == [
        "アクタウ港に新ターミナル、カスピ海ルートの要に",
        "ウズベキスタンで大型の太陽光・蓄電事業",
    ]
    sentences = [s for a in analyses for s in a.sentences]
    assert len(sentences) >= 8
    assert all(s.endswith("。") and not s.startswith(("、", "。")) for s in sentences)
    assert not any(re.search(r"- ?\d+ ?-", s) for s in sentences)
    # The sentence the layout broke across lines, whole.
    broken = "カスピ海横断国際輸送ルートを使う貨物は前年より3割ほど増えており、"
    assert f"{broken}港湾の混雑が課題となっていた。" in sentences


def test_gaps_between_japanese_pieces_are_not_spaces():
    # Text drawn piece by piece with gaps (justified by the producer): PDFium puts a space of
    # its own in each gap, which cleaning would turn into `・` between Japanese words. A space
    # that the text itself holds stays.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(GOTHIC))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, invariant=True)
    pdf.setFont(GOTHIC, 10.5)
    pieces, x = ["中国と", "中央アジ", "アを結ぶ", "貨物列車", "の運行 Debian", "向け。"], 72.0
    for piece in pieces:
        pdf.drawString(x, 700, piece)
        x += pdfmetrics.stringWidth(piece, GOTHIC, 10.5) + 4
    pdf.showPage()
    pdf.save()
    assert pdf_to_text(out.getvalue()) == "中国と中央アジアを結ぶ貨物列車の運行 Debian 向け。"
