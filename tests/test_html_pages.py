"""Web pages as users saved them: the article found by structure, readings not glued into
words, lines kept apart, and the page's own metadata used. Our own Japanese text throughout."""

from __future__ import annotations

import pytest

from bot.core.model import SourceInfo
from bot.sources.readers import read_document, read_text
from bot.sources.web.page import html_to_text, read_html

LEAD = "探査機が小惑星の砂を持ち帰る計画について、機構は来月の打ち上げを発表した。"
MORE = "打ち上げは南の島の発射場から行われ、到着は三年後になる見込みだという。"
LAST = "担当者は「準備は順調に進んでいる」と話した。"
STORY = (LEAD, MORE, LAST)


def page(body: str, head: str = "", body_attrs: str = "") -> str:
    return (f"<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'>{head}</head>"
            f"<body{body_attrs}>{body}</body></html>")


def paragraphs(*lines: str) -> str:
    return "".join(f"<p>{line}</p>" for line in lines)


def test_a_body_class_named_social_does_not_hide_the_whole_article() -> None:
    html = page(f"<header><a href='/'>サイト</a></header><main id='main' role='main'>"
                f"<h1>探査機の打ち上げ発表</h1>{paragraphs(*STORY)}</main>",
                head="<title>探査機の打ち上げ発表 | 放送局 | 宇宙</title>",
                body_attrs=" class='detail news-social'")
    assert read_html(html).text.splitlines() == ["探査機の打ち上げ発表", *STORY]


def test_the_article_header_holds_the_headline() -> None:
    html = page(f"<header class='site'>放送局ニュース</header><article><header>"
                f"<h1>探査機の打ち上げ発表</h1><time datetime='2025-03-04'>3月4日</time>"
                f"</header>{paragraphs(*STORY)}</article>",
                head="<title>探査機の打ち上げ発表 | 放送局 | 宇宙</title>")
    reading = read_html(html)
    assert reading.text.splitlines()[0] == "探査機の打ち上げ発表"
    assert all(line in reading.text.splitlines() for line in STORY)
    assert "放送局" not in reading.text
    assert reading.source.published == "2025-03-04"


@pytest.mark.parametrize("ruby", [
    "<ruby>宇宙<rt>うちゅう</rt></ruby>",
    "<ruby>宇宙<rp>(</rp><rt>うちゅう</rt><rp>)</rp></ruby>",
    "<ruby><rb>宇宙</rb><rp>（</rp><rt>うちゅう</rt><rp>）</rp></ruby>",
    "<ruby>宇<rt>う</rt>宙<rt>ちゅう</rt></ruby>",
    "<ruby><rb>宇宙<rp>（<rt>うちゅう<rp>）</ruby>",  # nothing closed, as old pages write it
])
def test_ruby_readings_are_not_text(ruby: str) -> None:
    html = page(f"<article><h1>{ruby}の話</h1><p>{ruby}から砂を持ち帰る計画が発表された。"
                f"</p></article>", head="<title>宇宙の話</title>")
    lines = read_html(html).text.splitlines()
    assert lines == ["宇宙の話", "宇宙から砂を持ち帰る計画が発表された。"]


def test_easy_reading_page_keeps_its_tools_and_notes_out() -> None:
    # Laid out as NEWS WEB EASY is: the story in #js-article-body, reader tools and the
    # dictionary's notes beside it, words in ruby and coloured spans.
    words = "".join(f"<span class='color{n % 3}'>{w}</span>"
                    for n, w in enumerate(("<ruby>機構<rt>きこう</rt></ruby>は", "来月",
                                           "打ち上げると", "発表しました。")))
    html = page(f"""<main class="l-main"><article class="easy-article">
      <h1 class="article-title">探査機を<ruby>打<rt>う</rt></ruby>ち上げへ</h1>
      <p class="article-date">2025年3月4日 16時30分</p>
      <div class="article-buttons"><a href="#">ニュースを聞く</a>
        <a href="#">漢字の読み方を消す</a></div>
      <div class="article-body" id="js-article-body"><p>{words}</p>{paragraphs(MORE, LAST)}</div>
      <div class="about-word-color"><a href="#" id="js-toggle-color">ことばの色を消す</a>
        <p>※下に線があることばは、押すと辞書の説明が出ます。</p></div>
      <div class="article-link"><a href="https://example.jp/news/1.html">ふつうのニュースでよむ</a></div>
    </article></main>""")
    reading = read_html(html)
    assert reading.text.splitlines() == [
        "探査機を打ち上げへ", "機構は来月打ち上げると発表しました。", MORE, LAST]
    assert reading.source == SourceInfo(published="2025-03-04", published_from="page")


