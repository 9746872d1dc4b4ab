"""What a file's format says about the document reaches its articles where their text is silent."""

from __future__ import annotations

from bot.core.model import Analysis, Article, SourceInfo
from bot.run.pipeline import with_document_source
from bot.sources.readers import read_document
from bot.text.dates import date_analyses

BODY = "中欧班列の運行本数が過去最多を更新した。貨物は前年より2割増えた。"


def test_markdown_front_matter_date_and_url_are_the_documents():
    md = ("---\ntitle: 中欧班列の記録\ndate: 2024-12-04T19:23:00+09:00\n"
          "canonical: https://example.org/rail/1\n---\n\n" + BODY + "\n")
    reading = read_document("note.md", md.encode())
    assert reading.text.splitlines()[0] == "中欧班列の記録"
    assert reading.source.published == "2024-12-04"
    assert reading.source.published_from == "page"
    assert reading.source.url == "https://example.org/rail/1"


def test_front_matter_without_date_says_nothing():
    reading = read_document("note.md", f"---\ntitle: 記録\nurl: ftp://x\n---\n{BODY}".encode())
    assert reading.source == SourceInfo()


def test_plain_text_has_no_document_metadata_and_pdf_is_hard_wrapped():
    reading = read_document("a.txt", BODY.encode())
    assert reading.source == SourceInfo() and not reading.hard_wrapped


def test_document_source_fills_only_what_the_article_lacks():
    page = SourceInfo(site="example.org", url="https://example.org/a", published="2024-12-04",
                      published_from="page")
    assert with_document_source(SourceInfo(), page) == SourceInfo(site="example.org",
                                                                  url="https://example.org/a")
    own = SourceInfo(site="ref.example", url="https://ref.example/x")
    assert with_document_source(own, page) == own


def _analysis(*paragraphs: str) -> Analysis:
    return Analysis(Article("見出し", paragraphs), paragraphs, (0,), ())


def test_page_date_comes_after_the_articles_own_and_before_the_files():
    own = date_analyses([_analysis("2024年11月6日、新線が開業した。")], "", "2024-12-10",
                        page_date="2024-12-04")
    assert (own[0].article.source.published, own[0].article.source.published_from) == (
        "2024-11-06", "text")
    page = date_analyses([_analysis(BODY)], "2024年10月1日\n" + BODY, "2024-12-10",
                         page_date="2024-12-04")
    assert (page[0].article.source.published, page[0].article.source.published_from) == (
        "2024-12-04", "page")
    front = date_analyses([_analysis(BODY)], "2024年10月1日\n" + BODY, "2024-12-10")
    assert front[0].article.source.published == "2024-10-01"


def test_front_matter_is_read_as_page_metadata_is():
    md = ("---\ndate: 2024-13-45\ncanonical: https://user:pass@example.org/rail/1\n---\n"
          + BODY)
    reading = read_document("note.md", md.encode())
    assert reading.source == SourceInfo(url="https://example.org/rail/1")  # no such date
