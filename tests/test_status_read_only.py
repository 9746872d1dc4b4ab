"""`kakehashi status` never writes the state file: an older one is shown as far as its schema
goes, not upgraded (it is upgraded by the next job)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from bot.state.migrations import apply_migrations
from bot.state.store import MIGRATIONS, Store
from tests.conftest import run_cli


def old_state(path: Path, steps: int) -> Path:
    """A state file made by the first `steps` migrations only, as an older Kakehashi left it,
    holding one published document and one skipped."""
    conn = sqlite3.connect(path, isolation_level=None)
    apply_migrations(conn, MIGRATIONS[:steps], 0)
    conn.executemany("INSERT INTO documents(hash, name, seen_at, status, reason, articles)"
                     " VALUES (?,?,?,?,?,?)",
                     [("h1", "good.txt", "2026-11-01T09:00:00+00:00", "done", "", 1),
                      ("h2", "scan.pdf", "2026-11-01T09:00:01+00:00", "skipped",
                       "no text layer", 0)])
    conn.close()
    return path


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.mark.parametrize("steps", [1, 3, len(MIGRATIONS) - 1])
def test_status_shows_an_older_state_file_without_upgrading_it(tmp_path: Path,
                                                               steps: int) -> None:
    state = old_state(tmp_path / "state.sqlite3", steps)
    before = snapshot(tmp_path)
    result = run_cli("status", "--state", str(state))
    assert result.returncode == 0, result.stderr
    assert snapshot(tmp_path) == before  # not a byte written, no file added
    conn = sqlite3.connect(f"{state.as_uri()}?mode=ro", uri=True)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == steps
    conn.close()
    lines = result.stdout.splitlines()
    assert lines[1] == (f"schema: older by {len(MIGRATIONS) - steps} step(s), shown as far as "
                        "it goes; the next 'kakehashi once' (or job of 'run') upgrades it")
    assert "  scan.pdf (2026-11-01T09:00:01): no text layer" in lines
    # Counting held entries needs the third migration: before it, the counts are left out.
    assert ("documents: 2" in lines) == (steps >= 3)


def test_status_of_a_current_state_file_changes_nothing(tmp_path: Path) -> None:
    Store.open(tmp_path / "state.sqlite3").close()
    before = snapshot(tmp_path)
    result = run_cli("status", "--state", str(tmp_path / "state.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert "schema:" not in result.stdout and "documents: 0" in result.stdout
    after = snapshot(tmp_path)
    assert after["state.sqlite3"] == before["state.sqlite3"]
    # Reading a WAL file needs its index: like any SQLite reader, status may leave the -shm
    # index and an empty -wal beside it (the next job's close removes them).
    assert (tmp_path / "state.sqlite3-wal").stat().st_size == 0
    assert set(after) - set(before) <= {"state.sqlite3-wal", "state.sqlite3-shm"}


def test_status_of_a_file_that_is_no_state_says_so_and_leaves_it(tmp_path: Path) -> None:
    empty = tmp_path / "state.sqlite3"
    empty.touch()
    result = run_cli("status", "--state", str(empty))
    assert result.returncode == 1
    assert result.stderr.strip() == f"kakehashi: error: store: {empty} holds no Kakehashi state"
    assert empty.read_bytes() == b"" and [p.name for p in tmp_path.iterdir()] == [
        "state.sqlite3"]