@pytest.mark.parametrize("h1", ["北陸新幹線　金沢から延伸", "北陸新幹線\n　金沢から延伸",
                                "北陸新幹線　\n金沢から延伸"])
def test_an_ideographic_space_between_two_halves_of_a_headline_is_kept(h1: str) -> None:
    html = page(f"<article><h1>{h1}</h1><p>{LEAD}</p></article>")
    assert read_html(html).text.splitlines()[0] == "北陸新幹線 金沢から延伸"


def test_br_and_p_lines_stay_apart() -> None:
    html = page("<div class='main_text'>" + LEAD + "<br />\n" + MORE + "<br />" + LAST
                + "<p>入力：山川海子、森林太郎<br>校正：谷口花子</p><p>作成：文庫の会</p></div>")
    assert read_html(html).text.splitlines() == [*STORY, "入力：山川海子、森林太郎",
                                                 "校正：谷口花子", "作成：文庫の会"]


JSON_LD_GRAPH = """{"@context": "https://schema.org", "@graph": [
  {"@type": "Organization", "@id": "https://example.jp/#org", "name": "宇宙ニュース"},
  {"@type": ["NewsArticle"], "headline": "探査機の打ち上げを発表",
   "datePublished": "2025-03-04T09:30:00+09:00",
   "mainEntityOfPage": {"@type": "WebPage", "@id": "https://example.jp/news/20250304.html"},
   "publisher": {"@id": "https://example.jp/#org"}}]}"""


def test_json_ld_graph_gives_headline_date_url_and_site() -> None:
    html = page(f"<h1>宇宙ニュース</h1><article>{paragraphs(*STORY)}</article>",
                head=f"<title>探査機の打ち上げを発表 - 宇宙ニュース</title>"
                     f"<script type='application/ld+json'>{JSON_LD_GRAPH}</script>")
    reading = read_html(html)
    assert reading.text.splitlines()[0] == "探査機の打ち上げを発表"
    assert reading.source == SourceInfo(site="宇宙ニュース",
                                        url="https://example.jp/news/20250304.html",
                                        published="2025-03-04T09:30:00+09:00",
                                        published_from="page")


def test_open_graph_and_canonical_come_before_headings() -> None:
    head = ("<meta property='og:title' content='探査機の打ち上げを発表 | 宇宙ニュース'>"
            "<meta property='og:site_name' content='宇宙ニュース'>"
            "<meta property='og:url' content='https://example.jp/og.html'>"
            "<link rel='canonical' href='https://user:secret@example.jp/news/1.html'>"
            "<meta property='article:published_time' content='2025-03-04'>"
            "<script type='application/ld+json'>{broken</script>")
    html = page(f"<article><h1>速報</h1><time datetime='2020-01-01'>古い日付</time>"
                f"{paragraphs(*STORY)}</article>", head=head)
    reading = read_html(html)
    assert reading.text.splitlines()[0] == "探査機の打ち上げを発表"
    assert reading.source == SourceInfo(site="宇宙ニュース", url="https://example.jp/news/1.html",
                                        published="2025-03-04", published_from="page")


