"""Links are checked again where they are rendered: a stored one (from an older version, or
taken from a document's `参考：URL` line) can never make the feed or a message invalid."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import etree

from bot.config import FeedConfig
from bot.core.model import Digest, Entry, Pair, SourceInfo
from bot.publish.render import render_feed, render_telegram
from tests.support.telegram_html import telegram_html_problems

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
# RFC 3986 characters only; what the W3C validator and strict readers accept in <link>.
URI_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                "-._~:/?#[]@!$&'()*+,;=%")


def entry(url: str) -> Entry:
    return Entry(guid="kakehashi-link", document="a.txt", title_ja="見出し", title_en="Title",
                 pairs=(Pair("本文です。", "Text."),), terms=(), warnings=(),
                 source=SourceInfo(site="example.org", url=url), created=NOW)


@pytest.mark.parametrize("stored", [
    'https://example.org/a"b<c>',
    "https://example.org/中国 ニュース?q=一帯一路#見出し",
    "https://例え.jp/path",
    "https://example.org/100%",
])
def test_a_stored_link_is_published_as_a_valid_uri(stored: str):
    xml = render_feed([entry(stored)], FeedConfig(), NOW).encode()
    link = etree.fromstring(xml).findtext("channel/item/link")
    assert link, "a link that can be made valid is kept"
    assert set(link) <= URI_CHARS, link
    assert urlsplit(link).scheme == "https" and urlsplit(link).hostname
    assert feedparser.parse(xml).bozo == 0


@pytest.mark.parametrize("stored", ["javascript:alert(1)", "file:///etc/passwd",
                                    "https://user:pw@example.org/", "not a url"])
def test_a_stored_link_that_cannot_be_valid_is_left_out(stored: str):
    xml = render_feed([entry(stored)], FeedConfig(), NOW).encode()
    # The item still has a link: its own page in the web archive, never the bad one.
    link = etree.fromstring(xml).findtext("channel/item/link")
    assert link == "http://localhost:8080/articles/kakehashi-link.html"
    assert stored not in xml.decode()
    (message,) = [m for m in render_telegram(Digest(1, NOW, (entry(stored),))) if "Title" in m]
    assert "<a " not in message
    assert telegram_html_problems(message) == []
