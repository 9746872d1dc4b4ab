"""Word (.docx) files, built with python-docx (a producer independent of the reader): text in
order, headline first, lists, tables, what is left out, and dates."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from bot.glossary import Glossary
from bot.run.pipeline import analyze_text
from bot.sources.readers import read_date, read_document, read_text
from bot.text.dates import date_analyses
from tests.support.office import (
    HEADLINE,
    LEAD,
    SECOND,
    lines,
    make_docx,
    press_release,
)


def test_the_title_style_is_the_headline_even_below_the_date_and_issuer():
    text = read_text("release.docx", make_docx(press_release))
    assert lines(text) == [HEADLINE, "2025年4月1日", "株式会社かけはし運輸", "概要", LEAD, SECOND]


def test_the_first_heading_1_is_the_headline_without_a_title():
    def build(document: docx.document.Document) -> None:
        document.add_paragraph("2025年4月1日")
        document.add_heading(HEADLINE, level=1)
        document.add_paragraph(LEAD)
        document.add_heading("今後の予定", level=1)
        document.add_paragraph(SECOND)

    assert lines(read_text("r.docx", make_docx(build))) == [
        HEADLINE, "2025年4月1日", LEAD, "今後の予定", SECOND]


def test_style_names_decide_not_ids_as_japanese_word_writes_them():
    def build(document: docx.document.Document) -> None:
        # Japanese Word names the Heading 1 style with the id "1" and Title with "a3".
        document.styles["Heading 1"].element.set(qn("w:styleId"), "1")
        document.styles["Title"].element.set(qn("w:styleId"), "a3")
        document.add_paragraph(LEAD)
        document.add_heading("見出しではなく表題", level=0)
        document.add_heading("節の見出し", level=1)

    assert lines(read_text("r.docx", make_docx(build)))[0] == "見出しではなく表題"


def test_outline_level_0_makes_a_paragraph_a_heading():
    def build(document: docx.document.Document) -> None:
        document.add_paragraph(LEAD)
        paragraph = document.add_paragraph(HEADLINE)
        paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} '
                                                        'w:val="0"/>'))

    assert lines(read_text("r.docx", make_docx(build))) == [HEADLINE, LEAD]


def test_the_core_title_stands_in_for_a_missing_heading_unless_it_is_a_file_name():
    def build(document: docx.document.Document) -> None:
        document.add_paragraph(LEAD)

    assert lines(read_text("r.docx", make_docx(build, title=HEADLINE))) == [HEADLINE, LEAD]
    for junk in ("Microsoft Word - 発表資料.docx", "文書1", "発表資料.doc"):
        assert lines(read_text("r.docx", make_docx(build, title=junk))) == [LEAD]


def test_list_paragraphs_are_list_items():
    def build(document: docx.document.Document) -> None:
        document.add_paragraph(LEAD)
        document.add_paragraph("自動倉庫の導入", style="List Bullet")
        document.add_paragraph("電動搬送車の導入", style="List Number")
        numbered = document.add_paragraph("夜間作業の削減")
        numbered._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'))

    assert lines(read_text("r.docx", make_docx(build)))[1:] == [
        "- 自動倉庫の導入", "- 電動搬送車の導入", "- 夜間作業の削減"]


def test_numbered_headings_are_headings_not_list_items():
    numbering = f'<w:numPr {nsdecls("w")}><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr>'

    def build(document: docx.document.Document) -> None:
        document.styles["Heading 2"].element.get_or_add_pPr().append(parse_xml(numbering))
        document.add_heading(HEADLINE, level=1)
        document.add_heading("新拠点の概要", level=2)
        document.add_paragraph(LEAD)
        document.add_paragraph("自動倉庫の導入", style="List Bullet")

    assert lines(read_text("r.docx", make_docx(build))) == [
        HEADLINE, "新拠点の概要", LEAD, "- 自動倉庫の導入"]


def table_document(document: docx.document.Document) -> None:
    document.add_heading(HEADLINE, level=0)
    document.add_paragraph(LEAD)
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["品目", "取扱量", "前年比"], ["コンテナ", "12万個", "2割増"],
                             ["自動車", "3万台", "1割減"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    layout = document.add_table(rows=1, cols=2)  # one filled cell: a frame around body text
    layout.cell(0, 0).text = SECOND
    document.add_paragraph("以上")


def test_table_rows_are_lines_whose_cells_never_glue_into_a_sentence():
    text = read_text("r.docx", make_docx(table_document))
    assert lines(text) == [HEADLINE, LEAD, "品目 | 取扱量 | 前年比", "コンテナ | 12万個 | 2割増",
                           "自動車 | 3万台 | 1割減", SECOND, "以上"]
    (analysis,) = analyze_text(text, Glossary(), 3)
    joined = "\n".join(analysis.sentences)
    for glued in ("品目取扱量", "前年比コンテナ", "2割増自動車", "1割減" + SECOND[:4]):
        assert glued not in joined
    assert SECOND in analysis.sentences


def inline_xml(document: docx.document.Document, xml: str) -> None:
    """A paragraph whose content is `xml` (runs, revisions, fields, ruby: what Word writes)."""
    paragraph = document.add_paragraph()
    for element in parse_xml(f"<w:p {nsdecls('w')}>{xml}</w:p>"):
        paragraph._p.append(element)


def test_revisions_fields_ruby_tabs_and_breaks():
    def build(document: docx.document.Document) -> None:
        inline_xml(document, '<w:r><w:t>保管能力は</w:t></w:r>'
                             '<w:del w:id="1" w:author="a"><w:r><w:delText>一・五倍</w:delText>'
                             '</w:r></w:del><w:ins w:id="2" w:author="a"><w:r><w:t>二倍</w:t>'
                             '</w:r></w:ins><w:r><w:t>になる。</w:t></w:r>')
        inline_xml(document, '<w:r><w:t xml:space="preserve">発表日 </w:t></w:r>'
                             '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                             '<w:r><w:instrText> DATE \\@ "yyyy年M月d日" </w:instrText></w:r>'
                             '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                             '<w:r><w:t>2025年4月1日</w:t></w:r>'
                             '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
                             '<w:fldSimple w:instr=" PAGE "><w:r><w:t>(1頁)</w:t></w:r>'
                             '</w:fldSimple>')
        inline_xml(document, '<w:r><w:ruby><w:rt><w:r><w:t>こうわん</w:t></w:r></w:rt>'
                             '<w:rubyBase><w:r><w:t>港湾</w:t></w:r></w:rubyBase></w:ruby>'
                             '</w:r><w:r><w:t>地区の拠点。</w:t></w:r>')
        inline_xml(document, '<w:r><w:t>所在地</w:t><w:tab/><w:t>横浜市</w:t><w:br/>'
                             '<w:t>電話</w:t><w:tab/><w:t>045-000-0000</w:t></w:r>')

    assert lines(read_text("r.docx", make_docx(build))) == [
        "保管能力は二倍になる。", "発表日 2025年4月1日(1頁)", "港湾地区の拠点。",
        "所在地\t横浜市", "電話\t045-000-0000"]


def test_headers_footers_comments_and_footnotes_are_left_out():
    def build(document: docx.document.Document) -> None:
        press_release(document)
        section = document.sections[0]
        section.header.paragraphs[0].text = "社外秘の資料"
        section.footer.paragraphs[0].text = "無断転載を禁じます"
        document.add_comment(document.paragraphs[-1].runs, text="数字を再確認する", author="編集")
        inline_xml(document, '<w:r><w:t>注記のある文。</w:t></w:r>'
                             '<w:r><w:footnoteReference w:id="1"/></w:r>')

    text = read_text("r.docx", make_docx(build))
    assert lines(text)[-1] == "注記のある文。"
    for left_out in ("社外秘", "無断転載", "再確認"):
        assert left_out not in text


def test_a_press_release_goes_through_the_pipeline_with_its_title_and_whole_sentences():
    text = read_document("release.docx", make_docx(press_release)).text
    (analysis,) = analyze_text(text, Glossary(), 3)
    assert analysis.article.title == HEADLINE
    sentences = [s for p in (LEAD, SECOND) for s in re.findall(r"[^。]+。", p)]
    assert [s for s in analysis.sentences if s in sentences] == sentences


def test_the_date_comes_from_the_text_never_from_the_core_properties():
    data = make_docx(press_release)
    # What a generator leaves in docProps/core.xml: its own template's date.
    assert docx.Document(io.BytesIO(data)).core_properties.modified.year == 2013
    assert read_date("release.docx", data) == ""
    reading = read_document("release.docx", data)
    assert reading.source.published == ""
    # The file's modification date (here later than the issue date) is only the last resort.
    analyses = date_analyses(analyze_text(reading.text, Glossary(), 3), reading.text,
                             "2025-04-20")
    assert (analyses[0].article.source.published,
            analyses[0].article.source.published_from) == ("2025-04-01", "text")


def test_a_fresh_last_save_is_not_taken_for_the_date_either():
    data = make_docx(press_release, modified=datetime(2025, 4, 9, 15, 30, tzinfo=UTC))
    assert read_date("release.docx", data) == ""
