"""The feeds table: what each polled feed said last (HTTP validators, failures in a row,
when to poll it next, its last error or warning). Written inside the store's transactions."""

from __future__ import annotations

import sqlite3


class FeedLog:
    """Queries over the feeds table of one open state database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def state(self, url: str) -> tuple[str, str, int, float, str] | None:
        """(etag, modified, failures, next_poll, last_error) of a feed polled before."""
        row = self._conn.execute(
            "SELECT etag, modified, failures, next_poll, last_error FROM feeds WHERE url=?",
            (url,),
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3], row[4])

    def save(self, url: str, etag: str, modified: str, failures: int,
             next_poll: float, last_error: str) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO feeds(url, etag, modified, failures, next_poll, last_error)"
            " VALUES (?,?,?,?,?,?)",
            (url, etag, modified, failures, next_poll, last_error),
        )

    def failing(self) -> list[tuple[str, int, str]]:
        """(url, consecutive failures, last error) of feeds whose last poll failed."""
        rows = self._conn.execute(
            "SELECT url, failures, last_error FROM feeds WHERE failures > 0 ORDER BY url"
        )
        return list(rows)

    def warnings(self) -> list[tuple[str, str]]:
        """(url, warning) of feeds whose last poll worked only in part (malformed XML)."""
        rows = self._conn.execute(
            "SELECT url, last_error FROM feeds WHERE failures = 0 AND last_error != ''"
            " ORDER BY url"
        )
        return list(rows)
