"""Feeds served from 127.0.0.1 and polled once, for the feed tests."""

from __future__ import annotations

from dataclasses import replace

from bot.sources.feeds import FeedState, FetchResult, poll_feed
from tests.support.http_server import Route, serve

NOW = 1_750_000_000.0
RSS_TYPE = {"Content-Type": "application/rss+xml; charset=utf-8"}
REFUSED = "feed declares XML entities (refused)"


def make_rss(items: str, *, prolog: str = "") -> str:
    """A minimal RSS 2.0 document around `items` (raw <item> markup)."""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n{prolog}<rss version="2.0"><channel>'
            f"<title>t</title><link>https://example.jp/</link><description>d</description>"
            f"{items}</channel></rss>")


def poll_route(route: Route, state: FeedState | None = None, *,
               max_bytes: int = 5_000_000) -> FetchResult:
    """Serve one route at /feed.xml and poll it once (with `state`, its URL replaced)."""
    with serve({"/feed.xml": route}) as server:
        url = server.url("/feed.xml")
        return poll_feed(replace(state or FeedState(url), url=url), NOW, max_bytes=max_bytes)
