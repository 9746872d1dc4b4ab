"""The send lock: `STATE.send.lock`, held by a sender from a message's claim to its record.

The job lock (bot/state/lock.py) keeps two jobs apart; the service's delivery lane sends
without it, so that the feed and the archive never wait for Telegram. What the outbox needs
to stay exactly-once is narrower: that a message marked `sending` can be told apart as in
flight or as left by a sender that stopped. Every claim, and every record of what became of
a claimed message, happens under this lock, and it is let go between messages (never held
while a failed send waits to be tried again). So whoever holds it knows that a message still
`sending` is nobody's: its sender stopped between the send and the record.

Like the job lock it is `flock` on an open file: the kernel drops it when its holder exits,
however it exits. Two descriptors exclude each other in one process too.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Protocol

from bot.core.errors import StoreError
from bot.state.backend import Backend, SqliteBackend

POLL_SECONDS = 0.05


def send_lock_path(state: Path) -> Path:
    """The send lock of a state file: `STATE.send.lock` in the same folder."""
    return state.with_name(state.name + ".send.lock")


class AnySendLock(Protocol):
    """What a sender needs of a send lock: this file's flock, or a PostgreSQL state's
    advisory lock (bot/state/pglock.py)."""

    def __enter__(self) -> AnySendLock: ...
    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...
    def acquire(self) -> bool: ...
    def release(self) -> None: ...


def send_lock_of(backend: Backend, stop: Callable[[], bool]) -> AnySendLock:
    """The send lock of the state `backend` holds: this flock beside a state file, an
    advisory lock on a PostgreSQL state (bot/state/pglock.py)."""
    if isinstance(backend, SqliteBackend):
        return SendLock(backend.path(), stop)
    from bot.state.pglock import DatabaseSendLock
    from bot.state.postgres import PostgresBackend

    assert isinstance(backend, PostgresBackend)
    return DatabaseSendLock(backend.url, stop)


class SendLock:
    """One sender's hold on the send lock: `acquire()` and `release()` around each message;
    leaving the `with` block lets it go whatever happened."""

    def __init__(self, state: Path | None, stop: Callable[[], bool] = lambda: False) -> None:
        self._path = None if state is None else send_lock_path(state)  # None: in memory
        self._stop = stop
        self._fd: int | None = None
        self._held = False

    def __enter__(self) -> SendLock:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def acquire(self) -> bool:
        """Hold the lock, waiting while another sender has a message in hand; False (not
        held) as soon as `stop()` says the process is stopping."""
        if self._held or self._path is None:
            self._held = True
            return True
        fd = self._open()
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._held = True
                return True
            except BlockingIOError:
                pass
            if self._stop():
                return False
            time.sleep(POLL_SECONDS)  # another sender's one message: seconds at most

    def release(self) -> None:
        """Let another sender claim (a no-op when not held)."""
        if self._held and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._held = False

    def _open(self) -> int:
        if self._fd is None:
            assert self._path is not None
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as exc:
                raise StoreError(f"store: cannot open the lock file {self._path}: "
                                 f"{exc.strerror}") from None
        return self._fd
