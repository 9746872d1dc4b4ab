"""Feed polling against local servers: parsing, conditional GET, failures, limits, scheduling
(hostile XML: test_feed_hostile_xml.py)."""

from __future__ import annotations

import gzip
import itertools
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sources.feeds import FeedState, backoff_seconds, due, parse_feed, poll_feed
from tests.support.feed_polling import NOW, RSS_TYPE, make_rss, poll_route
from tests.support.http_server import Route, serve
from tests.support.slow_server import conditional_server, silent_server, stream_server

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>経済ニュース</title><link>https://example.jp/</link><description>テスト</description>
<item>
  <title>日銀、金利を据え置き</title>
  <link>https://example.jp/news/1</link>
  <guid isPermaLink="false">news-0001</guid>
  <pubDate>Tue, 10 Jun 2025 09:30:00 +0900</pubDate>
  <description>&lt;p&gt;要約です。&lt;/p&gt;</description>
  <content:encoded><![CDATA[<p>日本銀行は<b>10日</b>、政策金利を据え置いた。</p>
  <p>市場は円安に反応した。</p><script>alert("x")</script>]]></content:encoded>
</item>
<item>
  <title>港湾の取扱量が増加</title>
  <link>https://example.jp/news/2</link>
  <pubDate>Wed, 11 Jun 2025 00:00:00 GMT</pubDate>
  <description>&lt;p&gt;コンテナ取扱量は&lt;i&gt;2.6万TEU&lt;/i&gt;に達した。&lt;/p&gt;</description>
</item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">
  <title>港湾ニュース</title><id>urn:example:feed</id><updated>2025-06-12T10:00:00+09:00</updated>
  <entry>
    <title>新しい航路が開設</title>
    <id>tag:example.jp,2025:entry-1</id>
    <link rel="alternate" href="/atom/1"/>
    <updated>2025-06-12T10:00:00+09:00</updated>
    <summary>短い要約</summary>
    <content type="html">&lt;p&gt;横浜港と上海港を結ぶ&lt;em&gt;新航路&lt;/em&gt;
      が開設された。&lt;/p&gt;</content>
  </entry>
  <entry>
    <title type="html">&lt;b&gt;速報&lt;/b&gt; 輸出が回復</title>
    <id>tag:example.jp,2025:entry-2</id>
    <link href="https://example.jp/atom/2"/>
    <published>2025-06-11T23:00:00Z</published>
    <updated>2025-06-12T01:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
      <p>輸出は前月比で<strong>3%</strong>増えた。</p></div></content>
  </entry>