@pytest.mark.parametrize(("title", "site"), [
    ("探査機の打ち上げを発表 | 放送局 | 宇宙", ""),
    ("探査機の打ち上げを発表 - 宇宙ニュース", ""),
    ("探査機の打ち上げを発表：宇宙ニュース", "宇宙ニュース"),
    ("探査機の打ち上げを発表｜宇宙ニュース", ""),
    ("探査機の打ち上げを発表|やさしい宇宙 | WEB EASY", "やさしい宇宙 | WEB EASY"),
    ("宇宙ニュース | 探査機の打ち上げを発表", "宇宙ニュース"),
])
def test_the_headline_has_no_site_suffix(title: str, site: str) -> None:
    head = f"<title>{title}</title>" + (f"<meta property='og:site_name' content='{site}'>"
                                        if site else "")
    html = page(f"<div>{paragraphs(*STORY)}</div>", head=head)
    assert read_html(html).text.splitlines()[0] == "探査機の打ち上げを発表"


def test_a_colon_inside_a_headline_is_not_a_site_name() -> None:
    html = page(f"<div>{paragraphs(*STORY)}</div>", head="<title>速報：探査機を発表</title>")
    assert read_html(html).text.splitlines()[0] == "速報：探査機を発表"


@pytest.mark.parametrize("body", [
    # the site's h1 before the page's own: the last one before the body is the headline
    f"<h1>言語の手引き</h1><div class='content'><h1>例外の扱い</h1>{paragraphs(*STORY)}</div>",
    f"<header><h1>言語の手引き</h1></header><main><h1>例外の扱い</h1>{paragraphs(*STORY)}</main>",
    f"<h1>言語の手引き</h1><h1>例外の扱い</h1><div>{paragraphs(*STORY)}</div>",
])
def test_two_h1s_are_never_joined(body: str) -> None:
    lines = read_html(page(body)).text.splitlines()
    assert lines[0] == "例外の扱い" and "言語の手引き" not in lines
    assert lines[1:] == list(STORY)


def test_the_article_with_most_prose_wins_over_a_teaser_article() -> None:
    teaser = "<article class='teaser'><h2>別の話題</h2><p>短い紹介です。</p></article>"
    html = page(f"<aside>{teaser}</aside><article><h1>探査機の打ち上げ発表</h1>"
                f"{paragraphs(*STORY)}</article><section>{teaser}</section>")
    assert read_html(html).text.splitlines() == ["探査機の打ち上げ発表", *STORY]


def test_without_article_markup_the_prose_column_is_the_body() -> None:
    menu = "".join(f"<div class='item'><a href='/{n}'>分類{n}</a></div>" for n in range(10))
    html = page(f"<div id='top'>{menu}</div><div id='wrap'><div id='col'>"
                f"<h1>探査機の打ち上げ発表</h1>{paragraphs(*STORY)}</div>"
                f"<div id='side'><a href='/x'>人気の記事一覧</a></div></div>"
                f"<div id='bottom'>会社案内 お問い合わせ</div>")
    assert read_html(html).text.splitlines() == ["探査機の打ち上げ発表", *STORY]


def test_furniture_names_count_only_inside_the_body_and_only_without_prose() -> None:
    html = page(f"""<div class="social-wrapper"><article class="share-story">
        <h1>探査機の打ち上げ発表</h1><div class="share-buttons"><a href="#">共有する</a></div>
        <div class="related-story-text">{paragraphs(*STORY)}</div>
        <ul class="related"><li><a href="/2">別の記事の見出し</a></li></ul></article></div>""")
    assert read_html(html).text.splitlines() == ["探査機の打ち上げ発表", *STORY]


def test_a_feed_entry_keeps_every_paragraph() -> None:
    # A feed's content is all body: a short lead beside a long block is not cut away.
    fragment = f"<p>{LEAD}</p><div class='x'>{paragraphs(MORE * 5, LAST * 5)}</div>"
    assert html_to_text(fragment).splitlines() == [LEAD, MORE * 5, LAST * 5]


