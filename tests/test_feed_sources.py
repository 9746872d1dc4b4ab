"""Feeds as sources end to end: entries become articles; a failing feed is reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from bot.publish.preview import preview_body
from tests.conftest import run_cli
from tests.support.http_server import Route, serve

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>ニュース</title><link>https://news.example/</link>
<description>d</description>
<item><title>中欧班列の運行本数が過去最多に</title><link>https://news.example/a/1</link>
<guid>a-1</guid><pubDate>Tue, 24 Nov 2026 09:00:00 +0900</pubDate>
<description>&lt;p&gt;ホルゴスを通過する中欧班列の運行本数が過去最多を更新した。
通関の時間も短くなった。&lt;/p&gt;</description></item>
<item><title>カザフスタンで風力発電所が完成</title><link>https://news.example/a/2</link>
<guid>a-2</guid><description>カザフスタン南部で中国企業が建設した風力発電所が完成した。</description></item>
</channel></rss>"""


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_feed_entries_are_published_once_and_failures_reported(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    routes = {"/feed.xml": Route(RSS.encode(), headers={"Content-Type": "application/rss+xml",
                                                        "ETag": '"v1"'}),
              "/broken.xml": Route(b"<html><body>Service unavailable</body></html>",
                                   headers={"Content-Type": "text/html"})}
    with serve(routes) as server:
        config = tmp_path / "k.toml"
        config.write_text(f'[sources]\nsettle_seconds = 0\nfeeds = ["{server.url("/feed.xml")}", '
                          f'"{server.url("/broken.xml")}"]\n', encoding="utf-8")
        args = ("once", "--config", str(config), "--seeds", str(seeds), "--out",
                str(tmp_path / "out"), "--state", str(tmp_path / "s.sqlite3"))
        first = run_cli(*args)
        again = [run_cli(*args) for _ in range(3)]
        status = run_cli("status", "--state", str(tmp_path / "s.sqlite3"))
    assert first.returncode == 0, first.stderr
    root = etree.parse(str(tmp_path / "out" / "feed.xml")).getroot()
    links = sorted(item.findtext("link") or "" for item in root.iter("item"))
    assert links == ["https://news.example/a/1", "https://news.example/a/2"]
    titles = " ".join(item.findtext("title") or "" for item in root.iter("item"))
    assert "中欧班列の運行本数が過去最多に" in titles
    descriptions = " ".join(item.findtext("description") or "" for item in root.iter("item"))
    assert "Source: news.example, 2026-11-24" in descriptions  # 09:00 +0900 is 00:00 UTC
    assert f"skipped {server.url('/broken.xml')}: not a feed" in first.stderr
    broken = server.url("/broken.xml")
    assert f"{broken}: not a feed (HTML page) (tried again at its next poll)" in first.stderr
    assert all(run.returncode == 0 and "nothing new" in run.stderr for run in again)
    assert server.requests.count("/feed.xml") == 4
    # One or two failures are tried again at the next run; the third backs off (its interval,
    # 30 min, doubled), so the fourth run does not poll it.
    assert server.requests.count("/broken.xml") == 3
    assert "retry in 60 min" in again[1].stderr
    assert "failing feeds:" in status.stdout
    assert "broken.xml (3 failure(s) in a row)" in status.stdout


# Windows-31J characters, a date late in the morning in Japan (still March 31 in UTC), and a
# link an RSS <link> cannot carry as written.
SJIS_RSS = """<?xml version="1.0" encoding="Shift_JIS"?>
<rss version="2.0"><channel><title>経済</title><link>https://sjis.example/</link>
<description>d</description>
<item><title>㈱髙島屋が新店舗を開業</title><link>https://sjis.example/記事?id=1&amp;q="a b"</link>
<guid>s-1</guid><pubDate>2025-04-01T08:00:00+09:00</pubDate>
<description>髙島屋は①号店を開いた。売上高は前年比Ⅱ割増えた。</description></item>
<item><title>危険なリンク</title><link>javascript:alert(1)</link><guid>s-2</guid>
<description>このリンクは公開されない。本文だけが残る。</description></item>
</channel></rss>"""
BROKEN_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>t</title><link>https://broken.example/</link>
<description>d</description>
<item><title>カザフスタンで風力発電所が完成</title><guid>b-1</guid>
<description>カザフスタン南部で風力発電所が完成した。</description></item>
<item><title>途中で切れた記事"""


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_japanese_encoded_feed_dates_links_and_partial_feed_end_to_end(tmp_path: Path) -> None:
    import re

    import feedparser

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    routes = {"/sjis.xml": Route(SJIS_RSS.encode("cp932"), headers={
                  "Content-Type": "application/rss+xml; charset=Shift_JIS"}),
              "/broken.xml": Route(BROKEN_RSS.encode(), headers={
                  "Content-Type": "application/rss+xml"})}
    with serve(routes) as server:
        config = tmp_path / "k.toml"
        config.write_text(f'[sources]\nsettle_seconds = 0\nfeeds = ["{server.url("/sjis.xml")}", '
                          f'"{server.url("/broken.xml")}"]\n', encoding="utf-8")
        out = tmp_path / "out"
        first = run_cli("once", "--config", str(config), "--seeds", str(seeds), "--out",
                        str(out), "--state", str(tmp_path / "s.sqlite3"))
        status = run_cli("status", "--state", str(tmp_path / "s.sqlite3"))
    assert first.returncode == 0, first.stderr
    feed_bytes = (out / "feed.xml").read_bytes()
    root = etree.fromstring(feed_bytes)
    assert feedparser.parse(feed_bytes).bozo == 0
    items = {item.findtext("guid"): item for item in root.iter("item")}
    titles = " ".join(item.findtext("title") or "" for item in items.values())
    assert "髙島屋が新店舗を開業" in titles and "風力発電所が完成" in titles
    links = [item.findtext("link") for item in items.values()]
    assert "https://sjis.example/%E8%A8%98%E4%BA%8B?id=1&q=%22a%20b%22" in links
    # The javascript: link is dropped, the entry kept and linked to its archive page.
    assert len([link for link in links if "/articles/kakehashi-" in (link or "")]) == 1
    assert all(re.fullmatch(r"https?://[\x21-\x7e]+", link or "") and '"' not in (link or "")
               for link in links)
    descriptions = " ".join(item.findtext("description") or "" for item in items.values())
    assert "Source: sjis.example, 2025-04-01" in descriptions  # not 2025-03-31 (UTC)
    assert "javascript" not in feed_bytes.decode()
    previews = " ".join(preview_body(p.read_text(encoding="utf-8"))
                        for p in (out / "telegram").glob("*.html"))
    assert "2025-04-01" in previews and "2025-03-31" not in previews
    assert "feeds read in part:" in status.stdout
    assert re.search(r"broken\.xml: malformed XML, 1 entry read: ", status.stdout)
    assert "failing feeds:" not in status.stdout
