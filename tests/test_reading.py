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


def test_front_matter_is_read_as_yaml_quoted_colons_folded_and_multi_line_strings():
    md = ('---\ntitle: "速報: 中欧班列の記録"  # a comment after a quoted value\n'
          "summary: >-\n  二行に\n  折り返した要約\n"
          "canonical: 'https://example.org/rail?q=a:b'  # single-quoted\n---\n" + BODY)
    reading = read_document("note.md", md.encode())
    assert reading.text.splitlines()[0] == "速報: 中欧班列の記録"
    assert reading.source.url == "https://example.org/rail?q=a:b"
    assert "summary" not in reading.text and "折り返した" not in reading.text
    multi = read_document("note.md", f'---\ntitle: "中欧班列の\n  記録"\n---\n{BODY}'.encode())
    assert multi.text.splitlines()[0] == "中欧班列の 記録"


def test_front_matter_lists_do_not_hide_the_keys_after_them():
    md = ("---\ntags: [物流, 鉄道]\naliases:\n- /old/rail\n- /older/rail\n"
          "authors:\n  - name: 山田\n    role: 記者\ntitle: 中欧班列の記録\n"
          "date: 2024-12-04\n---\n" + BODY)
    reading = read_document("note.md", md.encode())
    assert reading.text.splitlines()[0] == "中欧班列の記録"
    assert reading.source.published == "2024-12-04"
    for meta in ("物流", "/old/rail", "山田", "記者", "aliases"):
        assert meta not in reading.text


def test_front_matter_dates_in_every_yaml_timestamp_form():
    for value, day in (("2024-12-04", "2024-12-04"),
                       ("2024-12-04 19:23:00 +09:00", "2024-12-04"),  # YAML's spaced form
                       ("2024-12-04t19:23:00.5-05:00", "2024-12-04"),
                       ("2024-1-5 9:05:00", "2024-01-05"),  # one-digit month, day and hour
                       ("'2024-12-04'", "2024-12-04")):  # quoted: text, read as a page's is
        md = f"---\ntitle: 記録\ndate: {value}\n---\n{BODY}"
        source = read_document("note.md", md.encode()).source
        assert (source.published, source.published_from) == (day, "page"), value


def test_front_matter_that_is_not_valid_yaml_is_read_as_text():
    md = f"---\ntitle: 速報: 中欧班列\ndate: 2024-12-04\n---\n{BODY}"  # `: ` twice in a line
    reading = read_document("note.md", md.encode())
    assert reading.source == SourceInfo()
    assert "速報: 中欧班列" in reading.text and BODY in reading.text
    for hostile in ("[" * 5000, "x: " + "9" * 5000, "a: !!python/object:os.system ls"):
        text = read_document("note.md", f"---\n{hostile}\n---\n{BODY}".encode()).text
        assert BODY in text and hostile[:20] in text
