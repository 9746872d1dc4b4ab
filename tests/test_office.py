"""Word (.docx) and OpenDocument (.odt) files, built here with python-docx and odfpy (producers
independent of the readers): text in order, headline first, lists, tables, what is left out,
dates, and bad or hostile packages refused with a one-line reason."""

from __future__ import annotations

import io
import os
import random
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from odf import dc, meta
from odf.element import Element
from odf.namespaces import XMLNS
from odf.office import ChangeInfo
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from odf.style import Style
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import (
    Change,
    ChangedRegion,
    Deletion,
    H,
    List,
    ListItem,
    Note,
    NoteBody,
    NoteCitation,
    P,
    Ruby,
    RubyBase,
    RubyText,
    Span,
    TrackedChanges,
)

from bot.errors import InputError
from bot.glossary import Glossary
from bot.pipeline import analyze_text
from bot.sources.folder import read_bytes, walk_folder
from bot.sources.readers import read_date, read_document, read_text
from bot.text.dates import date_analyses
from tests.conftest import run_cli
from tests.test_pipeline import check_feed

HEADLINE = "港湾地区に新しい物流拠点が完成"
LEAD = ("株式会社かけはし運輸は本日、港湾地区に建設していた新しい物流拠点が完成したと発表"
        "しました。保管能力は従来の二倍となり、来月から本格的な運用を始めます。")
SECOND = "新拠点では、自動倉庫と電動の搬送車を導入し、夜間の作業を大幅に減らします。"
Build = Callable[[docx.document.Document], None]


def make_docx(build: Build, title: str = "", modified: datetime | None = None) -> bytes:
    document = docx.Document()
    document.core_properties.title = title
    if modified is not None:
        document.core_properties.modified = modified
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def press_release(document: docx.document.Document) -> None:
    """A Japanese press release as organisations write it: date and issuer above the title."""
    document.add_paragraph("2025年4月1日")
    document.add_paragraph("株式会社かけはし運輸")
    document.add_heading(HEADLINE, level=0)  # the Title style
    document.add_heading("概要", level=1)
    document.add_paragraph(LEAD)
    document.add_paragraph(SECOND)


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


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


# --- OpenDocument -------------------------------------------------------------------------

def footnote(text: str) -> Element:
    note = Note(id="n1", noteclass="footnote")
    note.addElement(NoteCitation(text="1"))
    body = NoteBody()
    body.addElement(P(text=text))
    note.addElement(body)
    return note


def make_odt(title: str = "", date: str = "") -> bytes:
    document = OpenDocumentText()
    title_style = Style(name="Title", family="paragraph")
    document.styles.addElement(title_style)
    if title:
        document.meta.addElement(dc.Title(text=title))
    if date:
        document.meta.addElement(dc.Date(text=date))
        document.meta.addElement(meta.CreationDate(text="2019-01-01T00:00:00"))
    document.text.addElement(P(text="2025年4月1日"))
    document.text.addElement(P(stylename=title_style, text=HEADLINE))
    document.text.addElement(H(outlinelevel=1, text="概要"))
    lead = P(text=LEAD[:20])
    lead.addElement(Span(text=LEAD[20:]))
    lead.addElement(footnote("脚注の本文"))
    document.text.addElement(lead)
    items = List()
    for item in ("自動倉庫の導入", "電動搬送車の導入"):
        list_item = ListItem()
        list_item.addElement(P(text=item))
        items.addElement(list_item)
    document.text.addElement(items)
    table = Table(name="取扱量")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for row in (["品目", "取扱量"], ["コンテナ", "12万個"]):
        table_row = TableRow()
        for value in row:
            cell = TableCell()
            cell.addElement(P(text=value))
            table_row.addElement(cell)
        table.addElement(table_row)
    document.text.addElement(table)
    document.text.addElement(P(text=SECOND))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def test_odt_headline_lists_tables_and_no_notes():
    assert lines(read_text("r.odt", make_odt())) == [
        HEADLINE, "2025年4月1日", "概要", LEAD, "- 自動倉庫の導入", "- 電動搬送車の導入",
        "品目 | 取扱量", "コンテナ | 12万個", SECOND]


def test_odt_meta_title_stands_in_and_its_dates_are_not_taken():
    data = make_odt(title="会議資料", date="2025-04-02T10:00:00")
    assert read_date("r.odt", data) == ""
    assert lines(read_text("r.odt", data))[0] == HEADLINE  # a Title paragraph comes first


