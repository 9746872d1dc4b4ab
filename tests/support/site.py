"""A small OUT/ folder written by the real publishers from hand-made entries (no model needed).

The text is our own: a short news item with glossary terms and a checked number, a report
without a source URL, and a hostile entry (markup in titles, an unbroken 300-character token,
a long URL, quotes and ampersands) that must neither break a page nor widen it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.config import FeedConfig
from bot.core.model import Digest, Entry, Pair, SourceInfo, Term
from bot.publish.preview import write_preview
from bot.publish.render import render_telegram
from bot.publish.rss import write_feed
from bot.publish.web import write_web

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SITE = "https://digest.example.org/kakehashi/"


def news_entry() -> Entry:
    return Entry(
        guid="kakehashi-0a1b2c3d4e5f60718293a4b5", document="rail-freight.md",
        title_ja="西安発の貨物列車、年間運行本数が初めて5000本を超える",
        title_en="Freight trains from Xi'an pass 5,000 runs a year for the first time",
        pairs=(
            Pair("西安国際港駅を発着する中欧班列の運行本数は、2025年に初めて5000本を超えた。",
                 "The number of China-Europe Railway Express runs to and from Xi'an "
                 "International Port Station passed 5,000 for the first time in 2025."),
            Pair("同駅はカザフスタン経由の路線を増やし、輸送日数を約2日短縮した。",
                 "The station added routes through Kazakhstan and cut transit times by "
                 "about two days."),
        ),
        terms=(Term("中欧班列", "China-Europe Railway Express", "enforced"),
               Term("カザフスタン", "Kazakhstan", "enforced")),
        warnings=(),
        source=SourceInfo(site="rail.example.com", url="https://rail.example.com/news/5000",
                          published="2025-12-30T09:00:00+09:00", published_from="feed"),
        created=NOW,
    )


def report_entry() -> Entry:
    return Entry(
        guid="kakehashi-ffeeddccbbaa998877665544", document="minerals-report.pdf",
        title_ja="中央アジアの重要鉱物と輸送路",
        title_en="Critical minerals and transport routes in Central Asia",
        pairs=(Pair("報告書は、重要鉱物の輸出拡大には輸送路の多様化が欠かせないと指摘する。",
                    "The report says that exporting more critical minerals requires more "
                    "varied transport routes."),),
        terms=(Term("重要鉱物", "critical minerals", "enforced"),
               Term("輸送路", "transport route", "failed")),
        warnings=("number 3.5万 (35,000) missing in translation",
                  "glossary term 輸送路 could not be rendered as 'transport route'"),
        source=SourceInfo(published="2025-02", published_from="text"), created=NOW,
    )


def hostile_entry() -> Entry:
    token = "長" * 150 + "x" * 150
    url = "https://example.org/" + "segment/" * 40 + "?q=" + "a" * 120
    return Entry(
        guid="kakehashi-123456789abcdef012345678", document="<b>odd</b> & \"name\".txt",
        title_ja="<script>alert(1)</script>見出し & 「引用」" + token,
        title_en="<b>Bold</b> & \"quoted\" title " + "y" * 200,
        pairs=(Pair(token + "。", "Word " + "z" * 300 + " " + url),
               Pair("<i>斜体</i> & <a href='x'>リンク</a>",
                    "<i>italic</i> & <a href='x'>link</a>")),
        terms=(Term("見出し", "heading", "found"),),
        warnings=("<b>warning</b> with markup & " + "w" * 200,),
        source=SourceInfo(site="example.org", url=url, original_title="<i>Original</i> title",
                          published="2026-11-20", published_from="file"),
        created=NOW,
    )


def write_sample_site(out: Path, site: str = SITE) -> list[Path]:
    """Feed, web archive and Telegram previews for two digests; the pages written."""
    first = (news_entry(), report_entry())
    second = (hostile_entry(),)
    feed = FeedConfig(site_url=site)
    digests = [Digest(2, NOW, tuple(second)), Digest(1, NOW, tuple(first))]
    written = write_web(out, digests, feed)
    write_feed(out, digests, feed, NOW)
    for message in render_telegram(Digest(1, NOW, first), site=site):
        written.append(write_preview(out, message))
    return written
