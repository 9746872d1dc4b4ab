"""The feed as readers sort it: each item its own pubDate, so a digest reads in the order
Telegram and the archive show it; categories from the source; titles kept as written."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from email.utils import parsedate_to_datetime
from itertools import pairwise
from pathlib import Path

import feedparser
import html5lib
from lxml import etree

from bot.config import FeedConfig
from bot.core.model import Digest, SourceInfo
from bot.publish.render_feed import distinct_times
from bot.publish.rss import write_feed
from tests.support.site import NOW, SITE, hostile_entry, news_entry, report_entry

ATOM = "{http://www.w3.org/2005/Atom}link"


def read_feed(path: Path) -> tuple[etree._Element, feedparser.FeedParserDict]:
    """The feed checked as the other feed tests check it, and as feedparser reads it."""
    data = path.read_bytes()
    root = etree.fromstring(data)
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    (self_link,) = root.iter(ATOM)
    assert self_link.get("rel") == "self" and self_link.get("href") == SITE + "feed.xml"
    for item in root.iter("item"):
        assert item.findtext("guid")
        parsedate_to_datetime(item.findtext("pubDate") or "")
    return root, parsed


def test_items_are_dated_apart_in_the_digests_order(tmp_path: Path):
    later = NOW + timedelta(hours=6)
    digests = [Digest(2, later, (hostile_entry(),)),
               Digest(1, NOW, (news_entry(), report_entry()))]
    write_feed(tmp_path, digests, FeedConfig(site_url=SITE), later)
    root, parsed = read_feed(tmp_path / "feed.xml")
    guids = [item.findtext("guid") for item in root.iter("item")]
    assert guids == [hostile_entry().guid, news_entry().guid, report_entry().guid]
    dates = [parsedate_to_datetime(item.findtext("pubDate") or "") for item in root.iter("item")]
    assert dates == [later, NOW, NOW - timedelta(seconds=1)]
    # A reader sorting newest first lists them as the file, Telegram and the archive do.
    by_date = sorted(parsed.entries, key=lambda e: e.published_parsed, reverse=True)
    assert [e.id for e in by_date] == guids
    assert parsedate_to_datetime(root.findtext("channel/lastBuildDate") or "") == later


def test_digests_close_together_never_interleave(tmp_path: Path):
    first = [replace(news_entry(), guid=f"kakehashi-{n:024x}") for n in range(5)]
    second = [replace(report_entry(), guid=f"kakehashi-{n:024x}") for n in range(5, 9)]
    # Four items from two seconds later would reach below the first digest's time.
    digests = [Digest(2, NOW + timedelta(seconds=2), tuple(second)), Digest(1, NOW, tuple(first))]
    write_feed(tmp_path, digests, FeedConfig(site_url=SITE), NOW)
    root, _ = read_feed(tmp_path / "feed.xml")
    dates = [parsedate_to_datetime(item.findtext("pubDate") or "") for item in root.iter("item")]
    assert all(a > b for a, b in pairwise(dates)), dates
    assert dates[0] == NOW + timedelta(seconds=2) and len(dates) == 9
    assert distinct_times([NOW, NOW, NOW + timedelta(hours=1)]) == [
        NOW, NOW - timedelta(seconds=1), NOW - timedelta(seconds=2)]


def test_the_feed_keeps_the_newest_max_items(tmp_path: Path):
    entries = [replace(news_entry(), guid=f"kakehashi-{n:024x}") for n in range(5)]
    write_feed(tmp_path, [Digest(3, NOW, tuple(entries))],
               FeedConfig(site_url=SITE, max_items=3), NOW)
    root, _ = read_feed(tmp_path / "feed.xml")
    assert [i.findtext("guid") for i in root.iter("item")] == [e.guid for e in entries[:3]]


def test_items_are_filed_under_their_source(tmp_path: Path):
    hostless = replace(report_entry(), guid="kakehashi-hostless",
                       source=SourceInfo(url="https://news.example.jp/a/1"))
    digests = [Digest(1, NOW, (news_entry(), report_entry(), hostless))]
    write_feed(tmp_path, digests, FeedConfig(site_url=SITE), NOW)
    root, parsed = read_feed(tmp_path / "feed.xml")
    found = [[c.text for c in item.iter("category")] for item in root.iter("item")]
    assert found == [["rail.example.com"], [], ["news.example.jp"]]
    assert [t.term for t in parsed.entries[0].tags] == ["rail.example.com"]


def test_titles_and_descriptions_keep_angle_brackets_as_text(tmp_path: Path):
    entry = replace(news_entry(), title_en="A<B>C & D", title_ja="甲<乙>丙",
                    pairs=(replace(news_entry().pairs[0], en="x<y> and 1 < 2"),))
    write_feed(tmp_path, [Digest(1, NOW, (entry,))], FeedConfig(site_url=SITE), NOW)
    root, parsed = read_feed(tmp_path / "feed.xml")
    assert root.findtext("channel/item/title") == "A<B>C & D / 甲<乙>丙"
    assert parsed.entries[0].title == "A<B>C & D / 甲<乙>丙"
    description = root.findtext("channel/item/description") or ""
    shown = "".join(html5lib.parseFragment(description, namespaceHTMLElements=False).itertext())
    assert "x<y> and 1 < 2" in shown and "甲<乙>丙" in shown
    assert "&amp;lt;" not in description  # escaped once, not twice
