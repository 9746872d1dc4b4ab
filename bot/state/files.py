"""The state file's companions: what SQLite and the job and send locks keep
beside it.

Named once here: the folder watcher must not be woken by them and the HTTP server must never
serve them.
"""

from __future__ import annotations

from pathlib import Path

from bot.state.lock import lock_path
from bot.state.sendlock import send_lock_path

# SQLite's write-ahead log and its index (WAL mode), and its rollback journal (other modes).
SQLITE_SUFFIXES = ("-wal", "-shm", "-journal")


def state_files(state: Path) -> tuple[Path, ...]:
    """The state file and everything SQLite and the job and send locks keep beside it."""
    return (state, *(state.with_name(state.name + s) for s in SQLITE_SUFFIXES),
            lock_path(state), send_lock_path(state))
