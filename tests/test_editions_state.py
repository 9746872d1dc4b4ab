"""The editions' state: an older state file keeps its outbox through the migration that
lets each edition number its own digests, and each edition's digests are numbered apart."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.state.migrations import MIGRATIONS, apply_migrations
from bot.state.records import DeliveryStatus, Message
from bot.state.store import Store

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def test_an_older_outbox_survives_and_editions_number_their_own(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    conn = sqlite3.connect(state, isolation_level=None)
    apply_migrations(conn, MIGRATIONS[:-1], 0)
    conn.execute("INSERT INTO digests(created) VALUES (?)", (NOW.isoformat(),))
    conn.execute("INSERT INTO deliveries(digest_id, channel, part, body, status, claimed_by)"
                 " VALUES (1, 'telegram', 1, '<b>one</b>', 'held', 'pid 7')")
    conn.close()
    store = Store.open(state)
    assert [str(d.ref) for d in store.outbox().attention()] == ["1:1"]
    assert store.outbox().attention()[0].claimed_by == "pid 7"
    log = store.editions()
    with store.transaction():
        # Numbers of its own: no digest of the default edition stands behind them.
        assert log.create_digest("rail", NOW, []) == 1
        assert log.create_digest("rail", NOW, []) == 2
        assert log.create_digest("asia", NOW, []) == 1
        store.outbox().queue(2, "telegram.rail", ["<b>rail</b>"])
    store.outbox().record(Message(2, 1, "<b>rail</b>"), "telegram.rail", DeliveryStatus.SENT)
    assert store.outbox().last_published("telegram.rail") == [Message(2, 1, "<b>rail</b>")]
    assert (log.last_number("rail"), log.last_number("asia"), log.last_number("x")) == (2, 1, 0)
    store.close()
