"""The locks of a PostgreSQL state: session advisory locks, each held by a connection of its
own, which PostgreSQL drops when that session ends, however the holder ends (a crash,
SIGKILL, a lost network: when the server notices the connection gone).

- the publisher's (`Publisher`): the one worker that builds digests, writes OUT/ and sends,
  while the others read and translate (bot/state/workers.py); the counterpart of the flock on
  `STATE.lock` (bot/state/lock.py) that keeps jobs on a state file apart;
- the send lock's (`DatabaseSendLock`): a message's claim to its record (bot/state/sendlock.py).

A holder names itself in `application_name`, so that a waiting process can say whom it waits
for (from pg_stat_activity)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import psycopg

from bot.core.stateurl import redact_url
from bot.state.postgres import JOB_KEY, SEND_KEY, connect
from bot.state.workers import DB_NOW, LEASE_SECONDS

POLL_SECONDS = 0.2
# The lock holder's session, when a member gone for the lease says it publishes through it
# (and no live member does: a session's number is reused once it has ended).
# The granted advisory lock of a key (%s) in this database: `l` is its holder's row.
_HOLDER = ("FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.database ="
           " (SELECT oid FROM pg_database WHERE datname = current_database())"
           " AND ((l.classid::bigint << 32) | l.objid::bigint) = %s")
_END_GONE = ("SELECT pg_terminate_backend(l.pid, 5000) " + _HOLDER
             + " AND EXISTS (SELECT 1 FROM workers w WHERE w.session = l.pid"
             f" AND w.seen < {DB_NOW} - %s)"
             f" AND NOT EXISTS (SELECT 1 FROM workers w WHERE w.session = l.pid"
             f" AND w.seen >= {DB_NOW} - %s)")

_OWNER = ("SELECT a.application_name, host(a.client_addr) FROM pg_stat_activity a"
          " WHERE a.pid = (SELECT l.pid " + _HOLDER + ")")


def _owner(conn: psycopg.Connection[Any]) -> str:
    row = conn.execute(_OWNER, (JOB_KEY,)).fetchone()
    if row is None:
        return "pid unknown"
    name, address = row
    return f"{name or 'unnamed'}{f' from {address}' if address else ''}"


def _name() -> str:
    words = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    return f"pid {os.getpid()}, {' '.join(['kakehashi', *words[:1]])}"[:63]


class DatabaseSendLock:
    """The send lock (bot/state/sendlock.py) of a PostgreSQL state: a session advisory lock
    of its own key, on a connection of its own, so that senders on every host that share the
    database exclude each other from a message's claim to its record. Same interface as
    SendLock."""

    def __init__(self, url: str, stop: Callable[[], bool] = lambda: False) -> None:
        self._url = url
        self._stop = stop
        self._conn: psycopg.Connection[Any] | None = None
        self._held = False

    def __enter__(self) -> DatabaseSendLock:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def acquire(self) -> bool:
        """Hold the lock, waiting while another sender has a message in hand; False (not
        held) as soon as `stop()` says the process is stopping."""
        if self._held:
            return True
        if self._conn is None:
            self._conn = connect(self._url, name=_name())
        while True:
            row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (SEND_KEY,)).fetchone()
            if row is not None and row[0]:
                self._held = True
                return True
            if self._stop():
                return False
            time.sleep(POLL_SECONDS)  # another sender's one message: seconds at most

    def release(self) -> None:
        """Let another sender claim (a no-op when not held)."""
        if self._held and self._conn is not None:
            self._conn.execute("SELECT pg_advisory_unlock(%s)", (SEND_KEY,))
        self._held = False


class Publisher:
    """Which worker publishes (builds, numbers and delivers digests, writes OUT/): the one
    holding the job lock's key. Once taken it is kept, on a connection of its own, until
    `close()` or the process ends (PostgreSQL lets it go when the session ends, however it
    ends): so one worker publishes while it lives, and another takes over at its next try.
    Safe to call from several threads (the jobs and the delivery lane both ask)."""

    def __init__(self, url: str, command: str) -> None:
        self._url = url
        self._name = f"pid {os.getpid()}, kakehashi {command}"[:63]  # what `owner` shows
        self._conn: psycopg.Connection[Any] | None = None
        self._held = False
        self._guard = threading.Lock()

    def take(self) -> bool:
        """True if this process publishes (now or already); never waits."""
        with self._guard:
            if self._held and self._alive():
                return True
            self._held = False
            if self._conn is None or self._conn.broken:
                self._conn = connect(self._url, name=self._name)
            self._held = self._try() or (self._end_the_gone() and self._try())
            return self._held

    @property
    def session(self) -> int:
        """The database session holding the lock (0 before the first `take`)."""
        return 0 if self._conn is None else self._conn.info.backend_pid

    def _try(self) -> bool:
        assert self._conn is not None
        row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (JOB_KEY,)).fetchone()
        return bool(row and row[0])

    def _end_the_gone(self) -> bool:
        """End the session holding the lock if the member that said it holds it is gone: a
        host that vanished (power cut, network) ends no session, and the server would keep
        its lock until its TCP keepalives notice (two hours by Linux's defaults)."""
        assert self._conn is not None
        try:
            row = self._conn.execute(_END_GONE, (JOB_KEY, LEASE_SECONDS, LEASE_SECONDS)
                                     ).fetchone()
        except psycopg.Error:  # not allowed (another role's session): keepalives decide
            return False
        return bool(row and row[0])

    def wait(self, seconds: float, say: Callable[[str], None],
             stop: Callable[[], bool] = lambda: False) -> bool:
        """Take it, waiting up to `seconds` while another `once` holds it; a service that
        publishes (`kakehashi run`) is not waited for: it publishes what is pending itself."""
        deadline = time.monotonic() + seconds
        announced = False
        while not self.take():
            owner = self.owner()
            if "kakehashi run" in owner or stop() or time.monotonic() >= deadline:
                return False
            if not announced:
                say(f"waiting for another Kakehashi process ({owner}) publishing for "
                    f"{redact_url(self._url)}")
                announced = True
            time.sleep(POLL_SECONDS)
        return True

    def owner(self) -> str:
        """Who publishes, as `status` and the logs name it."""
        with self._guard:
            if self._conn is None or self._conn.broken:
                self._conn = connect(self._url, name=self._name)
            return _owner(self._conn)

    def close(self) -> None:
        with self._guard:
            if self._conn is not None:
                self._conn.close()  # the lock goes with the session
            self._conn, self._held = None, False

    def _alive(self) -> bool:
        # A lost connection lost the lock with it: another worker may publish by now.
        try:
            assert self._conn is not None
            self._conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False
