"""Opening the state: a file (SQLite, created and upgraded in place) or a `postgresql://` URL
(bot/state/postgres.py). The driver's errors become one-line StoreErrors here."""

from __future__ import annotations

import itertools
import sqlite3
import time
from pathlib import Path

from bot.core.backoff import backoff_delay
from bot.core.errors import StoreError
from bot.core.stateurl import is_url, redact_url
from bot.state.backend import Backend, SqliteBackend
from bot.state.diskfull import disk_full_error, is_disk_full
from bot.state.migrations import MIGRATIONS, apply_migrations

LOCK_WAIT_SECONDS = 30.0
BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
# A refused turn to WAL is tried again after 10 ms, doubling to 250 ms: the other opener's
# own turn takes milliseconds.
WAL_RETRY_BASE_SECONDS = 0.01
WAL_RETRY_CAP_SECONDS = 0.25


def open_state(target: Path | str) -> Backend:
    """The state at `target`, created and migrated if needed."""
    if is_url(str(target)):
        from bot.state.postgres import open_backend

        return open_backend(str(target))
    path = Path(target)
    if str(target) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Another run holding the file (a second 'once' beside 'run') is waited for.
        conn = sqlite3.connect(str(target), isolation_level=None, timeout=LOCK_WAIT_SECONDS)
        write_ahead(conn, LOCK_WAIT_SECONDS)
        conn.execute("PRAGMA foreign_keys=ON")
        backend = SqliteBackend(conn)
        _migrate(backend)
    except sqlite3.DatabaseError as exc:
        if is_disk_full(exc, path):
            raise disk_full_error(exc, path) from None
        raise StoreError(f"store: {target} is not a usable state file ({exc})") from None
    return backend


def write_ahead(conn: sqlite3.Connection, wait_seconds: float) -> None:
    """Put the file in WAL mode, trying again for up to `wait_seconds` while another
    connection holds it."""
    # SQLite can answer 'database is locked' at once, without waiting on its busy handler,
    # when several processes turn one fresh file to WAL together (seen in about 1 of 200
    # rounds of four processes opening it at once): such a refusal is waited out here.
    deadline = time.monotonic() + wait_seconds
    for attempt in itertools.count(1):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            primary = getattr(exc, "sqlite_errorcode", 0) & 0xFF
            pause = backoff_delay(attempt, WAL_RETRY_BASE_SECONDS, WAL_RETRY_CAP_SECONDS)
            if primary not in BUSY_CODES or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)


def open_state_read_only(target: Path | str, older: bool) -> Backend:
    """An existing state at `target`, opened so that nothing can be written (see
    Store.open_read_only)."""
    backend: Backend
    if is_url(str(target)):
        from bot.state.postgres import open_backend

        backend, label = open_backend(str(target), read_only=True), redact_url(str(target))
    else:
        label = str(target)
        try:
            backend = SqliteBackend(sqlite3.connect(
                f"{Path(target).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                timeout=LOCK_WAIT_SECONDS))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"store: cannot read {target} ({exc})") from None
    try:
        version = backend.version()
    except backend.errors as exc:
        backend.close()
        raise StoreError(f"store: cannot read {label} ({exc})") from None
    if version == 0 or (version < len(MIGRATIONS) and not older):
        backend.close()
        raise StoreError(f"store: {label} has an older schema (a run upgrades it)"
                         if version else f"store: {label} holds no Kakehashi state")
    return backend


def _migrate(backend: SqliteBackend) -> None:
    if backend.version() == len(MIGRATIONS):
        return
    # The version is read again under the write lock: two processes opening a fresh file
    # at once would otherwise both run the first migration.
    backend.begin()
    try:
        version = backend.version()
        if version > len(MIGRATIONS):
            raise StoreError(f"store: state file is from a newer Kakehashi (schema {version})")
        apply_migrations(backend.conn, MIGRATIONS, version)
    except BaseException:
        if backend.in_transaction:
            backend.rollback()
        raise
    backend.commit()


def state_exists(target: Path | str) -> bool:
    """Whether there is a state at `target` yet: the file, or the schema in the database
    (read only: asking makes nothing)."""
    if not is_url(str(target)):
        return Path(target).exists()
    from bot.state.postgres import open_backend

    backend = open_backend(str(target), read_only=True)
    try:
        return backend.version() > 0
    finally:
        backend.close()


def driver_error(exc: BaseException) -> StoreError | None:
    """A PostgreSQL driver error met mid-job (the server gone, its disk full) as the one-line
    StoreError to show; None for any other exception (a bug)."""
    if not type(exc).__module__.startswith("psycopg"):
        return None
    import psycopg

    from bot.state.postgres import store_error

    return store_error(exc) if isinstance(exc, psycopg.Error) else None