</feed>
"""




# --- good feeds -------------------------------------------------------------------------------

def test_rss_with_japanese_entries() -> None:
    failing = FeedState("", failures=3, next_poll=NOW - 1, last_error="HTTP 500")
    route = Route(RSS.encode(), headers={**RSS_TYPE, "ETag": '"r1"',
                                         "Last-Modified": "Tue, 10 Jun 2025 01:00:00 GMT"})
    result = poll_route(route, failing)
    assert result.error == ""
    first, second = result.items
    assert first.title == "日銀、金利を据え置き"
    assert first.link == "https://example.jp/news/1"
    assert first.guid == "news-0001"
    assert first.published == datetime(2025, 6, 10, 0, 30, tzinfo=UTC)
    assert first.text == "日本銀行は10日、政策金利を据え置いた。\n市場は円安に反応した。"
    assert second.guid == "https://example.jp/news/2"  # no <guid>: the link stands in
    assert second.text == "コンテナ取扱量は2.6万TEUに達した。"  # description when no content
    assert second.published is not None and second.published.utcoffset() is not None
    for item in result.items:
        assert item.feed_url == result.state.url
        assert "<" not in item.text and "alert" not in item.text
        assert item.title not in item.text
    assert result.state == replace(failing, url=result.state.url, etag='"r1"',
                                   modified="Tue, 10 Jun 2025 01:00:00 GMT", failures=0,
                                   next_poll=0.0, last_error="")


def test_atom_with_japanese_entries() -> None:
    result = poll_route(Route(ATOM.encode(), headers={"Content-Type": "application/atom+xml"}))
    assert result.error == ""
    first, second = result.items
    assert first.guid == "tag:example.jp,2025:entry-1"
    assert first.link == result.state.url.replace("/feed.xml", "/atom/1")  # relative, resolved
    assert first.published == datetime(2025, 6, 12, 1, 0, tzinfo=UTC)  # from <updated>
    assert first.text == "横浜港と上海港を結ぶ新航路が開設された。"  # content beats summary
    assert second.title == "速報 輸出が回復"
    assert second.published == datetime(2025, 6, 11, 23, 0, tzinfo=UTC)  # published beats updated
    assert second.text == "輸出は前月比で3%増えた。"


def test_shift_jis_feed_is_decoded() -> None:
    body = make_rss("<item><title>為替が急変</title><link>https://example.jp/3</link></item>")
    body = body.replace('encoding="utf-8"', 'encoding="Shift_JIS"')
    result = poll_route(Route(body.encode("shift_jis"),
                              headers={"Content-Type": "application/rss+xml; charset=Shift_JIS"}))
    assert [item.title for item in result.items] == ["為替が急変"]


def test_source_line_breaks_in_html_are_not_new_lines() -> None:
    html = ("&lt;p&gt;日本銀行は\n  今月、&lt;b&gt;会合&lt;/b&gt;\n を開いた。&lt;/p&gt;\n"
            "&lt;p&gt;Bank of\nJapan&lt;br&gt;二行目&lt;/p&gt;")
    body = make_rss(f"<item><title>見出し</title><description>{html}</description></item>")
    (item,) = parse_feed("https://example.jp/f", body.encode(), {})
    assert item.text == "日本銀行は今月、会合を開いた。\nBank of Japan\n二行目"


def test_guid_falls_back_to_a_content_hash() -> None:
    items = "<item><title>見出しA</title><description>本文</description></item>" \
            "<item><title>見出しB</title><description>本文</description></item>"
    first, second = parse_feed("https://example.jp/f", make_rss(items).encode(), {})
    assert first.guid.startswith("sha256:") and len(first.guid) == len("sha256:") + 64
    assert first.guid != second.guid
    again = parse_feed("https://example.jp/f", make_rss(items).encode(), {})
    assert again[0].guid == first.guid  # stable across polls


def test_empty_feed_is_a_success() -> None:
    result = poll_route(Route(make_rss("").encode(), headers=RSS_TYPE))
    assert (result.error, result.items, result.not_modified) == ("", (), False)


def test_malformed_feed_with_usable_entries_is_accepted() -> None:
    body = make_rss("<item><title>円高 & 株安</title><link>https://example.jp/4</link></item>")
    result = poll_route(Route(body.encode(), headers=RSS_TYPE))
    assert result.error == ""
    assert [item.title for item in result.items] == ["円高 & 株安"]


def test_feed_read_in_part_is_noted_without_counting_as_a_failure() -> None:
    body = make_rss("<item><title>円高が進む</title><description>本文。</description></item>"
                    "<item><title>途中で切れ").removesuffix("</channel></rss>")
    failing = FeedState("", failures=2, next_poll=NOW - 1, last_error="HTTP 500")
    result = poll_route(Route(body.encode(), headers=RSS_TYPE), failing)
    assert result.error == "" and [item.title for item in result.items] == ["円高が進む"]
    assert result.warning.startswith("malformed XML, 1 entry read: ")
    assert (result.state.failures, result.state.next_poll) == (0, 0.0)
    assert result.state.last_error == result.warning
    clean = poll_route(Route(make_rss("").encode(), headers=RSS_TYPE), result.state)
    assert clean.warning == "" and clean.state.last_error == ""


# --- conditional GET --------------------------------------------------------------------------

def test_conditional_get_gives_not_modified() -> None:
    modified = "Tue, 10 Jun 2025 01:00:00 GMT"
    with conditional_server(RSS.encode(), '"v1"', modified) as log:
        first = poll_feed(FeedState(log.url), NOW)
        assert (first.state.etag, first.state.modified, len(first.items)) == ('"v1"', modified, 2)
        second = poll_feed(replace(first.state, failures=2, next_poll=NOW), NOW + 60)
    assert second.not_modified and second.items == () and second.error == ""
    assert (second.state.failures, second.state.next_poll, second.state.etag) == (0, 0.0, '"v1"')
    assert "if-none-match" not in log.requests[0]
    assert log.requests[1]["if-none-match"] == '"v1"'
    assert log.requests[1]["if-modified-since"] == modified
    assert log.requests[1]["user-agent"] == "Kakehashi/0.1 (+feed reader)"


def test_non_ascii_validator_from_a_server_does_not_break_the_next_poll() -> None:
    with serve({"/feed.xml": Route(RSS.encode(), headers={**RSS_TYPE, "ETag": '"é"'})}) as server:
        first = poll_feed(FeedState(server.url("/feed.xml")), NOW)
        second = poll_feed(first.state, NOW + 60)
    assert first.state.etag == '"é"'
    assert (second.error, len(second.items)) == ("", 2)


# --- failures ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "reason"), [
    (make_rss("").replace("</title>", "</titel>"), "malformed feed: mismatched tag"),
    ('{"items": []}', "malformed feed: not well-formed (invalid token)"),
    (make_rss("<item><title>途中で").removesuffix("</channel></rss>"), "malformed feed: "),
])
def test_malformed_xml_is_an_error(body: str, reason: str) -> None:
    result = poll_route(Route(body.encode(), headers=RSS_TYPE))
    assert result.error.startswith(reason)
    assert result.items == ()


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "application/xml"])
def test_html_error_page_with_status_200(content_type: str) -> None:
    page = "<!DOCTYPE html><html><head><title>メンテナンス中</title></head><body><h1>Error</h1>"
    result = poll_route(Route(page.encode(), headers={"Content-Type": content_type}))
    assert result.error == "not a feed (HTML page)"
    assert result.state.failures == 1


def test_server_error_backs_off_and_keeps_validators() -> None:
    state = FeedState("", etag='"old"', modified="Mon, 09 Jun 2025 00:00:00 GMT")
    result = poll_route(Route(b"oops", 500), state)
    assert result.error == "HTTP 500 Internal Server Error"
    assert result.state == replace(state, url=result.state.url, failures=1,
                                   next_poll=0.0, last_error=result.error)


def test_failures_back_off_from_the_third_in_a_row_then_reset() -> None:
    routes = {"/feed.xml": Route(b"", 503)}
    with serve(routes) as server:
        states = [FeedState(server.url("/feed.xml"))]
        for n in range(4):
            states.append(poll_feed(states[-1], NOW + n, interval=600).state)
        routes["/feed.xml"] = Route(RSS.encode(), headers=RSS_TYPE)
        healed = poll_feed(states[-1], NOW + 9000, interval=600).state
    assert [s.failures for s in states[1:]] == [1, 2, 3, 4]
    # Once or twice: polled again at its next interval; then its interval doubled, doubling.
    assert [s.next_poll for s in states[1:]] == [0.0, 0.0, NOW + 2 + 1200, NOW + 3 + 2400]
    assert states[-1].last_error == "HTTP 503 Service Unavailable"
    assert (healed.failures, healed.next_poll, healed.last_error) == (0, 0.0, "")


def test_server_that_never_answers_times_out() -> None:
    with silent_server() as url:
        result = poll_feed(FeedState(url), NOW, timeout=0.5)
    assert result.error == "timed out after 0.5 s"


def test_trickling_server_hits_the_overall_deadline() -> None:
    # Each byte arrives within 0.5 s; all of them would take 10 s and then parse: the error
    # says the overall deadline ended it (bench/timings.py measures how close to 0.5 s).
    with stream_server(lambda: itertools.repeat(b" ", 100), delay=0.1) as url:
        result = poll_feed(FeedState(url), NOW, timeout=0.5)
    assert result.error == "timed out after 0.5 s"


def test_declared_size_over_the_limit() -> None:
    result = poll_route(Route(b" " * 50_000, headers=RSS_TYPE), max_bytes=10_000)
    assert result.error == "feed too large (50,000 bytes; limit 10,000)"


def test_streamed_size_over_the_limit_stops_reading() -> None:
    # No Content-Length and 640 MB on offer: the cap must stop the download itself.
    with stream_server(lambda: itertools.repeat(b"<" * 65536, 10_000)) as url:
        result = poll_feed(FeedState(url), NOW, max_bytes=1_000_000)
    assert result.error == "feed too large (over 1,000,000 bytes)"


def test_size_cap_counts_decompressed_bytes() -> None:
    bomb = gzip.compress(b" " * 2_000_000)
    assert len(bomb) < 100_000
    route = Route(bomb, headers={**RSS_TYPE, "Content-Encoding": "gzip"})
    result = poll_route(route, max_bytes=100_000)
    assert result.error == "feed too large (over 100,000 bytes)"


def test_redirects_are_followed_and_bounded() -> None:
    routes = {
        "/old": Route(b"", 301, {"Location": "/feed.xml"}),
        "/feed.xml": Route(RSS.encode(), headers=RSS_TYPE),
        "/a": Route(b"", 302, {"Location": "/b"}),
        "/b": Route(b"", 302, {"Location": "/a"}),
    }
    with serve(routes) as server:
        moved = poll_feed(FeedState(server.url("/old")), NOW)
        looping = poll_feed(FeedState(server.url("/a")), NOW, max_redirects=3)
    assert len(moved.items) == 2 and moved.state.url.endswith("/old")
    assert looping.error == "too many redirects (limit 3)"


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/feed.xml",
                                    "gopher://127.0.0.1/"])
def test_redirect_to_another_scheme_is_refused(target: str) -> None:
    routes = {"/feed.xml": Route(b"", 302, {"Location": target})}
    with serve(routes) as server:
        result = poll_feed(FeedState(server.url("/feed.xml")), NOW, timeout=5)
    assert result.error.startswith("fetch failed: ")
    assert "root:" not in result.error and result.items == ()
    assert result.state.failures == 1


def test_fifty_megabyte_body_stops_at_the_cap() -> None:
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        head = make_rss("").removesuffix("</channel></rss>").encode()
        for index in range(50):
            sent.append(index)
            yield (head if index == 0 else b"") + b"<!-- " + b"x" * 1_000_000 + b" -->"
        yield b"</channel></rss>"

    with stream_server(chunks) as url:
        result = poll_feed(FeedState(url), NOW, timeout=20)
    assert result.error == "feed too large (over 5,000,000 bytes)"
    assert len(sent) < 50  # the download stopped: the rest was never asked for


def test_connection_refused_is_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = poll_feed(FeedState(f"http://127.0.0.1:{port}/feed.xml"), NOW, timeout=2)
    assert result.error.startswith("fetch failed: ")
    assert result.state.failures == 1


@pytest.mark.parametrize("url", ["file:///etc/passwd", "/etc/passwd", "ftp://example.jp/feed.xml",
                                 "feed://example.jp/rss", "javascript:alert(1)", "http:///feed"])
def test_non_http_urls_are_refused_without_fetching(url: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    def no_client(*args: object, **kwargs: object) -> None:
        raise AssertionError("no request may be made")

    monkeypatch.setattr(httpx, "Client", no_client)
    result = poll_feed(FeedState(url), NOW)
    assert "http/https only" in result.error or result.error == "feed URL has no host"
    assert "root:" not in result.error
    assert (result.state.failures, result.state.next_poll) == (1, 0.0)


def test_body_naming_a_local_file_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_text(make_rss("<item><title>LEAKED</title></item>"), encoding="utf-8")
    result = poll_route(Route(str(secret).encode(), headers=RSS_TYPE))
    assert result.items == ()
    assert result.error != ""


# --- scheduling -------------------------------------------------------------------------------

def test_backoff_starts_at_the_third_failure_from_the_interval_then_doubles_and_caps() -> None:
    assert [backoff_seconds(n, 300) for n in range(7)] == [
        0.0, 0.0, 0.0, 600.0, 1200.0, 2400.0, 4800.0]
    assert backoff_seconds(8, 300) == 19_200.0
    assert backoff_seconds(9, 300) == 6 * 3600.0
    assert backoff_seconds(10_000, 300) == 6 * 3600.0  # no overflow
    assert [backoff_seconds(n, 1, cap=10) for n in range(3, 8)] == [2, 4, 8, 10, 10]
    # A daily feed is never polled more often for failing; the cap does not shorten its day.
    assert backoff_seconds(3, 86_400) == backoff_seconds(9, 86_400) == 86_400


def test_due_respects_next_poll() -> None:
    assert due(FeedState("https://example.jp/f"), NOW)
    waiting = FeedState("https://example.jp/f", failures=1, next_poll=NOW + 300)
    assert not due(waiting, NOW)
    assert not due(waiting, NOW + 299.9)
    assert due(waiting, NOW + 300)
    assert due(waiting, NOW + 240, slack=60)  # a scheduled poll a little early
    assert not due(waiting, NOW + 239, slack=60)
