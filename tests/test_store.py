"""The state database: migrations, refusal of foreign files, the outbox."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import bot.state.opening
from bot.core.errors import StoreError
from bot.core.model import Entry, Pair, SourceInfo, Term
from bot.state.migrations import apply_migrations
from bot.state.opening import write_ahead
from bot.state.records import DeliveryStatus, DocumentStatus, Message
from bot.state.store import MIGRATIONS, Store

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def make_entry(guid: str, document: str = "a.txt") -> Entry:
    return Entry(guid=guid, document=document, title_ja="見出し", title_en="Headline",
                 pairs=(Pair("文。", "Sentence."),), terms=(Term("一帯一路", "BRI"),),
                 warnings=("w",), source=SourceInfo(site="example.com"), created=NOW)


def test_new_file_is_migrated_to_the_latest_schema(tmp_path: Path):
    path = tmp_path / "state.sqlite3"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@contextlib.contextmanager
def _held_file(tmp_path: Path) -> Iterator[tuple[sqlite3.Connection, threading.Event]]:
    """A fresh state file held under an exclusive lock by another connection (its own
    thread) until the event is set, and a connection to it whose busy handler is off
    (timeout=0): each attempt of that connection is refused at once, the way several processes
    turning one fresh file to WAL together are sometimes refused."""
    path = tmp_path / "state.sqlite3"
    sqlite3.connect(path).close()
    release, held = threading.Event(), threading.Event()

    def hold() -> None:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        held.set()
        release.wait(60)
        holder.execute("ROLLBACK")
        holder.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(60)
    conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        yield conn, release
    finally:
        release.set()
        thread.join(60)
        conn.close()


def test_a_refusal_to_turn_to_wal_is_waited_out_until_the_holder_lets_go(tmp_path: Path):
    with _held_file(tmp_path) as (conn, release):
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            conn.execute("PRAGMA journal_mode=WAL")  # the refusal the retry is for
        threading.Timer(0.3, release.set).start()
        write_ahead(conn, wait_seconds=60)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_holder_that_never_lets_go_ends_the_wait_with_the_refusal(tmp_path: Path):
    with (_held_file(tmp_path) as (conn, _),
          pytest.raises(sqlite3.OperationalError, match="locked")):
        write_ahead(conn, wait_seconds=0.2)
    after = sqlite3.connect(tmp_path / "state.sqlite3", timeout=60)
    assert after.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # unchanged
    after.close()


def test_not_a_database_is_refused(tmp_path: Path):
    path = tmp_path / "state.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable state file"):
        Store.open(path)
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_newer_schema_is_refused(tmp_path: Path):
    path = tmp_path / "state.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer Kakehashi"):
        Store.open(path)


def test_entries_round_trip_and_digest_takes_pending(state_target: str):
    store = Store.open(state_target)
    entries = [make_entry("g1"), make_entry("g2", "b.txt")]
    with store.transaction():
        store.add_entries(entries)
    assert store.pending_entries() == entries
    with store.transaction():
        digest_id = store.create_digest(NOW, ["g1", "g2"])
        store.outbox().queue(digest_id, "telegram", ["one", "two"])
    assert store.pending_entries() == []
    assert [e.guid for e in store.recent_entries(10)] == ["g2", "g1"]
    outbox = store.outbox()
    assert outbox.pending("telegram") == [Message(digest_id, 1, "one"),
                                          Message(digest_id, 2, "two")]
    first = outbox.claim_next("telegram", "pid 1", NOW)
    assert first == Message(digest_id, 1, "one")
    outbox.record(first, "telegram", DeliveryStatus.SENT)
    assert outbox.pending("telegram") == [Message(digest_id, 2, "two")]
    store.close()


def test_failed_transaction_leaves_nothing(state_target: str):
    store = Store.open(state_target)
    with pytest.raises(RuntimeError), store.transaction():
        store.add_entries([make_entry("g1")])
        store.record_document("h", "a.txt", NOW, DocumentStatus.DONE)
        raise RuntimeError("crash mid-document")
    assert store.pending_entries() == [] and not store.has_document("h")
    store.close()


# migrations --------------------------------------------------------------------------------

def schema(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute("SELECT name, sql FROM sqlite_master"))


def test_an_old_state_file_is_upgraded_in_place_keeping_its_rows(tmp_path: Path):
    old = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(old, isolation_level=None)
    apply_migrations(conn, MIGRATIONS[:2], 0)
    conn.execute("INSERT INTO documents(hash, name, seen_at, status) VALUES "
                 "('h', 'a.txt', '2026-11-01T09:00:00+00:00', 'done')")
    conn.close()
    store = Store.open(old)
    assert store.schema_behind() == 0
    assert [d.name for d in store.documents()] == ["a.txt"]
    assert store.documents()[0].status is DocumentStatus.DONE
    store.close()
    Store.open(tmp_path / "new.sqlite3").close()
    assert schema(old) == schema(tmp_path / "new.sqlite3")


# A later migration as it might be written: a ";" inside a string literal and in a trigger's
# body, where a split on ";" would cut a statement in two.
SEMICOLONS = (
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL, edits INTEGER DEFAULT 0)",
    "INSERT INTO notes(text) VALUES ('first; second')",
    """CREATE TRIGGER notes_edited AFTER UPDATE OF text ON notes BEGIN
        UPDATE notes SET edits = edits + 1 WHERE id = new.id;
        INSERT INTO notes(text) VALUES ('edited; ' || old.text);
    END""",
)


def test_a_migration_with_semicolons_in_a_literal_and_a_trigger_applies_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "state.sqlite3"
    Store.open(path).close()  # a current file: only the new migration runs
    monkeypatch.setattr(bot.state.opening, "MIGRATIONS", (*MIGRATIONS, SEMICOLONS))
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
        assert conn.execute("SELECT text FROM notes").fetchall() == [("first; second",)]
        conn.execute("UPDATE notes SET text = 'third' WHERE id = 1")
        assert conn.execute("SELECT text, edits FROM notes ORDER BY id").fetchall() == [
            ("third", 1), ("edited; first; second", 0)]


def test_a_migration_that_fails_midway_leaves_the_file_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "state.sqlite3"
    Store.open(path).close()
    before = schema(path)
    broken = (*SEMICOLONS[:2], "INSERT INTO no_such_table VALUES (1)")
    monkeypatch.setattr(bot.state.opening, "MIGRATIONS", (*MIGRATIONS, broken))
    with pytest.raises(StoreError, match="no such table: no_such_table"):
        Store.open(path)
    assert schema(path) == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_every_migration_statement_is_one_whole_statement():
    for migration in MIGRATIONS:
        assert isinstance(migration, tuple) and migration
        for statement in migration:
            assert sqlite3.complete_statement(statement + ";"), statement