XHTML = f"""<?xml version="1.0" encoding="{{encoding}}"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="ja"><head><title>髙橋の話</title></head>
<body><h1 class="title">髙橋の話</h1><div class="main_text">
<![CDATA[ignored]]>{LEAD}<br />{MORE}<br /></div></body></html>"""


@pytest.mark.parametrize(("name", "encoding", "codec"), [
    ("story.xhtml", "Shift_JIS", "cp932"), ("story.xhtml", "EUC-JP", "euc_jp"),
    ("story.xht", "UTF-8", "utf-8"), ("story.html", "Shift_JIS", "cp932"),
])
def test_xhtml_is_read_in_its_declared_encoding(name: str, encoding: str, codec: str) -> None:
    text = XHTML.format(encoding=encoding)
    if codec == "euc_jp":
        text = text.replace("髙", "高")  # not in EUC-JP
    lines = read_text(name, text.encode(codec)).splitlines()
    assert lines == [f"{'高' if codec == 'euc_jp' else '髙'}橋の話", LEAD, MORE]


@pytest.mark.parametrize("encoding", ["EUC-JP", "Shift_JIS", "UTF-8"])
def test_a_short_xhtml_in_rare_kanji_follows_its_declaration(encoding: str) -> None:
    # Two rare kanji decode in all three encodings; only the declaration tells them apart.
    codec = {"Shift_JIS": "cp932"}.get(encoding, encoding)
    data = f'<?xml version="1.0" encoding="{encoding}"?><p>蕕曩</p>'.encode(codec)
    assert read_text("a.xhtml", data) == "蕕曩"


@pytest.mark.parametrize(("url", "expected"), [
    ("https://user:pw@example.jp/a.html", "https://example.jp/a.html"),
    ("HTTP://Example.jp:8080/a?b=1#c", "http://example.jp:8080/a?b=1#c"),
    ("javascript:alert(1)", ""), ("ftp://example.jp/a", ""), ("/news/a.html", ""),
    ("https://exa mple.jp/", ""), ("https://[::1]:8080/a", "https://[::1]:8080/a"),
])
def test_only_http_urls_without_credentials_are_kept(url: str, expected: str) -> None:
    html = page(f"<article>{paragraphs(*STORY)}</article>",
                head=f"<link rel='canonical' href='{url}'>")
    assert read_html(html).source.url == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("2025-03-04", "2025-03-04"), ("2025-03-04T09:30:00+09:00", "2025-03-04T09:30:00+09:00"),
    ("2025-03-04T09:30:00Z", "2025-03-04T09:30:00Z"), ("2025-03-04 09:30", "2025-03-04T09:30"),
    ("2025/3/4", "2025-03-04"), ("2025-02-30", ""), ("昨日", ""), ("2025-03-04T25:00", ""),
])
def test_dates_are_iso_as_given_or_nothing(value: str, expected: str) -> None:
    html = page(f"<article>{paragraphs(*STORY)}</article>",
                head=f"<meta property='article:published_time' content='{value}'>")
    source = read_html(html).source
    assert source.published == expected
    assert source.published_from == ("page" if expected else "")


def test_the_reader_gives_the_page_source_to_the_document() -> None:
    html = page(f"<article><h1>探査機の打ち上げを発表</h1>{paragraphs(*STORY)}</article>",
                head=f"<script type='application/ld+json'>{JSON_LD_GRAPH}</script>")
    reading = read_document("page.html", html.encode("cp932"))
    assert reading.source.url == "https://example.jp/news/20250304.html"
    assert reading.text.splitlines() == ["探査機の打ち上げを発表", *STORY]


def test_a_post_written_without_sentence_ends_still_has_its_body() -> None:
    # Short lines, no 。: the lines count as writing, the sidebar's labels and counts do not.
    lines = ("朝から港の方へ歩いてみた", "大きな船がゆっくり入ってきて", "見ている人がたくさんいた")
    post = "".join(f"<div>{line}</div>" for line in lines)
    tags = "".join(f"<li><a href='/t/{n}'>港</a>({n})</li>" for n in range(30))
    html = page(f"<div id='main'><h2>港の朝</h2><div class='post'>{post}</div></div>"
                f"<div id='side'><p>最新のコメント</p><ul>{tags}</ul>"
                f"<p>by 港の人 at 16:29</p></div>", head="<title>港の朝</title>")
    assert read_html(html).text.splitlines() == ["港の朝", *lines]


