"""The state database: one SQLite file (WAL), or a PostgreSQL database when the state setting
is a `postgresql://` URL. All SQL lives here, in bot/state/outbox.py, feedlog.py, alertlog.py,
storylog.py, editions.py and the schema modules, written once for both through the seam in
bot/state/backend.py.

Tables: documents seen (by content hash), entries (translated articles), digests, deliveries
(the outbox, whose queries are in bot/state/outbox.py), and the translation memory. Schema changes
are ordered migrations (bot/state/migrations.py, bot/state/pg_schema.py) keyed on PRAGMA
user_version or a versions table, so an older state is upgraded in place.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from bot.core.errors import StoreError
from bot.core.model import Digest, Entry
from bot.state.alertlog import AlertLog
from bot.state.backend import Backend, SqliteBackend, insert_ignore, upsert
from bot.state.diskfull import disk_full_error, disk_full_reported, is_disk_full
from bot.state.editions import EditionLog
from bot.state.entry_json import dump_entry, load_entry
from bot.state.feedlog import FeedLog
from bot.state.migrations import MIGRATIONS
from bot.state.opening import open_state, open_state_read_only
from bot.state.outbox import Outbox
from bot.state.records import (
    DeliveryStatus,
    DocumentRecord,
    DocumentStatus,
    StoreCounts,
    TermFailure,
)
from bot.state.sendlock import AnySendLock, send_lock_of
from bot.state.storylog import StoryLog
from bot.state.workers import Claims, WorkerSeen, workers_seen

__all__ = ["MIGRATIONS", "Store"]


class Store:
    """Gateway to the state; one instance per process, closed by the caller."""

    def __init__(self, db: Backend | sqlite3.Connection) -> None:
        self._conn: Backend = SqliteBackend(db) if isinstance(db, sqlite3.Connection) else db
        self._claims = Claims(self._conn, None)

    @classmethod
    def open(cls, target: Path | str) -> Store:
        """Open (creating and migrating if needed) the state at `target`: a file, or a
        `postgresql://` URL."""
        return cls(open_state(target))

    @classmethod
    def open_read_only(cls, target: Path | str, older: bool = False) -> Store:
        """Open an existing state for reading only (never created, migrated or written):
        a current one, or with `older` one of an older schema too (what it lacks cannot be
        read: see `schema_behind`)."""
        return cls(open_state_read_only(target, older))

    def schema_behind(self) -> int:
        """How many migrations the open state lacks (0: current)."""
        return max(0, len(MIGRATIONS) - self._conn.version())

    def close(self) -> None:
        self._conn.close()

    @property
    def path(self) -> Path | None:
        """The file this store has open (None for an in-memory one, or a server's)."""
        return self._conn.path()

    def send_lock(self, stop: Callable[[], bool]) -> AnySendLock:
        """The send lock of this state (bot/state/sendlock.py)."""
        return send_lock_of(self._conn, stop)

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """The driver's errors (mapped to StoreError at the edges)."""
        return self._conn.errors

    @property
    def kind(self) -> str:
        """"sqlite" or "postgresql"."""
        return self._conn.kind

    def outbox(self) -> Outbox:
        """The deliveries table's queries (kept in their own module)."""
        return Outbox(self._conn, self.transaction)

    def editions(self) -> EditionLog:
        """The named editions' digests and entries (bot/state/editions.py)."""
        return EditionLog(self._conn)

    def alert_log(self) -> AlertLog:
        """The alerts_told table: what the admin alerts have told."""
        return AlertLog(self._conn, self.transaction)

    def stories(self) -> StoryLog:
        """The stories and merges tables: near-duplicate merging (bot/state/storylog.py)."""
        return StoryLog(self._conn)

    def join(self, worker: str) -> None:
        """Claim work for `worker`, a member of a shared state (bot/state/workers.py)."""
        self._claims = Claims(self._conn, worker)

    def claims(self) -> Claims:
        """This process's claims: each one granted on a state file, shared on a database."""
        return self._claims

    def workers(self) -> list[WorkerSeen]:
        """The members of a shared state on record, for `status` (none on a state file)."""
        return workers_seen(self._conn)

    def feeds(self) -> FeedLog:
        """The feeds table's queries: each feed's validators, failures and warnings."""
        return FeedLog(self._conn)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: a document's entries and its 'seen' mark land together. A full
        disk met in it (its writes, its commit) is StoreError "disk full: …"."""
        path = self._conn.path() or Path(".")
        try:
            self._conn.begin()
        except self._conn.errors as exc:
            if is_disk_full(exc, path):
                raise disk_full_error(exc, path) from None
            what = "file" if self._conn.kind == "sqlite" else "database"
            raise StoreError(f"store: the state {what} is busy or unwritable ({exc})") from None
        with disk_full_reported(path):
            try:
                yield
            except BaseException:
                # SQLite may have rolled back already (it does on a full disk): a second
                # ROLLBACK would fail and hide the reason.
                if self._conn.in_transaction:
                    self._conn.rollback()
                raise
            self._conn.commit()

    # documents ---------------------------------------------------------------------------

    def has_document(self, content_hash: str) -> bool:
        row = self._conn.execute("SELECT 1 FROM documents WHERE hash=?", (content_hash,))
        return row.fetchone() is not None

    def record_document(
        self, content_hash: str, name: str, now: datetime, status: DocumentStatus,
        reason: str = "",
        articles: int = 0,
    ) -> None:
        self._conn.execute(
            upsert("documents", "hash, name, seen_at, status, reason, articles", "hash"),
            (content_hash, name, now.isoformat(), status, reason, articles),
        )

    def file_index(self) -> dict[str, tuple[int, int]]:
        """name → (size, mtime_ns) of every folder file already handled."""
        rows = self._conn.execute("SELECT name, size, mtime_ns FROM files")
        return {name: (size, mtime) for name, size, mtime in rows}

    def record_file(self, name: str, size: int, mtime_ns: int, content_hash: str) -> None:
        self._conn.execute(
            upsert("files", "name, size, mtime_ns, hash", "name"),
            (name, size, mtime_ns, content_hash),
        )

    def documents(self) -> list[DocumentRecord]:
        """Every document seen, newest first."""
        rows = self._conn.execute(
            "SELECT name, seen_at, status, reason, articles FROM documents ORDER BY seen_at DESC"
        )
        return [DocumentRecord(name, seen_at, DocumentStatus(status), reason, articles)
                for name, seen_at, status, reason, articles in rows]

    # entries and digests -----------------------------------------------------------------

    def add_entries(self, entries: Iterable[Entry], hold_failed: bool = False) -> None:
        """Store new entries; with `hold_failed`, those with a failed term wait for release."""
        rows = []
        for e in entries:
            failed = ", ".join(t.ja for t in e.terms if t.status == "failed")
            rows.append((e.guid, e.document, e.created.isoformat(), dump_entry(e), failed,
                         int(hold_failed and bool(failed))))
        self._conn.executemany(
            insert_ignore("entries", "guid, document, created, data, failed_terms, held"),
            rows,
        )

    def pending_entries(self) -> list[Entry]:
        rows = self._conn.execute(
            "SELECT data FROM entries WHERE digest_id IS NULL AND held=0 ORDER BY created, rowid"
        )
        return [load_entry(r[0]) for r in rows]

    def entries_with_failed_terms(self, limit: int = 50) -> list[TermFailure]:
        """The newest entries with a failed term."""
        rows = self._conn.execute(
            "SELECT guid, document, failed_terms, held FROM entries WHERE failed_terms != ''"
            " ORDER BY created DESC, rowid DESC LIMIT ?",
            (limit,),
        )
        return [TermFailure(g, d, f, bool(h)) for g, d, f, h in rows]

    def holds(self, guids: Iterable[str]) -> dict[str, bool]:
        """{guid: held} for those of `guids` the store has (an unknown guid is absent)."""
        return {g: bool(h) for g in guids for (h,) in self._conn.execute(
            "SELECT held FROM entries WHERE guid=?", (g,))}

    def release(self, guids: Iterable[str] | None) -> int:
        """Let held entries into the next digest (all of them when `guids` is None)."""
        if guids is None:
            cur = self._conn.execute("UPDATE entries SET held=0 WHERE held=1")
            return cur.rowcount
        return sum(self._conn.execute("UPDATE entries SET held=0 WHERE held=1 AND guid=?",
                                      (g,)).rowcount for g in guids)

    def recent_entries(self, limit: int) -> list[Entry]:
        """The newest published entries, newest first (what the feed shows)."""
        rows = self._conn.execute(
            "SELECT data FROM entries WHERE digest_id IS NOT NULL"
            " ORDER BY created DESC, rowid DESC LIMIT ?",
            (limit,),
        )
        return [load_entry(r[0]) for r in rows]

    def recent_digests(self, limit: int) -> list[Digest]:
        """The digests holding the newest `limit` published entries, newest digest first,
        entries in the order they were stored (what the web shows)."""
        rows = self._conn.execute(
            "SELECT d.id, d.created, e.data FROM entries e JOIN digests d ON d.id = e.digest_id"
            " WHERE d.id >= (SELECT coalesce(min(digest_id), 0) FROM (SELECT digest_id FROM"
            " entries WHERE digest_id IS NOT NULL ORDER BY created DESC, rowid DESC LIMIT ?))"
            " ORDER BY d.id DESC, e.created, e.rowid",
            (limit,),
        )
        created: dict[int, datetime] = {}
        entries: dict[int, list[Entry]] = {}
        for digest_id, when, data in rows:
            created.setdefault(digest_id, datetime.fromisoformat(when))
            entries.setdefault(digest_id, []).append(load_entry(data))
        return [Digest(digest_id, when, tuple(entries[digest_id]))
                for digest_id, when in created.items()]

    def create_digest(self, now: datetime, guids: Iterable[str]) -> int:
        digest_id = int(self._conn.execute("INSERT INTO digests(created) VALUES (?) RETURNING id",
                                           (now.isoformat(),)).fetchall()[0][0])
        self._conn.executemany(
            "UPDATE entries SET digest_id=? WHERE guid=?", [(digest_id, g) for g in guids]
        )
        return digest_id

    def counts(self) -> StoreCounts:
        """Totals for `kakehashi status`."""

        def one(sql: str, *params: str) -> int:
            return int(self._conn.execute(sql, params).fetchone()[0])

        return StoreCounts(
            documents=one("SELECT count(*) FROM documents"),
            entries=one("SELECT count(*) FROM entries"),
            pending=one("SELECT count(*) FROM entries WHERE digest_id IS NULL AND held=0"),
            held=one("SELECT count(*) FROM entries WHERE held=1"),
            digests=one("SELECT count(*) FROM digests"),
            undelivered=one("SELECT count(*) FROM deliveries WHERE status IN (?,?,?)",
                            DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.HELD),
            cached_translations=one("SELECT count(*) FROM translations"),
        )

    # article identity (duplicates across documents and feeds) ---------------------------

    def known_articles(self, keys: list[str]) -> set[str]:
        """Those of `keys` that an article already stored has."""
        return {row[0] for row in self._rows_in("SELECT key FROM article_keys WHERE key IN "
                                                "({marks})", keys)}

    def record_articles(self, keys: Iterable[tuple[str, str]]) -> None:
        """Remember (article key, guid) of stored entries."""
        self._conn.executemany(
            insert_ignore("article_keys", "key, guid"), list(keys)
        )

    # translation memory ------------------------------------------------------------------

    def cached_translations(self, keys: list[str]) -> dict[str, str]:
        rows = self._rows_in("SELECT key, output FROM translations WHERE key IN ({marks})", keys)
        return {key: output for key, output in rows}

    def put_translations(self, items: dict[str, str]) -> None:
        self._conn.executemany(
            upsert("translations", "key, output", "key"), list(items.items())
        )

    def _rows_in(self, sql: str, keys: list[str]) -> Iterator[tuple[str, ...]]:
        """The rows of `sql` ("… IN ({marks})") over `keys`, 500 at a time: SQLite bounds the
        number of bound parameters."""
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            yield from self._conn.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)
