"""The state database: migrations, refusal of foreign files, the outbox."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.errors import StoreError
from bot.core.model import Entry, Pair, SourceInfo, Term
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


def test_entries_round_trip_and_digest_takes_pending():
    store = Store.open(":memory:")
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


def test_failed_transaction_leaves_nothing():
    store = Store.open(":memory:")
    with pytest.raises(RuntimeError), store.transaction():
        store.add_entries([make_entry("g1")])
        store.record_document("h", "a.txt", NOW, DocumentStatus.DONE)
        raise RuntimeError("crash mid-document")
    assert store.pending_entries() == [] and not store.has_document("h")
