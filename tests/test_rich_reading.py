"""What documents carry beside their text, read as a reader sees it: superscript footnote
markers and their bodies in a PDF, a one-page PDF's header, a URL wrapped in a Japanese column,
list items in columns, a PDF table's cells, and a data table in a web page."""

from __future__ import annotations

import io

from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

from bot.sources.pdf import pdf_to_text
from bot.sources.pdf.furniture import drop_furniture
from bot.sources.pdf.layout import compose, join_text
from bot.sources.pdf.lines import Line, Page
from bot.sources.web.page import html_to_text
from bot.text.clean import clean_text
from tests.support.make_pdf import MINCHO


def noted_pdf(paragraphs: list[str], notes: list[str]) -> bytes:
    """One page: paragraphs (`<super>n</super>` marks a note), then the notes set small, each
    led by its raised number, as at the foot of a page."""
    pdfmetrics.registerFont(UnicodeCIDFont(MINCHO))
    body = ParagraphStyle("body", fontName=MINCHO, fontSize=10, leading=16, wordWrap="CJK")
    small = ParagraphStyle("note", parent=body, fontSize=7.5, leading=11)
    out = io.BytesIO()
    story = [Paragraph(text, body) for text in paragraphs]
    story += [Paragraph(f"<super>{n}</super> {text}", small) for n, text in enumerate(notes, 1)]
    SimpleDocTemplate(out, pagesize=A4, invariant=True).build(story)
    return out.getvalue()


def test_a_superscript_marker_stays_in_its_line_and_its_note_is_dropped():
    text = pdf_to_text(noted_pdf(
        ["川辺の遊歩道は今月から夜間も通れるようになり、利用者は前年の倍近くに増えた<super>1</super>"
         "という。市は来年度、照明をさらに増やす方針だ。",
         "次の段落は注のない普通の文で、ここで終わります。"],
        ["市の観光課による推計値。"]))
    assert "増えた¹という。" in text  # a raised small digit: a superscript, not a line
    assert "¹市の観光課による推計値。" in text.splitlines()
    assert clean_text(text) == [
        "川辺の遊歩道は今月から夜間も通れるようになり、利用者は前年の倍近くに増えたという。"
        "市は来年度、照明をさらに増やす方針だ。",
        "次の段落は注のない普通の文で、ここで終わります。"]


def test_a_note_body_led_by_a_superscript_without_a_space_is_dropped():
    assert clean_text("本文の文です。\n²市の観光課による推計値。\n³ 同じく町の推計値。") == [
        "本文の文です。"]


def page(*lines: Line) -> Page:
    return Page(595.0, 842.0, lines)


def test_a_one_page_documents_small_header_above_the_text_is_dropped():
    header = Line("町内会だより 冬号", 50, 130, 810, 8, 8)
    title = Line("雪かきの当番が決まりました", 50, 330, 740, 22, 22)
    text = [Line("今年の冬は、各班から二名ずつ当番を出すことになりました。", 50, 540, 700 - 16 * i,
                 10, 10) for i in range(3)]
    kept = drop_furniture([page(header, title, *text)])[0].lines
    assert header not in kept and title in kept and len(kept) == 4
    # Set at the text's size it may be text, and without a title below it the title: kept.
    same = Line("町内会だより 冬号", 50, 140, 810, 10, 10)
    assert same in drop_furniture([page(same, title, *text)])[0].lines
    assert header in drop_furniture([page(header, *text)])[0].lines


def test_a_url_glued_to_japanese_text_is_whole_across_a_wrap():
    assert join_text("詳しくは市のサイト（https://example.jp/sno", "w/plan）をご覧ください。") == (
        "詳しくは市のサイト（https://example.jp/snow/plan）をご覧ください。")
    # Set apart by spaces, a URL ends where the line does: the next word is another.
    assert join_text("see https://example.org/faq", "for details") == (
        "see https://example.org/faq for details")


def test_a_data_table_is_not_text_but_a_table_of_sentences_is():
    html = ("<main><p>今年の当番は次のとおりです。</p>"
            "<table><tr><th>班</th><th>人数</th></tr><tr><td>一班</td><td>4人</td></tr>"
            "<tr><td>二班</td><td>3人</td></tr></table>"
            "<table><tr><td>集合場所は公民館の前です。</td></tr>"
            "<tr><td>道具は各自で用意してください。</td></tr></table></main>")
    assert html_to_text(html).splitlines() == [
        "今年の当番は次のとおりです。", "集合場所は公民館の前です。",
        "道具は各自で用意してください。"]