def test_a_list_of_links_inside_the_article_is_left_out_but_an_embedded_card_is_not() -> None:
    related = "".join(f"<li><a href='/{n}'>別の記事の見出しその{n}</a></li>" for n in range(4))
    card = ("<div class='card'><a href='https://example.jp/x'>"
            "<span>宇宙機構の発表</span><span>機構は来月の打ち上げを決めたと発表した。</span>"
            "</a></div>")
    html = page(f"<article><h1>探査機の打ち上げ発表</h1>{paragraphs(*STORY)}{card}"
                f"<div class='more'><ul>{related}</ul></div></article>")
    lines = read_html(html).text.splitlines()
    assert lines[:4] == ["探査機の打ち上げ発表", *STORY]
    assert any("機構は来月の打ち上げを決めた" in line for line in lines)
    assert not any("別の記事" in line for line in lines)


def test_teaser_sentences_in_links_do_not_make_a_sidebar_the_article() -> None:
    teasers = "".join(f"<li><a href='/{n}'>{MORE}</a></li>" for n in range(6))
    html = page(f"<div class='col'><h1>探査機の打ち上げ発表</h1><p>{LEAD}</p><p>{LAST}</p></div>"
                f"<div class='side'><ul>{teasers}</ul></div>")
    assert read_html(html).text.splitlines() == ["探査機の打ち上げ発表", LEAD, LAST]


@pytest.mark.parametrize(("printed", "expected"), [
    ("2025年3月4日 16時30分 公開", "2025-03-04"), ("2025/03/04", "2025-03-04"),
    ("最終更新日：２０２５年３月４日", "2025-03-04"), ("2025.3.4", "2025-03-04"),
])
def test_a_date_printed_after_the_headline_is_the_date(printed: str, expected: str) -> None:
    html = page(f"<div id='top'>今日は2030年1月1日です</div><div class='entry'>"
                f"<h1>探査機の打ち上げ発表</h1><ul class='meta'><li>{printed}</li></ul>"
                f"<div class='text'>{paragraphs(*STORY)}</div></div>")
    source = read_html(html).source
    assert (source.published, source.published_from) == (expected, "page")


def test_metadata_dates_come_before_printed_ones_and_offsets_are_written_with_a_colon() -> None:
    html = page(f"<article><h1>探査機の打ち上げ発表</h1><p>2020年1月1日</p>"
                f"{paragraphs(*STORY)}</article>",
                head="<meta property='article:published_time' content='2025-03-04T09:30:00+0900'>")
    assert read_html(html).source.published == "2025-03-04T09:30:00+09:00"


def test_a_blog_whose_site_name_is_the_post_title_keeps_the_post_title() -> None:
    head = ("<meta property='og:site_name' content='港の朝 - 港町だより'>"
            "<meta property='og:title' content='港の朝 - 港町だより'>")
    html = page(f"<div>{paragraphs(*STORY)}</div>", head=head)
    assert read_html(html).text.splitlines()[0] == "港の朝"


def test_a_json_ld_headline_loses_a_spaced_bar_suffix_but_keeps_its_own_bars() -> None:
    ld = ('<script type="application/ld+json">{"@type": "Article", '
          '"headline": "%s"}</script>')
    for headline, expected in (("探査機の発表 |  | 記者名 | 宇宙新聞", "探査機の発表"),
                               ("特集｜探査機の発表", "特集｜探査機の発表")):
        html = page(f"<article>{paragraphs(*STORY)}</article>", head=ld % headline)
        assert read_html(html).text.splitlines()[0] == expected
