"""A full disk is told as "disk full", never as an unusable state file: on a real tmpfs that
runs out of room (mounted when the tests may mount), and through SQLite's own SQLITE_FULL."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.errors import StoreError
from bot.state.diskfull import disk_full_reported
from bot.state.lock import hold_state_lock
from bot.state.store import Store
from tests.conftest import run_cli
from tests.reliability.helpers import write_good


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs of its own (skipped where mounting is not allowed)."""
    where = tmp_path / "disk"
    where.mkdir()
    mount = shutil.which("mount")
    made = mount and subprocess.run([mount, "-t", "tmpfs", "-o", "size=2m", "tmpfs",
                                     str(where)], capture_output=True).returncode == 0
    if not made:
        pytest.skip("cannot mount a tmpfs here (needs root): the SQLITE_FULL tests still run")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill `disk` up to `leave` bytes free; the filler file, to delete to free the room."""
    filler = disk / "filler"
    free = shutil.disk_usage(disk).free
    filler.write_bytes(b"\0" * max(0, free - leave))
    return filler


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
@pytest.mark.parametrize("leave", [0, 40_000, 150_000])
def test_a_run_on_a_full_disk_says_disk_full_and_the_state_survives(
        tmp_path: Path, tiny_disk: Path, leave: int) -> None:
    seeds = tmp_path / "seeds"
    for number in range(6):
        write_good(seeds, 4100 + number)
    state = tiny_disk / "state.sqlite3"
    args = ("once", "--seeds", str(seeds), "--out", str(tmp_path / "out"), "--state", str(state))
    filler = fill(tiny_disk, leave)
    full = run_cli(*args)
    assert full.returncode == 1, full.stderr
    last = full.stderr.splitlines()[-1]
    assert last.startswith("kakehashi: error: disk full: cannot write "), full.stderr
    assert "not a usable state file" not in full.stderr and "internal error" not in full.stderr
    filler.unlink()  # room again: the same state file works, and nothing is lost
    again = run_cli(*args)
    assert again.returncode == 0, again.stderr
    assert "digest #1 published" in again.stderr
    conn = sqlite3.connect(state)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 6
    conn.close()


def test_sqlite_full_inside_a_job_is_disk_full(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    Store.open(state).close()
    conn = sqlite3.connect(state, isolation_level=None)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count={pages + 1}")  # SQLite's own SQLITE_FULL, soon
    with pytest.raises(StoreError) as raised, hold_state_lock(state, 5):
        conn.execute("INSERT INTO translations(key, output) VALUES (?, ?)",
                     ("k", "x" * 100_000))
    assert str(raised.value).startswith(f"disk full: cannot write {state} (")
    conn.close()
    store = Store.open(state)
    assert store.counts().cached_translations == 0  # rolled back, the file usable
    store.close()


def test_other_errors_pass_unchanged(tmp_path: Path) -> None:
    conn = sqlite3.connect(":memory:")
    with pytest.raises(sqlite3.OperationalError, match="no such table"), \
            disk_full_reported(tmp_path / "state.sqlite3"):
        conn.execute("SELECT * FROM absent")
    conn.close()
    with pytest.raises(FileNotFoundError), disk_full_reported(tmp_path / "state.sqlite3"):
        (tmp_path / "missing").read_bytes()


def test_sqlite_full_in_a_transaction_outside_a_job_is_disk_full(tmp_path: Path) -> None:
    # `release` writes in a transaction of its own, without the job lock.
    store = Store.open(tmp_path / "state.sqlite3")
    conn = sqlite3.connect(tmp_path / "state.sqlite3", isolation_level=None)
    conn.execute("PRAGMA max_page_count=1")  # this connection may not grow the file at all
    # More than the few free pages the migrations leave (one rebuilt the outbox's table).
    with pytest.raises(StoreError, match=r"^disk full: cannot write "), \
            Store(conn).transaction():
        conn.execute("INSERT INTO translations(key, output) VALUES (?, ?)",
                     ("k", "x" * 100_000))
    conn.close()
    assert store.counts().cached_translations == 0  # rolled back, the file usable
    store.close()
