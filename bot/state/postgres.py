"""The PostgreSQL backend of the state (psycopg 3): chosen when the state setting is a
`postgresql://` URL instead of a path.

One connection per Store, in autocommit mode like the SQLite one: a Store is used by one
thread at a time and its transactions span several statements on the same connection, which a
pool's check-out per statement would break; a process opens one Store per job, so a pool would
save one connect per job and nothing else.

The schema is made on first use, step by step as in a state file (bot/state/pg_schema.py),
under a transaction-scoped advisory lock: two workers starting at once on an empty database
take turns, and the second finds the schema made.

The password never comes from the URL (bot/core/stateurl.py refuses one there): libpq reads it
from PGPASSWORD, ~/.pgpass or a service file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import psycopg
from psycopg import pq

from bot.core.errors import StoreError
from bot.core.stateurl import redact_url
from bot.state.backend import Params, Rows
from bot.state.pg_schema import PG_MIGRATIONS, VERSIONS_TABLE

# Advisory lock keys (one 64-bit space per database): "kakehashi" in ASCII, then the lock.
MIGRATE_KEY = 0x6B616B65_68617300
JOB_KEY = 0x6B616B65_68617301
SEND_KEY = 0x6B616B65_68617302

_ROWID = re.compile(r"\browid\b")


def to_pg(sql: str) -> str:
    """The portable SQL of bot/state/backend.py in psycopg's form."""
    return _ROWID.sub("seq", sql.replace("%", "%%").replace("?", "%s"))


class PostgresBackend:
    kind = "postgresql"
    errors: tuple[type[Exception], ...] = (psycopg.Error,)

    def __init__(self, conn: psycopg.Connection[Any], url: str) -> None:
        self.conn = conn
        self.url = url  # for the locks' own connections (it holds no password)

    def execute(self, sql: str, params: Params = ()) -> Rows:
        return self.conn.execute(to_pg(sql), tuple(params))

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        rows = list(rows)
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(to_pg(sql), rows)

    def begin(self) -> None:
        self.conn.execute("BEGIN")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        self.conn.execute("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        return self.conn.info.transaction_status != pq.TransactionStatus.IDLE

    def version(self) -> int:
        if self.conn.execute("SELECT to_regclass('schema_versions')").fetchone() == (None,):
            return 0
        row = self.conn.execute("SELECT coalesce(max(version), 0) FROM schema_versions")
        return int(row.fetchone()[0])  # type: ignore[index]

    def path(self) -> Path | None:
        return None

    def close(self) -> None:
        self.conn.close()


def connect(url: str, read_only: bool = False, name: str = "kakehashi") -> psycopg.Connection[Any]:
    """A connection to the state database at `url` (StoreError if it cannot be made)."""
    try:
        conn = psycopg.connect(url, autocommit=True, application_name=name, connect_timeout=30)
        if read_only:
            # Every transaction of this session refuses writes: `status` cannot change a thing.
            conn.execute("SET default_transaction_read_only = on")
    except psycopg.Error as exc:
        raise StoreError(f"store: cannot connect to {redact_url(url)} ({_first_line(exc)})"
                         ) from None
    return conn


def open_backend(url: str, read_only: bool = False) -> PostgresBackend:
    backend = PostgresBackend(connect(url, read_only), url)
    if not read_only:
        try:
            migrate(backend)
        except psycopg.Error as exc:
            backend.close()
            raise StoreError(f"store: cannot set up the state in {redact_url(url)} "
                             f"({_first_line(exc)})") from None
    return backend


def migrate(backend: PostgresBackend) -> None:
    """Bring the schema to the current step; two processes at once take turns."""
    if backend.version() == len(PG_MIGRATIONS):
        return
    backend.begin()
    try:
        backend.conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_KEY,))
        backend.conn.execute(VERSIONS_TABLE)
        version = backend.version()
        if version > len(PG_MIGRATIONS):
            raise StoreError(f"store: the state database is from a newer Kakehashi (schema "
                             f"{version})")
        for number, statements in enumerate(PG_MIGRATIONS[version:], start=version + 1):
            for statement in statements:
                backend.conn.execute(statement)
            backend.conn.execute("INSERT INTO schema_versions(version) VALUES (%s)", (number,))
    except BaseException:
        backend.rollback()
        raise
    backend.commit()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def store_error(exc: psycopg.Error) -> StoreError:
    """A driver error met mid-job (the server gone, its disk full) as one line."""
    if exc.sqlstate == "53100":  # disk_full: the server's, not ours
        return StoreError("disk full: the PostgreSQL server has no space left for the state "
                          f"({_first_line(exc)}); what was not committed was rolled back: "
                          "free some space on the server and run again")
    return StoreError(f"store: the state database failed ({_first_line(exc)})")