def test_an_odt_spreadsheet_is_refused():
    buffer = io.BytesIO()
    OpenDocumentSpreadsheet().write(buffer)
    with pytest.raises(InputError, match=r"^not a valid \.odt file: not a text document"):
        read_text("sheet.odt", buffer.getvalue())


# --- Bad and hostile packages -------------------------------------------------------------

def zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_member(data: bytes, name: str, content: bytes) -> bytes:
    """A copy of the package `data` with one member replaced."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members[name] = content
    return zipped(members)


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">'
          b'<!ENTITY c "&b;&b;&b;&b;">]><w:document xmlns:w="http://schemas.openxmlformats.org'
          b'/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body>'
          b'</w:document>')
GOOD = make_docx(press_release)


def corrupt_member(data: bytes) -> bytes:
    """The package with bytes in the middle of its compressed document flipped."""
    start = data.index(b"word/document.xml") + len("word/document.xml") + 40
    return data[:start] + bytes(b ^ 0x5A for b in data[start:start + 64]) + data[start + 64:]


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("a.docx", b"PK\x03\x04", "not a valid .docx file: not a readable zip archive"),
    ("a.docx", "報告書の本文です。".encode(), "not a valid .docx file: not a readable zip"),
    ("a.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
     "not a valid .docx file: an encrypted (password-protected) document"),
    ("a.docx", zipped({"inside.txt": LEAD.encode()}),
     "not a valid .docx file: word/document.xml is missing"),
    ("a.docx", GOOD[: len(GOOD) // 2], "not a valid .docx file: not a readable zip archive"),
    ("a.docx", corrupt_member(GOOD), "not a valid .docx file: word/document.xml "),
    ("a.docx", with_member(GOOD, "word/document.xml", LAUGHS),
     "not a valid .docx file: word/document.xml declares a DOCTYPE"),
    ("a.docx", with_member(GOOD, "word/document.xml", b"<w:document><w:body>"),
     "not a valid .docx file: word/document.xml is not well-formed XML"),
    ("a.docx", zipped({f"m{i}.xml": b"" for i in range(5_001)}, zipfile.ZIP_STORED),
     "not a valid .docx file: 5,001 members in the archive (limit 5,000)"),
    ("a.odt", zipped({"meta.xml": b"<x/>"}), "not a valid .odt file: content.xml is missing"),
])
def test_bad_packages_are_refused_with_a_one_line_reason(name: str, data: bytes, reason: str):
    with pytest.raises(InputError) as caught:
        read_document(name, data)
    assert str(caught.value).startswith(reason)
    assert "\n" not in str(caught.value)


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    bomb = with_member(GOOD, "word/document.xml", b"<" + b"\x00" * 60_000_000)
    assert len(bomb) < 200_000
    with pytest.raises(InputError, match=r"^not a valid \.docx file: word/document\.xml "
                                         r"expands to 60,000,001 bytes .*a zip bomb\?$"):
        read_document("bomb.docx", bomb)


def test_a_zip_bomb_that_understates_its_size_is_still_refused():
    bomb = bytearray(with_member(GOOD, "word/document.xml", b" " * 50_000_000))
    # Declare 1,000 bytes for the member in its local header and the central directory.
    big = (50_000_000).to_bytes(4, "little")
    assert bomb.count(big) == 2
    bomb[:] = bomb.replace(big, (1000).to_bytes(4, "little"))
    with pytest.raises(InputError, match=r"^not a valid \.docx file: word/document\.xml "):
        read_document("bomb.docx", bytes(bomb))


@pytest.mark.parametrize("name", ["r.docx", "r.odt"])
def test_damaged_packages_fail_only_with_input_errors(name: str):
    rng = random.Random(7)
    good = GOOD if name.endswith(".docx") else make_odt()
    for _ in range(80):
        damaged = bytearray(good)
        for _ in range(rng.randrange(1, 6)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        cut = bytes(damaged[: rng.randrange(len(damaged) // 2, len(damaged) + 1)])
        for data in (bytes(damaged), cut):
            try:
                read_document(name, data)
                read_date(name, data)
            except InputError as exc:
                assert "\n" not in str(exc)


# --- Through the watched folder -----------------------------------------------------------

def test_the_folder_scan_knows_the_new_formats_and_they_are_read(tmp_path: Path):
    from tests.test_mail import make_mail

    files = {"release.docx": make_docx(press_release), "notes.odt": make_odt(),
             "letter.eml": make_mail().as_bytes(), "sheet.xlsx": zipped({"a.xml": b"<a/>"})}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "unpacked.docx").mkdir()  # a folder named like a document is pointed out
    (tmp_path / "unpacked.docx" / "inside.txt").write_text(LEAD, encoding="utf-8")
    scan = walk_folder(tmp_path)
    assert [u.name for u in scan.unread] == ["unpacked.docx"]
    heads = {}
    for candidate in scan.files:
        data = read_bytes(candidate, 20_000_000)
        try:
            heads[candidate.name] = read_document(candidate.name, data).text.splitlines()[0]
        except InputError as exc:
            heads[candidate.name] = str(exc)
    assert heads == {"letter.eml": "【物流だより】貨物駅の積み替え時間が半分に",
                     "notes.odt": HEADLINE, "release.docx": HEADLINE,
                     "sheet.xlsx": "unsupported file type .xlsx",
                     "unpacked.docx/inside.txt": LEAD}


@pytest.mark.usefixtures("installed_model")
def test_a_run_publishes_word_and_mail_documents_from_the_folder(tmp_path: Path):
    from tests.test_mail import make_mail

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "release.docx").write_bytes(make_docx(press_release))
    (seeds / "letter.eml").write_bytes(make_mail(date="Wed, 02 Apr 2025 08:00:00 +0900")
                                       .as_bytes())
    (seeds / "broken.docx").write_bytes(GOOD[:3000])
    for path in seeds.iterdir():  # copied 2025-04-18, settled: no stability wait
        os.utime(path, (1_744_934_400, 1_744_934_400))

    result = run_cli("once", "--seeds", str(seeds), "--out", str(tmp_path / "out"),
                     "--state", str(tmp_path / "state.sqlite3"))

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "broken.docx" in result.stderr and "not a valid .docx file" in result.stderr
    titles = [item.findtext("title") or "" for item in check_feed(tmp_path / "out" / "feed.xml")]
    assert len(titles) == 2
    assert any(HEADLINE in t for t in titles) and any("貨物駅の積み替え" in t for t in titles)
    pages = {}
    for page in (tmp_path / "out" / "articles").glob("*.html"):
        content = page.read_text(encoding="utf-8")
        found = re.search(r'<p class="meta">Article date ([^<]*?) · .* · (\S+)</p>', content)
        assert found, content
        pages[found[2]] = found[1].strip()
    # The Word file's date from its text; the mail's from its Date header.
    assert pages == {"release.docx": "2025-04-01", "letter.eml": "2025-04-02"}


def test_a_damaged_styles_or_properties_part_costs_the_headline_not_the_text():
    data = with_member(GOOD, "word/styles.xml", LAUGHS)
    data = with_member(data, "docProps/core.xml", b"<broken")
    assert lines(read_text("r.docx", data)) == [
        "2025年4月1日", "株式会社かけはし運輸", HEADLINE, "概要", LEAD, SECOND]


def test_odt_ruby_tracked_deletions_and_the_pipeline():
    document = OpenDocumentText()
    changes = TrackedChanges()
    region = ChangedRegion(qattributes={(XMLNS, "id"): "ct1"})
    deletion = Deletion()
    deletion.addElement(ChangeInfo())
    deletion.addElement(P(text="削除された古い記述。"))
    region.addElement(deletion)
    changes.addElement(region)
    document.text.addElement(changes)
    document.text.addElement(H(outlinelevel=1, text=HEADLINE))
    ruby = Ruby()
    ruby.addElement(RubyBase(text="港湾"))
    ruby.addElement(RubyText(text="こうわん"))
    lead = P()
    lead.addElement(ruby)
    lead.addText(LEAD[2:])
    lead.addElement(Change(changeid="ct1"))
    document.text.addElement(lead)
    document.text.addElement(P(text=SECOND))
    buffer = io.BytesIO()
    document.write(buffer)

    text = read_document("r.odt", buffer.getvalue()).text
    assert "削除" not in text and "こうわん" not in text
    (analysis,) = analyze_text(text, Glossary(), 3)
    assert analysis.article.title == HEADLINE
    expected = [s for p in ("港湾" + LEAD[2:], SECOND) for s in re.findall(r"[^。]+。", p)]
    assert [s for s in analysis.sentences if s in expected] == expected


def test_odt_odd_space_counts_are_read():
    content = (b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
               b'office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
               b'<office:body><office:text><text:p>A<text:s text:c="x"/>B<text:s text:c="3"/>C'
               b'<text:s text:c="99999999"/>D</text:p></office:text></office:body>'
               b'</office:document-content>')
    text = read_text("r.odt", zipped({"content.xml": content}))
    assert text == "A B   C" + " " * 100 + "D"
