"""Small damage that used to cost a whole input: a cut-off last character, a lone surrogate, a
script line on top of a text file, Markdown link and entity syntax left in the text, a feed
declared UTF-8 but written in Shift_JIS or EUC-JP. Each case is bytes written here, read the
way a run reads them (feeds from a local HTTP server)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from bot.cli.app import inspect_file
from bot.config import Config
from bot.core.errors import InputError
from bot.run.admit import require_japanese
from bot.sources.code_elements import strip_code_elements
from bot.sources.encodings import decode_bytes
from bot.sources.feeds import FeedState, FetchResult, poll_feed
from bot.sources.markdown import markdown_to_text
from bot.sources.readers import read_text
from bot.text.safe import safe_text
from tests.support.http_server import Route, serve

STORY = ("港湾の取扱量が過去最多に\n"
         "北部の港で、今年上半期のコンテナ取扱量が過去最多を更新した。\n"
         "港を運営する会社によると、取扱量は前年同期比12%増の約23万TEUに達した。")


# --- UTF-8 cut short --------------------------------------------------------------------------

@pytest.mark.parametrize("cut", [1, 2])
@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_utf8_cut_inside_its_last_character_loses_only_that_character(cut: int,
                                                                      bom: bytes) -> None:
    data = bom + STORY.encode("utf-8")
    assert data.endswith("。".encode())  # three bytes: cut one or two of them
    text = read_text("cut.txt", data[:-cut])
    assert text == STORY.removesuffix("。")


def test_utf8_cut_inside_a_kanji_keeps_the_rest() -> None:
    data = (STORY + "港").encode()[:-1]
    assert read_text("cut.txt", data) == STORY


def test_invalid_utf8_in_the_middle_is_not_taken_for_a_cut() -> None:
    # Only a broken *end* is repaired: a bad byte inside is another encoding's, or garbage.
    data = STORY.encode()
    broken = data[:30] + b"\xe3\x81" + data[30:]
    with pytest.raises(InputError, match="not text in any known encoding"):
        decode_bytes(broken)
    with pytest.raises(InputError, match="after its BOM"):
        decode_bytes(codecs.BOM_UTF8 + broken)


# --- UTF-16 with a lone surrogate ------------------------------------------------------------

def _with_lone_surrogate(codec: str, unit: int) -> bytes:
    """STORY in `codec` with one surrogate code unit put after its tenth character."""
    body = STORY.encode(codec.replace("-sig", ""))
    bom = b""
    if codec == "utf-16":
        bom, body = body[:2], body[2:]
    big = codec == "utf-16-be" or (codec == "utf-16" and bom == codecs.BOM_UTF16_BE)
    surrogate = unit.to_bytes(2, "big" if big else "little")
    return bom + body[:20] + surrogate + body[20:]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("unit", [0xD800, 0xDBFF, 0xDC00, 0xDFFF], ids=hex)
def test_utf16_with_a_lone_surrogate_loses_only_that_code_unit(codec: str, unit: int) -> None:
    text = read_text("memo.txt", _with_lone_surrogate(codec, unit))
    assert text == STORY[:10] + "\ufffd" + STORY[10:]
    # Where text enters the pipeline, the mark of the lost character goes too.
    assert safe_text(text) == STORY


def test_utf16_ending_on_a_high_surrogate() -> None:
    data = STORY.encode("utf-16") + b"\x3d\xd8"  # the first half of an emoji, then the end
    assert safe_text(read_text("memo.txt", data)) == STORY


def test_utf16_made_of_surrogates_is_still_refused() -> None:
    data = codecs.BOM_UTF16_LE + b"\x00\xd8\x00\xdc\x00\xdc" * 20
    with pytest.raises(InputError, match="undecodable bytes"):
        decode_bytes(data)


# --- a script line on top of a text file ------------------------------------------------------

SCRIPT = ('<script async src="https://www.example.com/gtag/js?id=G-ABC123"></script>'
          "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push("
          "arguments);}gtag('js',new Date());gtag('config','G-ABC123');</script>")


@pytest.mark.parametrize("name", ["page.txt", "page.md"])
def test_a_script_line_does_not_hide_the_japanese_text_after_it(name: str,
                                                                tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes((SCRIPT + "\n" + STORY).encode())
    text = read_text(name, path.read_bytes())
    require_japanese(text)  # skipped as "not Japanese text" before
    assert "gtag" not in text and "<script" not in text
    (article,) = inspect_file(Config(), path)["articles"]
    assert article["title"] == "港湾の取扱量が過去最多に"
    assert article["sentences"] == STORY.splitlines()[1:]


def test_script_and_style_elements_are_removed_whole() -> None:
    text = ("前文。\n<SCRIPT type='text/javascript'>if (a < b) { x = '</div>'; }</SCRIPT >\n"
            "中文。 <style>\np { color: red }\n</style>後文。<p><script>x()</script></p>")
    assert strip_code_elements(text) == "前文。\n\n中文。 後文。<p></p>"


def test_a_script_of_data_is_kept_for_the_page_reader() -> None:
    # JSON-LD carries a page's date and headline: only code goes.
    ld = '<script type="application/ld+json">{"datePublished": "2025-06-10"}</script>'
    text = f"<head>{ld}<script>track()</script><script type='module'>run()</script></head>"
    assert strip_code_elements(text) == f"<head>{ld}</head>"


def test_a_script_tag_inside_a_word_or_a_link_is_text() -> None:
    # Removing from the first "<script>" to the last "</script>" would lose the paragraphs.
    source = ("港の話題。[リンク](http://example.com/<script>)を参照。\n\n"
              "取扱量は過去最多だった。\n\n<script>alert('x')</script>\n")
    assert _markdown(source) == ["港の話題。リンクを参照。", "", "取扱量は過去最多だった。", ""]
    assert strip_code_elements("AT&T<script>は</script>タグ") == "AT&T<script>は</script>タグ"


def test_an_unclosed_script_tag_is_left_as_text() -> None:
    text = "文中で<script>タグの使い方を説明する。" * 3
    assert strip_code_elements(text) == text
    # Many unclosed openers: each closing tag is looked for once, not once per opener.
    many = "<script>" * 50_000 + "本文。"
    assert strip_code_elements(many) == many


def test_html_pages_read_the_same() -> None:
    page = ("<html><head><title>港の話題</title><script>var t = '<p>偽の段落</p>';</script>"
            "</head><body><p>港で新しい荷役システムが動き始めた。</p></body></html>")
    text = read_text("page.html", page.encode())
    assert "港で新しい荷役システムが動き始めた。" in text and "偽の段落" not in text


# --- Markdown links, entities, code -----------------------------------------------------------

def _markdown(source: str) -> list[str]:
    return read_text("note.md", source.encode()).splitlines()


def test_a_link_target_with_parentheses_leaves_no_stray_bracket() -> None:
    source = ("[一帯一路](https://ja.wikipedia.org/wiki/一帯一路_(構想))は2013年に始まった。\n"
              "![港の全景](https://example.jp/img/port_(2)_(large).jpg \"港\")を見る。\n"
              "[資料](<https://example.jp/a b.pdf>)と[地図](https://example.jp/map 'title')。")
    assert _markdown(source) == ["一帯一路は2013年に始まった。", "港の全景を見る。", "資料と地図。"]


def test_entities_are_decoded_except_in_code() -> None:
    source = ("AT&amp;T と &copy; 2025 かけはし、&#12354;&#x3042;と書く。\n"
              "コードの`&amp;`と``&lt;p&gt;``は書いたとおり。&unknown; も。")
    assert _markdown(source) == ["AT&T と © 2025 かけはし、ああと書く。",
                                 "コードの&amp;と&lt;p&gt;は書いたとおり。&unknown; も。"]


def test_an_escaped_markup_character_stays_text() -> None:
    # &#42; is a literal asterisk: it opens no emphasis once decoded.
    assert _markdown("価格は&#42;暫定&#42;です。") == ["価格は*暫定*です。"]


def test_autolinks_show_their_address() -> None:
    source = "詳細は<https://example.jp/news_2025_06>を参照。連絡は<mailto:info@example.jp>まで。"
    assert _markdown(source) == [
        "詳細はhttps://example.jp/news_2025_06を参照。連絡はinfo@example.jpまで。"]


def test_reference_links_keep_their_text_and_definitions_go() -> None:
    source = ("[報告書][rep]と[白書][]、それに[統計]を参照した。[注1]は本文の記号。\n"
              "\n"
              "[REP]: https://example.jp/report.pdf \"報告書\"\n"
              "[白書]: <https://example.jp/white paper>\n"
              "  [統計]: https://example.jp/stats\n"
              "[注1]: 本文の説明です。")
    assert _markdown(source) == ["報告書と白書、それに統計を参照した。[注1]は本文の記号。",
                                 "", "", "", "", "[注1]: 本文の説明です。"]


def test_a_fenced_code_block_is_kept_as_written() -> None:
    source = "手順は次のとおり。\n```sh\n$ echo a_b_c &amp; [x](y)\n```\n**以上**です。"
    assert _markdown(source) == ["手順は次のとおり。", "", "$ echo a_b_c &amp; [x](y)", "",
                                 "以上です。"]


def test_marks_like_the_readers_own_do_not_break_a_line() -> None:
    line = "外字\ue000は残る。\ufdd07\ufdd1と`コード`。"
    assert markdown_to_text(line) == "外字\ue000は残る。\ufdd07\ufdd1とコード。"


@pytest.mark.parametrize("hostile", [
    "[" * 50_000, "[a](" + "(a" * 25_000, "[a]: " + "/" * 50_000 + " (",
    "![" * 25_000 + "](" * 25_000,
])
def test_hostile_markdown_is_read_in_one_pass(hostile: str) -> None:
    # Each of these took seconds to minutes with a pattern that rescans from every position.
    assert len(markdown_to_text(hostile)) <= len(hostile)


# --- a feed declared UTF-8, written in a Japanese encoding ------------------------------------

FEED_TITLE = "㈱髙島屋、①新店舗を開業"
FEED_TEXT = "髙島屋は新しい店舗を開いた。売上高は前年比で二割増えた。"


def _feed(declared: str, title: str, text: str = FEED_TEXT) -> str:
    """An RSS feed of one item; `declared` "" leaves the encoding out of the XML declaration."""
    encoding = f' encoding="{declared}"' if declared else ""
    return (f'<?xml version="1.0"{encoding}?>\n<rss version="2.0"><channel>'
            "<title>店舗ニュース</title><link>https://example.jp/</link><description>d"
            f"</description><item><title>{title}</title><link>https://example.jp/1</link>"
            f"<description>{text}</description></item></channel></rss>")


def _poll(body: bytes, content_type: str) -> FetchResult:
    with serve({"/feed.xml": Route(body, headers={"Content-Type": content_type})}) as server:
        return poll_feed(FeedState(server.url("/feed.xml")), 1_750_000_000.0, timeout=5)


@pytest.mark.parametrize(("codec", "title", "text"), [
    ("cp932", FEED_TITLE, FEED_TEXT),  # Windows-31J: ㈱ ① 髙 included
    ("euc_jp", "高島屋が新店舗を開業", FEED_TEXT.replace("髙", "高")),
])
@pytest.mark.parametrize("where", ["header", "xml", "both"])
def test_a_feed_declared_utf8_but_written_in_a_japanese_encoding_is_read(
        codec: str, title: str, text: str, where: str) -> None:
    doc = _feed("UTF-8" if where != "header" else "", title, text)
    charset = "; charset=utf-8" if where != "xml" else ""
    result = _poll(doc.encode(codec), "application/rss+xml" + charset)
    assert result.error == ""
    assert [(item.title, item.text) for item in result.items] == [(title, text)]
    require_japanese(f"{title}\n{text}")


def test_a_utf8_feed_with_one_bad_byte_is_read_around_it() -> None:
    # Not a Japanese encoding: the declaration stands, and only the bad byte is lost (it was
    # read as iso-8859-2 whole, every entry garbled).
    doc = _feed("utf-8", "新店舗を開業").encode().replace(b"</description></item>",
                                                        b"\xff</description></item>")
    (item,) = _poll(doc, "application/rss+xml; charset=utf-8").items
    assert (item.title, safe_text(item.text)) == ("新店舗を開業", FEED_TEXT)


def test_a_feed_of_bad_bytes_declared_utf8_is_not_taken_for_japanese() -> None:
    doc = _feed("utf-8", "新店舗を開業").encode().replace(
        b"</description></item>", bytes(range(0x80, 0x100)) + b"</description></item>")
    (item,) = _poll(doc, "application/rss+xml; charset=utf-8").items
    assert item.title != "新店舗を開業"  # left to feedparser, as before: no better reading
