"""Text that real pages carry in unusual forms: characters drawn as images, dates of writing."""

from __future__ import annotations

import pytest

from bot.sources.readers import read_document, read_text
from bot.sources.web.tree import gaiji
from bot.text.clean import clean_text


@pytest.mark.parametrize(("alt", "char"), [
    ("※(「特のへん＋廴＋聿」、第3水準1-87-71)", "犍"),   # JIS X 0213 plane 1
    ("※(「てへん＋劣」、第4水準2-13-28)", "揷"),          # plane 2, behind SS3
    ("※(「口＋世」、U+546D、12-3)", "呭"),               # by code point
    ("写真", ""), ("※(「…」、第3水準1-99-1)", ""), ("※(「…」、U+D800)", ""), ("", ""),
])
def test_an_image_standing_for_a_character_is_that_character(alt: str, char: str):
    assert gaiji(alt) == char


def test_the_character_joins_the_sentence_it_belongs_to():
    page = ('<html><body><div class="main_text"><h1>物語</h1><p>ある日、<img class="gaiji" '
            'src="1-87-71.png" alt="※(「特のへん＋廴＋聿」、第3水準1-87-71)">陀多という男が'
            'いた。男は地獄の底にいた。<img src="photo.jpg" alt="挿絵"></p></div></body></html>')
    text = read_text("a.html", page.encode())
    assert "ある日、犍陀多という男がいた。男は地獄の底にいた。" in text


def test_a_date_of_writing_in_brackets_is_kept_a_byline_is_not():
    lines = clean_text("物語\n男は地獄の底にいた。\n（大正七年四月十六日）\n（ジャーナリスト）\n")
    assert lines == ["物語", "男は地獄の底にいた。", "(大正七年四月十六日)"]


STORY = ("新しい貨物路線が来月から運行を始める。運行は週に三便で、片道の所要時間は二日である。"
         "荷主の間では、輸送の遅れが減ることへの期待が大きい。")


def _page(body: str, head: str = "") -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def test_product_cards_after_the_story_are_not_its_text():
    card = ('<div class="box"><div><a href="https://shop.example/{n}"><img src="c{n}.jpg" '
            'alt="表紙"></a></div><dl><dt><a href="https://shop.example/{n}">本の題名{n}</a></dt>'
            '<dd>読みやすい入門書である。誰にでも勧めたい一冊だ。</dd></dl></div>')
    photo = ('<div class="photo"><a href="p{n}.jpg"><img src="p{n}.jpg" alt=""></a>'
             '<p>駅で荷物を積み込む作業員。</p></div>')
    body = (f"<article><h1>貨物路線が開業</h1><p>{STORY}</p>{photo.format(n=1)}"
            f"{photo.format(n=2)}<h2>参考</h2>{card.format(n=1)}{card.format(n=2)}</article>")
    text = read_text("a.html", _page(body))
    assert STORY in text and text.count("駅で荷物を積み込む作業員。") == 2  # captions stay
    assert "入門書" not in text and "本の題名" not in text


def test_a_chapter_keeps_its_heading_and_lead_and_drops_its_contents_list():
    toc = "".join(f'<dt><a href="#s{n}">節{n}</a></dt>' for n in range(4))
    body = (f'<div class="nav"><a href="prev.html">Prev</a></div><div class="chapter">'
            f'<h1>第1章 計画の目的</h1><div><b>Table of Contents</b><dl>{toc}</dl></div>'
            f'<p>この章では計画の目的を述べる…</p><div class="sect"><h1>計画の構想</h1>'
            f'<p>{STORY}</p></div></div>')
    lines = read_text("a.html", _page(body, "<title>計画の目的</title>")).splitlines()
    assert lines[:3] == ["第1章 計画の目的", "この章では計画の目的を述べる…", "計画の構想"]
    assert "Table of Contents" not in lines and "節1" not in lines


def test_the_visible_headline_wins_over_a_summary_in_json_ld():
    ld = ('<script type="application/ld+json">{"@type": "BlogPosting", "name": "貨物路線が開業",'
          ' "headline": "週三便で二日、荷主の期待大", "datePublished": "2024-04-16T11:42:46+00:00"}'
          '</script><meta property="og:title" content="貨物路線が開業">')
    reading = read_document("a.html", _page(f"<article><h1>貨物路線が開業</h1><p>{STORY}</p>"
                                            "</article>", ld))
    assert reading.text.splitlines()[0] == "貨物路線が開業"
    assert reading.source.published.startswith("2024-04-16")


def test_a_byline_of_links_still_dates_the_page():
    byline = ('<div class="byline"><a href="/a/1">山田太郎</a> / <a href="/c/2">物流</a> / '
              '<a href="/t/3">鉄道</a> / 2019.04.25</div>')
    body = f"<article><h1>貨物路線が開業</h1>{byline}<div><p>{STORY}</p></div></article>"
    reading = read_document("a.html", _page(body))
    assert reading.source.published == "2019-04-25"
    assert "山田太郎" not in reading.text
