"""One job at a time per state file: an OS lock on `STATE.lock` beside the state file.

The lock is `flock` on an open file, so the kernel drops it when its holder exits, however it
exits (a crash, SIGKILL, a power cut): a lock file left behind by a dead process is not held by
anybody, and a stale owner is detected by construction. The holder writes its pid and command
into the file only so that a waiting process can say who it is waiting for.

Only the job (ingest, then publish) takes it. Read-only commands (`status`) never do. A full
disk met while it is held is reported as "disk full: …" (bot/state/diskfull.py).
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.core.errors import StoreError
from bot.state.diskfull import disk_full_error, disk_full_reported, is_disk_full

POLL_SECONDS = 0.2


def lock_path(state: Path) -> Path:
    """The lock file of a state file: `STATE.lock` in the same folder."""
    return state.with_name(state.name + ".lock")


@contextmanager
def hold_state_lock(state: Path, wait_seconds: float,
                    say: Callable[[str], None] = lambda _: None,
                    stop: Callable[[], bool] = lambda: False) -> Iterator[None]:
    """Hold the job lock of `state`, waiting up to `wait_seconds` for another holder (and
    giving up with StoreError as soon as `stop()` says the process is stopping)."""
    if str(state) == ":memory:":
        yield
        return
    path = lock_path(state)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        if is_disk_full(exc, state):
            raise disk_full_error(exc, state) from None
        raise StoreError(f"store: cannot open the lock file {path}: {exc.strerror}") from None
    try:
        _acquire(fd, state, wait_seconds, say, stop)
        # The job's own writes too: a full disk is said as such, wherever the job meets it.
        with disk_full_reported(state):
            _write_owner(fd)
            yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _acquire(fd: int, state: Path, wait_seconds: float, say: Callable[[str], None],
             stop: Callable[[], bool]) -> None:
    deadline = time.monotonic() + wait_seconds
    announced = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        owner = read_owner(fd)
        if stop():
            raise StoreError(f"stopped while waiting for another Kakehashi process ({owner}) "
                             f"working on {state}") from None
        if time.monotonic() >= deadline:
            raise StoreError(
                f"another Kakehashi process ({owner}) is working on {state}; it still was after "
                f"{wait_seconds:g} s (schedule.lock_wait_seconds): try again later") from None
        if not announced:
            say(f"waiting for another Kakehashi process ({owner}) working on {state}")
            announced = True
        time.sleep(POLL_SECONDS)


def _write_owner(fd: int) -> None:
    # The command's name, whichever global options (-q, -v) came before it.
    words = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    command = " ".join(["kakehashi", *words[:1]])
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()} {command}\n".encode(), 0)


def read_owner(fd: int) -> str:
    """'pid N, COMMAND' as the holder wrote it, or 'pid unknown' if it has not yet."""
    try:
        raw = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        raw = ""
    pid, _, command = raw.partition(" ")
    if not pid.isdigit():
        return "pid unknown"
    return f"pid {pid}, {command}" if command else f"pid {pid}"
