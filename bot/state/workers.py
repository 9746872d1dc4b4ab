"""Several workers on one PostgreSQL state: who is alive, and who has what in hand.

Each process that works on a database (`run`, `once`) is a member: a row in `workers` that a
thread of its own touches every BEAT_SECONDS, on a connection of its own, by the database's
clock (so the hosts' clocks need not agree). A member not seen for LEASE_SECONDS is gone.

Work is shared by claims. Before it reads a document (by its text key) or polls a feed, a
worker claims it; a claim held by a live member cannot be taken, one whose member is gone can:
so a worker killed in the middle of translating has its documents redone by another once its
lease has run out, and a live worker's are never taken for a dead one's. A worker lets its
claims go at the end of each job, when what it claimed is recorded.

A state file has one process at a time (its job lock), so it has no members and every claim is
granted without a query.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.state.backend import Backend

# A member silent this long is gone: six missed beats, so a busy machine that delays a beat or
# two never loses a live worker its claims.
LEASE_SECONDS = 30.0
BEAT_SECONDS = 5.0
# Rows of members gone this long are dropped when another joins (status lists the rest).
FORGET_SECONDS = 86400.0

# Now, by the database's clock: the hosts' clocks need not agree.
DB_NOW = "extract(epoch from clock_timestamp())"
_TAKE_MANY = (f"INSERT INTO claims(key, worker, taken) SELECT k, ?, {DB_NOW}"
              " FROM unnest(?::text[]) AS k ON CONFLICT (key) DO UPDATE"
              " SET worker = excluded.worker, taken = excluded.taken"
              " WHERE claims.worker = excluded.worker OR NOT EXISTS (SELECT 1 FROM workers w"
              f" WHERE w.id = claims.worker AND w.seen > {DB_NOW} - ?) RETURNING key")
_SEEN = (f"SELECT w.id, w.host, w.pid, w.command, {DB_NOW} - w.started, {DB_NOW} - w.seen,"
         " w.holds, (SELECT count(*) FROM claims c WHERE c.worker = w.id)"
         " FROM workers w ORDER BY w.started")


class Claims:
    """A worker's claims in one store (`worker` None: a state file, every claim granted)."""

    def __init__(self, backend: Backend, worker: str | None) -> None:
        self._db = backend
        self.worker = worker

    def take(self, key: str) -> bool:
        """Claim `key` for this worker: True if it is now this worker's (it was free, its
        claimant is gone, or it was this worker's already)."""
        return key in self.take_all([key])

    def take_all(self, keys: Sequence[str]) -> set[str]:
        """Claim each of `keys` (as `take`, in one query): those now this worker's."""
        if self.worker is None or not keys:
            return set(keys)
        return {str(key) for (key,) in self._db.execute(
            _TAKE_MANY, (self.worker, list(keys), LEASE_SECONDS))}

    def release(self) -> None:
        """Let go of every claim of this worker (its job is over: what it claimed is stored)."""
        if self.worker is not None:
            self._db.execute("DELETE FROM claims WHERE worker = ?", (self.worker,))


@dataclass(frozen=True)
class WorkerSeen:
    """A member as `status` shows it."""

    id: str
    host: str
    pid: int
    command: str
    up_seconds: float
    silent_seconds: float  # since its last beat
    holds: str  # "publisher", or ""
    claims: int

    @property
    def alive(self) -> bool:
        return self.silent_seconds <= LEASE_SECONDS


def workers_seen(backend: Backend) -> list[WorkerSeen]:
    """Every member on record (a state file has none), the oldest first."""
    if backend.kind != "postgresql":
        return []
    return [WorkerSeen(str(i), str(h), int(p), str(c), float(u), float(s), str(w), int(n))
            for i, h, p, c, u, s, w, n in backend.execute(_SEEN)]


class Membership:
    """This process as a member of the database at `url`, until `close()`."""

    def __init__(self, url: str, command: str) -> None:
        from bot.state.postgres import connect

        self.id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._url = url
        self._command = command
        self._conn: Any = connect(url, name=self._name())
        self._holds = ""
        self._session = 0
        self._guard = threading.Lock()  # the connection is shared by the beat and `holds`
        self._stopped = threading.Event()
        self._join()
        self._thread = threading.Thread(target=self._beat, name="kakehashi-beat", daemon=True)
        self._thread.start()

    def holds(self, what: str, session: int = 0) -> None:
        """Say what this member holds ("publisher", or ""), now and at every beat, and the
        database session that holds it (a publisher's lock: bot/state/pglock.py), so that
        the others can end that session once this member is gone."""
        if (what, session) != (self._holds, self._session):
            self._holds, self._session = what, session
            self._touch()

    def close(self) -> None:
        """Leave: the beat stops and this member's row and claims go."""
        self._stopped.set()
        self._thread.join()
        with self._guard, contextlib.suppress(Exception):
            self._conn.execute("DELETE FROM claims WHERE worker = %s", (self.id,))
            self._conn.execute("DELETE FROM workers WHERE id = %s", (self.id,))
        self._conn.close()

    def _name(self) -> str:
        return f"kakehashi {self._command} {self.id}"[:63]

    def _join(self) -> None:
        with self._guard:
            self._conn.execute(f"DELETE FROM workers WHERE seen < {DB_NOW} - %s",
                               (FORGET_SECONDS,))
            self._insert()

    def _insert(self) -> None:
        self._conn.execute(
            "INSERT INTO workers(id, host, pid, command, started, seen, holds, session)"
            f" VALUES (%s, %s, %s, %s, {DB_NOW}, {DB_NOW}, %s, %s)",
            (self.id, socket.gethostname(), os.getpid(), self._command, self._holds,
             self._session))

    def _beat(self) -> None:
        while not self._stopped.wait(BEAT_SECONDS):
            self._touch()

    def _touch(self) -> None:
        # A failing server is the job's to report (its own queries fail); the beat just tries
        # again at the next one, on a new connection if the old one broke.
        with self._guard, contextlib.suppress(Exception):
            if self._conn.broken:
                from bot.state.postgres import connect

                self._conn = connect(self._url, name=self._name())
            done = self._conn.execute(f"UPDATE workers SET seen = {DB_NOW}, holds = %s,"
                                      " session = %s WHERE id = %s",
                                      (self._holds, self._session, self.id))
            if done.rowcount == 0:  # dropped as gone after a long silence: joins again
                self._insert()
