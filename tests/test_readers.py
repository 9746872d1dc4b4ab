"""Bytes to text: every format and encoding, and bad input refused with a reason."""

from __future__ import annotations

import codecs
import random
import re

import pytest

from bot.core.errors import InputError
from bot.sources.readers import read_text

JAPANESE = (
    "中欧班列の運行本数が過去最多を更新した。カザフスタン経由の貨物は前年より2割増えた。"
    "「一帯一路」の物流を支える重要なルートである。"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp932", "euc-jp"])
def test_text_in_every_encoding(encoding: str):
    assert read_text("a.txt", JAPANESE.encode(encoding)) == JAPANESE


def test_short_shift_jis_is_detected():
    assert read_text("memo.txt", "一帯一路の会議".encode("cp932")) == "一帯一路の会議"


def test_utf16_big_endian_with_bom():
    data = codecs.BOM_UTF16_BE + JAPANESE.encode("utf-16-be")
    assert read_text("a.txt", data) == JAPANESE


def test_html_keeps_main_text_and_title():
    html = f"""<!doctype html><html><head><title>サイト名 | 記事</title>
    <style>p {{ color: red }}</style><script>var x = "広告";</script></head>
    <body><nav>ホーム ニュース</nav><header>ロゴ</header>
    <article><h1>中欧班列が最多に</h1><p>{JAPANESE}</p><ul><li>項目一</li></ul></article>
    <footer>著作権表示</footer></body></html>"""
    text = read_text("page.html", html.encode("utf-8"))
    lines = text.splitlines()
    assert lines[0] == "中欧班列が最多に"
    assert JAPANESE in lines and "- 項目一" in lines
    for junk in ("広告", "ホーム", "ロゴ", "著作権", "color"):
        assert junk not in text


def test_markdown_syntax_is_removed():
    md = "# 見出し\n\n**重要**な[リンク](https://example.org)です。\n* 項目\n"
    assert read_text("r.md", md.encode()).splitlines() == ["見出し", "", "重要なリンクです。",
                                                            "- 項目"]


_RNG = random.Random(1)
NOISE = bytes(_RNG.randrange(0x80, 0x100) for _ in range(2000))  # high bytes, no pattern


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b" \n\t\n", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported file type .xlsx: save it as PDF to have"),
        ("memo.doc", b"\xd0\xcf\x11\xe0", "unsupported file type .doc: save it as .docx to"),
        ("noext", b"text", "unsupported file type (none)"),
        ("empty.html", b"<html><script>x()</script></html>", "no text in file"),
        ("noise.txt", NOISE, "undecodable bytes"),
    ],
)
def test_bad_input_has_a_reason(name: str, data: bytes, reason: str):
    with pytest.raises(InputError, match=re.escape(reason)):
        read_text(name, data)


def test_html_cookie_banners_and_page_chrome_are_not_text():
    html = f"""<html><head><title>記事</title></head><body>
    <div id="cookie-consent">当サイトはクッキーを使用します。<button>同意する</button></div>
    <div class="site-menu">トップ 国際 経済</div>
    <main><h1>中欧班列が最多に</h1><div class="share-buttons">シェアする</div>
    <p>{JAPANESE}</p><div class="ad-slot">広告枠</div><p hidden>隠し文字</p>
    <div role="dialog">ニュースレター登録</div></main>
    <div class="related">関連記事の一覧</div></body></html>"""
    text = read_text("page.html", html.encode("utf-8"))
    assert text.splitlines() == ["中欧班列が最多に", JAPANESE]


def test_html_without_main_keeps_body_text_and_survives_unclosed_tags():
    html = f"<body><p>{JAPANESE}<p>二つ目の段落です。<br>改行の後。<div><span>閉じない"
    assert read_text("old.htm", html.encode("cp932")).splitlines() == [
        JAPANESE, "二つ目の段落です。", "改行の後。", "閉じない"]


BODY = "ホルゴスを通過する中欧班列の運行本数が過去最多を更新した。通関の時間も短くなった。"


def _articles(name: str, source: str) -> list[tuple[str, str]]:
    from bot.text.articles import split_articles
    from bot.text.clean import clean_text

    text = read_text(name, source.encode())
    return [(a.title, " ".join(a.paragraphs)) for a in split_articles(clean_text(text))]


@pytest.mark.parametrize("fence", [
    '---\ntitle: "中欧班列が最多に"\ndate: 2025-04-01T08:00:00+09:00\ntags:\n  - 物流\n'
    "  - 鉄道\nauthor: 'O''Brien' # comment\ndraft: false\n---\n",
    '+++\ntitle = "中欧班列が最多に"\ndate = 2025-04-01T08:00:00+09:00\ntags = ["物流"]\n'
    "[params]\nauthor = \"山田\"\n+++\n",
])
def test_markdown_front_matter_is_metadata_and_the_heading_is_the_title(fence: str) -> None:
    source = f"{fence}\n# 中欧班列の運行本数が過去最多に\n\n{BODY}\n"
    text = read_text("post.md", source.encode())
    for meta in ("title", "date", "tags", "author", "draft", "2025-04-01", "---", "+++"):
        assert meta not in text
    assert _articles("post.md", source) == [("中欧班列の運行本数が過去最多に", BODY)]


def test_markdown_front_matter_title_stands_in_for_a_missing_heading() -> None:
    source = f'---\ntitle: "中欧班列が最多に"\nlayout: post\n---\n{BODY}\n'
    assert _articles("post.md", source) == [("中欧班列が最多に", BODY)]


@pytest.mark.parametrize("source", [
    f"---\n{BODY}\n---\n本文の二段落目です。\n",  # thematic breaks around prose, not YAML
    f"---\ntitle: 見出し\n{BODY}\n",  # never closed
])
def test_markdown_without_real_front_matter_keeps_its_text(source: str) -> None:
    assert BODY in read_text("post.md", source.encode())


def test_front_matter_in_shift_jis_markdown() -> None:
    source = f'---\ntitle: "髙島屋の決算"\nnote: "①㈱"\n---\n{BODY}\n'
    assert _articles("post.md", source.replace("\n", "\r\n"))[0][0] == "髙島屋の決算"
    text = read_text("post.md", source.encode("cp932"))
    assert text.splitlines()[0] == "髙島屋の決算" and "title" not in text
