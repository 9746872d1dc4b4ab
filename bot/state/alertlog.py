"""The alerts_told table: what the admin alerts have told (one key a thing), kept in the state
file so that a restarted worker does not tell the same things again."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager

from bot.state.backend import Backend, insert_ignore


class AlertLog:
    """Queries over the alerts_told table of one open state database."""

    def __init__(self, conn: Backend,
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
            self._conn.executemany(insert_ignore("alerts_told", "key"),
                                   [(key,) for key in keys])
