"""The alerts_told table: what the admin alerts have told (one key a thing), kept in the state
file so that a restarted worker does not tell the same things again."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager


class AlertLog:
    """Queries over the alerts_told table of one open state database."""

    def __init__(self, conn: sqlite3.Connection,
                 transaction: Callable[[], AbstractContextManager[None]]) -> None:
        self._conn = conn
        self._transaction = transaction

    def told(self) -> list[str]:
        """Every key told, in order."""
        return [key for (key,) in self._conn.execute("SELECT key FROM alerts_told ORDER BY key")]

    def replace(self, keys: Iterable[str]) -> None:
        """What is told from now on: exactly `keys` (committed at once)."""
        with self._transaction():
            self._conn.execute("DELETE FROM alerts_told")
            self._conn.executemany("INSERT OR IGNORE INTO alerts_told(key) VALUES (?)",
                                   [(key,) for key in keys])
