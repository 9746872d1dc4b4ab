"""The one seam between the state's queries and the database that holds them: SQLite (a file)
or PostgreSQL (a URL). Store and its sub-objects (outbox, feeds, alerts, stories, editions)
hold a Backend and write their SQL once, in the form both accept:

- `?` placeholders (PostgreSQL's driver wants `%s`: translated here, once);
- `INSERT … ON CONFLICT … DO NOTHING / DO UPDATE` (SQLite ≥ 3.24), built by `insert_ignore`
  and `upsert` below, instead of SQLite's `INSERT OR IGNORE / OR REPLACE`;
- `INSERT … RETURNING` (SQLite ≥ 3.35) instead of `lastrowid`;
- `rowid` for "in the order stored": PostgreSQL's tables that are ordered so carry an identity
  column `seq` (bot/state/pg_schema.py) and the word is translated.

What stays dialect-specific lives in the two backends: opening, the schema version (PRAGMA
user_version vs a versions table), how a write transaction begins, and the driver's errors.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

Params = Sequence[Any]


class Rows(Protocol):
    """What a query gives back in both drivers."""

    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Backend(Protocol):
    """One open connection to the state database."""

    kind: str  # "sqlite" or "postgresql"
    errors: tuple[type[Exception], ...]  # the driver's errors (mapped to StoreError at edges)

    def execute(self, sql: str, params: Params = ()) -> Rows: ...
    def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...
    def begin(self) -> None: ...  # a write transaction (SQLite: BEGIN IMMEDIATE)
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    @property
    def in_transaction(self) -> bool: ...
    def version(self) -> int: ...  # the schema version (0: empty)
    def path(self) -> Path | None: ...  # the state file (None: in memory, or a server)
    def close(self) -> None: ...


def insert_ignore(table: str, columns: str) -> str:
    """INSERT of one row of `columns` ("a, b") that does nothing when its key is taken."""
    marks = ",".join("?" * len(columns.split(",")))
    return f"INSERT INTO {table}({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"


def upsert(table: str, columns: str, key: str) -> str:
    """INSERT of one row of `columns` that replaces the other columns of the row holding the
    same `key` (what SQLite's INSERT OR REPLACE did for these tables, whose rows have no
    other unique column)."""
    names = [c.strip() for c in columns.split(",")]
    keys = {k.strip() for k in key.split(",")}
    sets = ", ".join(f"{c}=excluded.{c}" for c in names if c not in keys)
    marks = ",".join("?" * len(names))
    return (f"INSERT INTO {table}({columns}) VALUES ({marks})"
            f" ON CONFLICT({key}) DO UPDATE SET {sets}")


class SqliteBackend:
    """A state file, opened in autocommit mode: a statement outside `begin()` commits alone."""

    kind = "sqlite"
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Params = ()) -> Rows:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self.conn.executemany(sql, rows)

    def begin(self) -> None:
        # IMMEDIATE: the write lock is taken now, not at the first write, so two writers
        # never both read and then fail to upgrade.
        self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        self.conn.execute("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def path(self) -> Path | None:
        name = self.conn.execute("PRAGMA database_list").fetchone()[2]
        return Path(name) if name else None

    def close(self) -> None:
        self.conn.close()