def set_lines(texts: list[str], left: float, top: float, size: float = 13.0) -> list[Line]:
    """Lines of CJK text one below the other (each character one font size wide)."""
    return [Line(text, left + (size if indent else 0),
                 left + (size if indent else 0) + size * len(text), top - i * 21, size, size)
            for i, (text, indent) in enumerate(texts_and_indents(texts))]


def texts_and_indents(texts: list[str]) -> list[tuple[str, bool]]:
    """`>` before a text: set one font size in (a list item's text hanging under its bullet)."""
    return [(text.lstrip(">"), text.startswith(">")) for text in texts]


def test_a_column_of_list_items_keeps_its_bullets_in_the_column():
    # The right column is mostly items whose lines hang one size in: its margin is measured
    # there, and the bullets (one size left of it) must still belong to it.
    body = "町内の清掃活動は毎月第二日曜日の朝に行い"  # 20 characters: a full line
    left = set_lines([body] * 12 + ["ます。"], 50, 700)
    items = ["・集合は午前八時に公民館の前の広場で、雨", ">天の場合は翌週の同じ時刻に順延します。",
             ">当日の朝に放送でお知らせいたします。",
             "・軍手とごみ袋は町内会で用意しますので、", ">各自でお持ちいただく必要はありません。",
             ">飲み物は各自でご用意ください。"]
    right = set_lines(items, 320, 700)
    text = compose([Page(595.0, 842.0, (*left, *right))]).splitlines()
    assert text[-2:] == [
        "- 集合は午前八時に公民館の前の広場で、雨天の場合は翌週の同じ時刻に順延します。"
        "当日の朝に放送でお知らせいたします。",
        "- 軍手とごみ袋は町内会で用意しますので、各自でお持ちいただく必要はありません。"
        "飲み物は各自でご用意ください。"]


def test_a_list_item_hangs_on_every_line_and_into_the_next_column():
    body = "町内の清掃活動は毎月第二日曜日の朝に行い"  # 20 characters: a full line
    item = ["・集合は午前八時に公民館の前の広場で、雨", ">天の場合は翌週の同じ時刻に順延しますの",
            ">で、放送をお聞きください。"]
    left = set_lines([body] * 8 + item[:2], 50, 700)
    right = set_lines([item[2], ">次の段落はここから始まり、一行で終わる。", *[body] * 6, "ます。"],
                      320, 700)
    text = compose([Page(595.0, 842.0, (*left, *right))]).splitlines()
    assert text[1:3] == [
        "- 集合は午前八時に公民館の前の広場で、雨天の場合は翌週の同じ時刻に順延しますので、"
        "放送をお聞きください。",
        "次の段落はここから始まり、一行で終わる。" + body * 6 + "ます。"]


def test_table_cells_set_close_together_are_lines_of_their_own():
    pdfmetrics.registerFont(UnicodeCIDFont(MINCHO))
    cell = ParagraphStyle("cell", fontName=MINCHO, fontSize=11, leading=13)
    text = ParagraphStyle("text", fontName="Helvetica", fontSize=11, leading=15,
                          alignment=TA_JUSTIFY)
    # (Two characters a cell at least: PDFium loses a lone CJK glyph of a font it has no
    # glyph boxes for, see bot/sources/pdf/__init__.py.)
    rows = [("班名", "人数", "前年比"), ("一班", "12人", "+8.5%"), ("二班", "9人", "-2.0%")]
    grid = Table([[Paragraph(c, cell) for c in row] for row in rows], colWidths=[44, 44, 52])
    words = "The volunteers meet at the hall at eight and work along the river until noon. " * 4
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, invariant=True).build([grid, Paragraph(words, text)])
    lines = pdf_to_text(out.getvalue()).splitlines()
    assert lines[:9] == ["班名", "人数", "前年比", "一班", "12人", "+8.5%", "二班", "9人", "-2.0%"]
    assert lines[9:] == [words.strip()]  # justified words keep their line
