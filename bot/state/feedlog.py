"""The feeds table: what each polled feed said last (HTTP validators, failures in a row,
when to poll it next, its last error or warning). Written inside the store's transactions."""

from __future__ import annotations

import sqlite3

from bot.state.records import FailingFeed, FeedWarning, SavedFeed


class FeedLog:
    """Queries over the feeds table of one open state database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def state(self, url: str) -> SavedFeed | None:
        """What the last poll of a feed polled before left; None if never polled."""
        row = self._conn.execute(
            "SELECT etag, modified, failures, next_poll, last_error FROM feeds WHERE url=?",
            (url,),
        ).fetchone()
        return None if row is None else SavedFeed(*row)

    def save(self, url: str, etag: str, modified: str, failures: int,
             next_poll: float, last_error: str) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO feeds(url, etag, modified, failures, next_poll, last_error)"
            " VALUES (?,?,?,?,?,?)",
            (url, etag, modified, failures, next_poll, last_error),
        )

    def failing(self) -> list[FailingFeed]:
        """Feeds whose last poll failed."""
        rows = self._conn.execute(
            "SELECT url, failures, last_error FROM feeds WHERE failures > 0 ORDER BY url"
        )
        return [FailingFeed(*row) for row in rows]

    def warnings(self) -> list[FeedWarning]:
        """Feeds whose last poll worked only in part (malformed XML)."""
        rows = self._conn.execute(
            "SELECT url, last_error FROM feeds WHERE failures = 0 AND last_error != ''"
            " ORDER BY url"
        )
        return [FeedWarning(*row) for row in rows]
