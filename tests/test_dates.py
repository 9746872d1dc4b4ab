"""An article's own date from its text: date lines and dated openings, never an event's date."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.model import Analysis, Article, SourceInfo
from bot.sources.web.meta import PageFacts, page_meta
from bot.text.dates import (
    article_date,
    date_analyses,
    document_date,
    line_date,
    opening_date,
    printed_date,
)

LATEST = date(2026, 11, 26)


@pytest.mark.parametrize(("line", "found"), [
    ("2024年11月6日", "2024-11-06"),
    ("２０２４年１１月６日（水）", "2024-11-06"),
    ("発行日：2024年3月5日", "2024-03-05"),
    ("掲載日 2023/07/01", "2023-07-01"),
    ("2025.02", "2025-02"),
    ("2024-12-31 更新", "2024-12-31"),
    ("令和6年4月1日", "2024-04-01"),
    ("平成元年1月8日", "1989-01-08"),
    ("— 2022年5月 —", "2022-05"),
    ("2024年12月4日 19時23分", "2024-12-04"),   # a news page's dateline, with its time
    ("2024年12月4日（水）午後7時", "2024-12-04"),
    ("2024/12/04 19:23", "2024-12-04"),
    ("公開日時：2024年12月4日 19時23分 更新", "2024-12-04"),
])
def test_a_date_line_gives_the_date(line: str, found: str):
    assert line_date(line, LATEST) == found


@pytest.mark.parametrize("line", [
    "2024年2月30日",              # no such day
    "2024年13月1日",              # no such month
    "2027年1月1日",               # after the file's date: an announcement, not the article's
    "2024年11月6日に会見が開かれた",  # a sentence, not a date line
    "2024年12月4日 19時から会見",   # a time that opens a sentence
    "2013年秋",                   # a season
    "電話：03-5452-5462",         # digits and dashes that are no date
    "1850年1月1日",               # outside the years a digest covers
    "",
])
def test_what_is_not_a_date_line(line: str):
    assert line_date(line, LATEST) == ""


@pytest.mark.parametrize(("paragraph", "found"), [
    ("2024年11月6日、省は定例会見を開いた。", "2024-11-06"),
    ("2025年3月4日に、新路線が開通した。", "2025-03-04"),
    ("　2025年3月4日 新路線が開通した。", "2025-03-04"),
    ("2025年6月16〜18日に首脳会議が開かれる。", ""),   # a range: an event's dates
    ("2025年6月、首脳会議が開かれた。", ""),          # a month only: too vague to open with
    ("政府は2024年11月6日、会見を開いた。", ""),      # inside the sentence
])
def test_a_dated_opening(paragraph: str, found: str):
    assert opening_date(paragraph, LATEST) == found


def test_article_date_looks_at_the_start_and_the_end_only():
    body = ("見出し後の本文である。", "2020年1月1日に設立された団体が参加した。", "中ほどの段落。",
            "中ほどの段落。", "中ほどの段落。", "（2024年10月1日 掲載）")
    assert article_date(body, LATEST) == "2024-10-01"
    assert article_date(body[:-1], LATEST) == ""
    assert article_date((), LATEST) == ""


def test_document_date_reads_only_the_front_matter():
    head = "報告書\n\n著者名\n\n2025.02\n\n" + "本文。\n" * 10
    assert document_date(head, LATEST) == "2025-02"
    late = "報告書\n" + "本文の段落である。\n" * 60 + "2025年1月1日\n"
    assert document_date(late, LATEST) == ""


def analysis(paragraphs: tuple[str, ...], source: SourceInfo | None = None) -> Analysis:
    article = Article("見出し", paragraphs, source or SourceInfo())
    return Analysis(article, paragraphs, (0,), ())


def test_each_article_is_dated_from_the_best_source_it_has():
    feed = SourceInfo(url="https://x.example/1", published="2025-04-01T09:00:00+09:00")
    dated = date_analyses([
        analysis(("2024年11月6日、会見が開かれた。",)),
        analysis(("日付のない記事である。",)),
        analysis(("2024年11月6日、会見が開かれた。",), feed),
    ], "表紙\n2023年8月1日\n本文", "2026-11-20")
    sources = [a.article.source for a in dated]
    assert [(s.published, s.published_from) for s in sources] == [
        ("2024-11-06", "text"), ("2023-08-01", "text"), ("2025-04-01T09:00:00+09:00", "feed")]
    undated = date_analyses([analysis(("日付のない記事である。",))], "本文のみ", "2026-11-20")
    assert undated[0].article.source.published == "2026-11-20"
    assert undated[0].article.source.published_from == "file"
    nothing = date_analyses([analysis(("日付のない記事である。",))], "本文のみ", "")
    assert nothing[0].article.source.published == ""


@pytest.mark.parametrize(("text", "iso"), [
    ("2024年12月4日 19時30分", "2024-12-04"),
    ("更新 2024/12/04", "2024-12-04"),
    ("令和6年12月4日(水)", "2024-12-04"),
    ("２０２４年１２月４日", "2024-12-04"),
    ("2024年12月 特集", ""),
    ("番号 2024/12/045", ""),
    ("2024/13/40 2024.1.5", "2024-01-05"),
])
def test_a_pages_printed_date_is_read_with_the_date_rules(text: str, iso: str) -> None:
    # One set of date patterns: a page's dateline is read as a document's date line is, so an
    # era date is read there too (web.meta's own pattern knew only 西暦 dates).
    assert printed_date(text) == iso
    assert page_meta(PageFacts(dateline=text)).published == iso
