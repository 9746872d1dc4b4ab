"""A full disk, told as such. SQLite says "database or disk is full" (SQLITE_FULL) or, when
it cannot grow its shared-memory file, "disk I/O error"; the OS says ENOSPC. Reported as "not
a usable state file", a full disk would invite deleting a healthy state file: SQLite rolls
back what it could not write, so freeing space and running again is all it takes."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.core.errors import StoreError

SQLITE_IOERR, SQLITE_FULL = 10, 13  # primary result codes (the low byte of extended ones)
# An I/O error with less than this free beside the file is taken for a full disk: SQLite
# needs room for its journal and a 32 KB shared-memory file before it writes a page.
NEARLY_FULL_BYTES = 1 << 20


def is_disk_full(exc: BaseException, near: Path) -> bool:
    """Whether `exc` (from SQLite or the OS) means the disk holding `near` is full."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    if isinstance(exc, sqlite3.Error):
        code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
        return code == SQLITE_FULL or (code == SQLITE_IOERR and free_bytes(near) <
                                       NEARLY_FULL_BYTES)
    return False


def free_bytes(near: Path) -> int:
    """Bytes free to this process on the file system holding `near` (a large number when it
    cannot be told, so that nothing is blamed on a full disk by guess)."""
    folder = near if near.is_dir() else near.parent
    try:
        stat = os.statvfs(folder)
    except OSError:
        return 1 << 62
    return stat.f_bavail * stat.f_frsize


def disk_full_error(exc: BaseException, state: Path) -> StoreError:
    """The one-line error for a full disk met while working on the state file `state`."""
    where = getattr(exc, "filename", None) or state
    return StoreError(f"disk full: cannot write {where} ({free_bytes(state) // 1024} KB free);"
                      " the state file is intact: free some space and run again")


@contextmanager
def disk_full_reported(state: Path) -> Iterator[None]:
    """Within the block, a full disk (SQLite or OS error) becomes StoreError("disk full: …");
    any other error passes unchanged."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        if is_disk_full(exc, state):
            raise disk_full_error(exc, state) from None
        raise
