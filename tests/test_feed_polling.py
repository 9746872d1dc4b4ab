"""Polling several feeds in one run: slow feeds are waited for together, not one after the
other, and every result is recorded in the store on the calling thread."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Config, SourcesConfig
from bot.glossary import Glossary
from bot.run.ingest import ingest_feeds
from bot.run.job import Ingest, IngestReport
from bot.state.records import SavedFeed
from bot.state.store import Store
from bot.translate.translator import WholeBatches
from tests.support.http_server import Route, serve

TIMEOUT = 2.0
EMPTY_RSS = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
             b"<link>https://example.jp/</link><description>d</description></channel></rss>")


class NoTranslation(WholeBatches):
    """These feeds have no entries: a call would mean an entry came from nowhere."""

    identity = "none"

    def translate(self, sentences: Sequence[str]) -> list[str]:
        raise AssertionError(f"nothing to translate, got {len(sentences)} sentence(s)")


def run_feeds(tmp_path: Path, urls: list[str]) -> tuple[IngestReport, Store]:
    config = Config(sources=SourcesConfig(feeds=tuple(urls), feed_timeout_seconds=TIMEOUT))
    store = Store.open(tmp_path / "state.sqlite3")
    job = Ingest(config, store, Glossary(), NoTranslation(), datetime.now(UTC), lambda _: None)
    report = IngestReport()
    ingest_feeds(job, report)
    return report, store


class HoldingServers:
    """Servers that accept a request and never answer, noting the most requests they held
    open at once: polled one after the other, a feed's request is given up (its connection
    closed) before the next one arrives, so that is 1; polled together, it is all of them."""

    def __init__(self, stack: ExitStack, count: int) -> None:
        self.open: list[socket.socket] = []
        self.most_at_once = 0
        self._lock = threading.Lock()
        self.urls: list[str] = []
        for _ in range(count):
            listener = stack.enter_context(socket.create_server(("127.0.0.1", 0)))
            threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
            self.urls.append(f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml")
        stack.callback(self._close)

    def _accept(self, listener: socket.socket) -> None:
        with contextlib.suppress(OSError):  # the listener was closed: the test is over
            while True:
                conn, _ = listener.accept()
                with self._lock:
                    self.open = [c for c in self.open if _still_open(c)] + [conn]
                    self.most_at_once = max(self.most_at_once, len(self.open))

    def _close(self) -> None:
        with self._lock:
            for conn in self.open:
                conn.close()


def _still_open(conn: socket.socket) -> bool:
    """Has the client not closed its end? (Its request bytes are read and dropped.)"""
    try:
        while conn.recv(65536, socket.MSG_DONTWAIT):
            pass
    except BlockingIOError:
        return True  # nothing more to read, and no end-of-file: still waiting for us
    except OSError:
        pass
    conn.close()
    return False


def test_slow_feeds_are_waited_for_together(tmp_path: Path) -> None:
    with ExitStack() as stack, serve({"/ok.xml": Route(EMPTY_RSS, headers={
            "Content-Type": "application/rss+xml"})}) as good:
        holding = HoldingServers(stack, 3)
        slow = holding.urls
        report, store = run_feeds(tmp_path, [*slow, good.url("/ok.xml")])
    try:
        assert holding.most_at_once == 3, "the slow feeds were not waited for together"
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
        report, store = run_feeds(tmp_path, [server.url("/feed.xml")] * 2)
        store.close()
    assert server.requests == ["/feed.xml"] and report.skipped == []
