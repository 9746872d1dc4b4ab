"""Feeds as sources end to end: entries become articles; a failing feed is reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

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
        again = run_cli(*args)
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
    assert again.returncode == 0 and "nothing new" in again.stderr
    assert server.requests.count("/feed.xml") == 2
    # The broken feed backs off: the second run does not poll it again.
    assert server.requests.count("/broken.xml") == 1
    assert "failing feeds:" in status.stdout
    assert "broken.xml (1 failure(s) in a row)" in status.stdout
