"""Feeds in every Japanese encoding, dates in the source's own zone, links as valid URIs:
served from a local HTTP server and read through the real poll."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from bot.config import load_config
from bot.config.times import load_zone
from bot.core.errors import ConfigError
from bot.sources.feed_fields import entry_date
from bot.sources.feeds import FeedState, FetchResult, poll_feed
from bot.text.links import safe_link
from tests.support.encodings import to_cp50220
from tests.support.http_server import Route, serve

NOW = 1_750_000_000.0
TOKYO = ZoneInfo("Asia/Tokyo")
TITLE = "㈱髙島屋、①新店舗を開業"
TEXT = "髙島屋は№1の店舗を開いた。売上高は前年比Ⅱ割増えた。"


def feed_doc(encoding: str, items: str | None = None) -> str:
    items = items or (f"<item><title>{TITLE}</title><link>https://example.jp/1</link>"
                      f"<description>{TEXT}</description></item>")
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
            f"<title>ニュース</title><link>https://example.jp/</link><description>d</description>"
            f"{items}</channel></rss>")


def poll(body: bytes, content_type: str, zone: ZoneInfo | None = None) -> FetchResult:
    with serve({"/feed.xml": Route(body, headers={"Content-Type": content_type})}) as server:
        state = FeedState(server.url("/feed.xml"))
        return poll_feed(state, NOW, timeout=5) if zone is None else \
            poll_feed(state, NOW, timeout=5, zone=zone)


# --- encodings --------------------------------------------------------------------------------

@pytest.mark.parametrize(("declared", "codec"), [
    ("Shift_JIS", "cp932"), ("shift-jis", "cp932"), ("Windows-31J", "cp932"),
    ("EUC-JP", "euc_jis_2004"), ("ISO-2022-JP", "cp50220"),
])
@pytest.mark.parametrize("where", ["header", "xml", "both"])
def test_feed_in_a_japanese_encoding_keeps_windows_characters(declared: str, codec: str,
                                                              where: str) -> None:
    title, text = TITLE, TEXT
    if codec == "euc_jis_2004":  # JIS X 0213 has ① and № but not ㈱, 髙 or Ⅱ
        title, text = "①新店舗を開業", "№1の店舗を開いた。売上高は前年比2割増えた。"
    doc = feed_doc(declared if where != "header" else "utf-8",
                   f"<item><title>{title}</title><link>https://example.jp/1</link>"
                   f"<description>{text}</description></item>")
    if where == "header":
        doc = doc.replace(' encoding="utf-8"', "")
    body = to_cp50220(doc) if codec == "cp50220" else doc.encode(codec)
    content_type = "application/rss+xml" + (f"; charset={declared}" if where != "xml" else "")
    result = poll(body, content_type)
    assert result.error == ""
    assert [(item.title, item.text) for item in result.items] == [(title, text)]


def test_wrongly_declared_feed_is_still_read() -> None:
    # Declared Shift_JIS, written in EUC-JP: every Japanese encoding is tried before giving up.
    items = "<item><title>新店舗を開業</title><description>店舗を開いた。</description></item>"
    body = feed_doc("Shift_JIS", items).encode("euc_jp")
    result = poll(body, "application/rss+xml")
    assert [item.title for item in result.items] == ["新店舗を開業"]


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
                                   "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("declared", [True, False])
def test_feed_in_every_unicode_form(codec: str, declared: bool) -> None:
    name = codec.removesuffix("-sig").removesuffix("-le").removesuffix("-be").upper()
    doc = feed_doc(name) if declared else feed_doc("x").replace(' encoding="x"', "")
    result = poll(doc.encode(codec), "application/rss+xml")
    assert [(item.title, item.text) for item in result.items] == [(TITLE, TEXT)]


@pytest.mark.parametrize("codec", ["cp932", "euc_jp", "cp50220"])
def test_feed_declaring_no_encoding_in_a_japanese_one(codec: str) -> None:
    title = "①新店舗を開業" if codec != "euc_jp" else "新店舗を開業"
    doc = feed_doc("x", f"<item><title>{title}</title><description>店舗を開いた。</description>"
                        "</item>").replace(' encoding="x"', "")
    body = to_cp50220(doc) if codec == "cp50220" else doc.encode(codec)
    result = poll(body, "application/rss+xml")
    assert [item.title for item in result.items] == [title]


def test_undecodable_feed_fails_with_a_reason() -> None:
    body = feed_doc("Shift_JIS").encode("cp932") + bytes(range(0x80, 0x100)) * 8
    result = poll(body, "application/rss+xml")
    assert result.error.startswith("feed cannot be decoded: ") and result.items == ()


# --- dates ------------------------------------------------------------------------------------

def _dated(*dates: str) -> str:
    return "".join(f"<item><title>見出し{i}</title><guid>g{i}</guid><pubDate>{d}</pubDate>"
                   f"<description>本文です。</description></item>" for i, d in enumerate(dates))


def test_entry_dates_keep_the_source_offset() -> None:
    dates = ["2025-04-01T08:00:00+09:00", "Tue, 01 Apr 2025 08:00:00 +0900",
             "Tue, 01 Apr 2025 08:00:00 JST", "2025-04-01T08:00:00Z", "Tue, 01 Apr 2025 08:00 GMT",
             "Mon, 31 Mar 2025 19:00:00 EST"]
    result = poll(feed_doc("utf-8", _dated(*dates)).encode(), "application/rss+xml")
    published = [item.published for item in result.items]
    assert all(p is not None for p in published)
    shown = [p.isoformat() for p in published if p is not None]
    assert shown[:3] == ["2025-04-01T08:00:00+09:00"] * 3  # not 2025-03-31 (UTC)
    assert shown[3:5] == ["2025-04-01T08:00:00+00:00"] * 2
    assert shown[5] == "2025-03-31T19:00:00-05:00"


def test_dates_without_a_zone_are_in_the_configured_zone() -> None:
    dates = ["2025-04-01T08:00:00", "Tue, 01 Apr 2025 08:00:00", "2025-04-01"]
    tokyo = poll(feed_doc("utf-8", _dated(*dates)).encode(), "application/rss+xml", TOKYO)
    assert [i.published.isoformat() if i.published else "" for i in tokyo.items] == [
        "2025-04-01T08:00:00+09:00", "2025-04-01T08:00:00+09:00", "2025-04-01T00:00:00+09:00"]
    utc = poll(feed_doc("utf-8", _dated(dates[0])).encode(), "application/rss+xml",
               ZoneInfo("UTC"))
    assert utc.items[0].published == datetime(2025, 4, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["", "garbage", "Tue, 99 Foo 2025", "2025-13-45T99:00:00"])
def test_unreadable_dates_are_none(raw: str) -> None:
    assert entry_date(raw, None, UTC) is None


def test_feedparser_value_is_the_fallback_for_odd_formats() -> None:
    parsed = datetime(2025, 4, 1, 8, tzinfo=UTC).timetuple()
    assert entry_date("2025年4月1日", parsed, TOKYO) == datetime(2025, 4, 1, 8, tzinfo=UTC)


# --- links ------------------------------------------------------------------------------------

# RFC 3986 URI: scheme, authority, then only unreserved, sub-delims, ":@/?" and %XX escapes.
_RFC3986 = re.compile(r"https?://[A-Za-z0-9.-]+(:\d+)?(/([A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*)"
                      r"(\?([A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-F]{2})*)?"
                      r"(#([A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-F]{2})*)?")
LINKS = {
    'https://example.jp/a"b': "https://example.jp/a%22b",
    "https://example.jp/a b?q=東 京#節 1": "https://example.jp/a%20b?q=%E6%9D%B1%20%E4%BA%AC#%E7%AF%80%201",
    "https://例え.jp/記事/1": "https://xn--r8jz45g.jp/%E8%A8%98%E4%BA%8B/1",
    "https://example.jp/%E6%9D%B1%zz<>": "https://example.jp/%E6%9D%B1%25zz%3C%3E",
    "javascript:alert(1)": "", "data:text/html,<b>x</b>": "", "file:///etc/passwd": "",
    "http://user:pw@example.jp/": "", "https://example.jp:99999/": "", "mailto:a@example.jp": "",
}


@pytest.mark.parametrize(("link", "expected"), LINKS.items())
def test_links_become_valid_uris_or_are_dropped(link: str, expected: str) -> None:
    assert safe_link(link) == expected
    if expected:
        assert _RFC3986.fullmatch(expected)
        assert urlsplit(expected).geturl() == expected  # a stable round trip


def test_feed_links_are_valid_uris_after_polling() -> None:
    from xml.sax.saxutils import escape

    items = "".join(f"<item><title>見出し{i}</title><guid>g{i}</guid><link>{escape(link)}</link>"
                    f"<description>本文です。</description></item>"
                    for i, link in enumerate(LINKS))
    result = poll(feed_doc("utf-8", items).encode(), "application/rss+xml")
    assert [item.link for item in result.items] == list(LINKS.values())



# --- the configured zone ----------------------------------------------------------------------

def test_timezone_setting_is_checked_when_the_config_is_loaded(tmp_path: Path) -> None:
    config = tmp_path / "k.toml"
    config.write_text('[sources]\ntimezone = "Asia/Tokio"\n', encoding="utf-8")
    reason = "sources.timezone: unknown time zone 'Asia/Tokio'"
    with pytest.raises(ConfigError, match=re.escape(reason)):
        load_config(config, {})
    config.write_text('[sources]\ntimezone = "Europe/Paris"\n', encoding="utf-8")
    assert load_zone(load_config(config, {}).sources.timezone) == ZoneInfo("Europe/Paris")
    default = load_config(None, {}).sources.timezone
    assert default == "Asia/Tokyo"
    assert datetime(2025, 4, 1, tzinfo=load_zone(default)).utcoffset() == timedelta(hours=9)
