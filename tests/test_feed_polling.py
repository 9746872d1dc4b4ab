"""Polling several feeds in one run: slow feeds are waited for together, not one after the
other, and every result is recorded in the store on the calling thread."""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Config, SourcesConfig
from bot.glossary import Glossary
from bot.run.ingest import Ingest, IngestReport, ingest_feeds
from bot.state.records import SavedFeed
from bot.state.store import Store
from bot.translate.translator import WholeBatches
from tests.support.http_server import Route, serve
from tests.support.slow_server import silent_server

TIMEOUT = 2.0
EMPTY_RSS = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
             b"<link>https://example.jp/</link><description>d</description></channel></rss>")


class NoTranslation(WholeBatches):
    """These feeds have no entries: a call would mean an entry came from nowhere."""

    identity = "none"

    def translate(self, sentences: Sequence[str]) -> list[str]:
        raise AssertionError(f"nothing to translate, got {len(sentences)} sentence(s)")


def run_feeds(tmp_path: Path, urls: list[str]) -> tuple[float, IngestReport, Store]:
    config = Config(sources=SourcesConfig(feeds=tuple(urls), feed_timeout_seconds=TIMEOUT))
    store = Store.open(tmp_path / "state.sqlite3")
    job = Ingest(config, store, Glossary(), NoTranslation(), datetime.now(UTC), lambda _: None)
    report = IngestReport()
    started = time.monotonic()
    ingest_feeds(job, report)
    return time.monotonic() - started, report, store


def test_slow_feeds_are_waited_for_together(tmp_path: Path) -> None:
    with ExitStack() as stack, serve({"/ok.xml": Route(EMPTY_RSS, headers={
            "Content-Type": "application/rss+xml"})}) as good:
        slow = [stack.enter_context(silent_server()) for _ in range(3)]
        elapsed, report, store = run_feeds(tmp_path, [*slow, good.url("/ok.xml")])
    try:
        assert elapsed < 1.6 * TIMEOUT, f"{elapsed:.2f} s for three feeds timing out"
        assert sorted(url for url, _ in report.skipped) == sorted(slow)
        assert all(reason.startswith(f"timed out after {TIMEOUT:g} s")
                   for _, reason in report.skipped)
        failing = store.feeds().failing()
        assert [f.url for f in failing] == sorted(slow)
        assert store.feeds().state(good.url("/ok.xml")) == SavedFeed("", "", 0, 0.0, "")
    finally:
        store.close()


def test_a_feed_listed_twice_is_polled_once(tmp_path: Path) -> None:
    route = Route(EMPTY_RSS, headers={"Content-Type": "application/rss+xml"})
    with serve({"/feed.xml": route}) as server:
        _, report, store = run_feeds(tmp_path, [server.url("/feed.xml")] * 2)
        store.close()
    assert server.requests == ["/feed.xml"] and report.skipped == []
