"""OpenDocument text (.odt) files, built with odfpy: headline, lists, tables, ruby, tracked
changes, and what is left out."""

from __future__ import annotations

import io
import re

import pytest
from odf.namespaces import XMLNS
from odf.office import ChangeInfo
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from odf.text import (
    Change,
    ChangedRegion,
    Deletion,
    H,
    P,
    Ruby,
    RubyBase,
    RubyText,
    TrackedChanges,
)

from bot.core.errors import InputError
from bot.glossary import Glossary
from bot.run.pipeline import analyze_text
from bot.sources.readers import read_date, read_document, read_text
from tests.support.office import (
    HEADLINE,
    LEAD,
    SECOND,
    lines,
    make_odt,
    zipped,
)


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
