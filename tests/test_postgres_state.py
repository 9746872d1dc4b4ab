"""The state on PostgreSQL (a real server: tests/support/postgres.py): made on first use by
two processes at once, read by `status` without a write, and a password never accepted in
(nor echoed from) the state URL."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from bot.config import load_config
from bot.core.errors import ConfigError
from bot.state.opening import driver_error
from bot.state.pg_schema import PG_MIGRATIONS
from bot.state.pglock import DatabaseSendLock
from bot.state.records import DocumentStatus
from bot.state.store import MIGRATIONS, Store
from tests.conftest import ROOT, run_cli

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_both_schemas_make_the_same_tables_and_columns_step_for_step(
        tmp_path: Path, postgres_url: str) -> None:
    assert len(PG_MIGRATIONS) == len(MIGRATIONS)
    Store.open(tmp_path / "state.sqlite3").close()
    Store.open(postgres_url).close()
    with sqlite3.connect(tmp_path / "state.sqlite3") as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"
                                             " AND name NOT LIKE 'sqlite_%'")]
        on_file = {(t, c[1]) for t in tables for c in conn.execute(f"PRAGMA table_info({t})")}
    with psycopg.connect(postgres_url) as pg:
        on_server = set(pg.execute(
            "SELECT table_name::text, column_name::text FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name != 'schema_versions'"
            " AND column_name != 'seq'").fetchall())
    assert on_server == on_file


def test_a_state_url_in_the_config_file_is_kept_apart_from_paths(tmp_path: Path) -> None:
    config_file = tmp_path / "kakehashi.toml"
    config_file.write_text('[paths]\nout = "o"\nstate = "postgresql://k@db.example/state"\n',
                           encoding="utf-8")
    paths = load_config(config_file, {}).paths
    assert paths.store == "postgresql://k@db.example/state"
    assert paths.state == tmp_path / "o" / "state.postgresql"  # its heartbeat's name
    config_file.write_text('[paths]\nstate = "postgresql://k:hunter2@db.example/s"\n',
                           encoding="utf-8")
    with pytest.raises(ConfigError, match="PGPASSWORD") as caught:
        load_config(config_file, {})
    assert "hunter2" not in str(caught.value)


def test_two_processes_making_an_empty_database_at_once_both_succeed(postgres_url: str) -> None:
    code = f"from bot.state.store import Store; Store.open({postgres_url!r}).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    with psycopg.connect(postgres_url) as conn:
        versions = [v for (v,) in conn.execute("SELECT version FROM schema_versions ORDER BY 1")]
    assert versions == list(range(1, len(MIGRATIONS) + 1))


def dump(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (and the schema's columns), to compare before and after."""
    with psycopg.connect(url) as conn:
        tables = [t for (t,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        rows = {t: sorted(map(tuple, conn.execute(f'SELECT * FROM "{t}"')), key=repr)
                for t in tables}
        rows["columns"] = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY 1, 2").fetchall()
    return rows


def test_status_reads_a_database_without_writing(postgres_url: str) -> None:
    store = Store.open(postgres_url)
    store.record_document("h1", "a.txt", NOW, DocumentStatus.DONE)
    store.close()
    before = dump(postgres_url)
    for args in ((), ("--json",)):
        result = run_cli("status", "--state", postgres_url, *args)
        assert result.returncode == 0, result.stderr
        assert "documents: 1" in result.stdout or '"documents": 1' in result.stdout
    assert dump(postgres_url) == before and before["documents"]


def test_status_on_an_empty_database_makes_no_schema(postgres_url: str) -> None:
    result = run_cli("status", "--state", postgres_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("no state yet at postgresql://")
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT to_regclass('schema_versions')").fetchone() == (None,)


def test_a_password_in_the_url_is_refused_and_never_shown(postgres_url: str) -> None:
    secret = "s3cret-Pa55"
    url = postgres_url.replace("postgres@", f"postgres:{secret}@")
    result = run_cli("status", "--state", url)
    assert result.returncode != 0
    assert "PGPASSWORD" in result.stderr and "Traceback" not in result.stderr
    assert secret not in result.stdout + result.stderr


def feed_items(out: Path) -> list[tuple[str, str]]:
    """(guid, title) of every item of OUT/feed.xml, in order."""
    root = ET.parse(out / "feed.xml").getroot()
    return [(item.findtext("guid") or "", item.findtext("title") or "")
            for item in root.iter("item")]


@pytest.mark.slow
def test_once_on_a_database_publishes_as_on_a_file(tmp_path: Path, postgres_url: str,
                                                   installed_model: object) -> None:
    runs = {}
    for name, state in (("sqlite", str(tmp_path / "state.sqlite3")), ("pg", postgres_url)):
        out = tmp_path / name
        result = run_cli("once", "--seeds", str(ROOT / "seeds"), "--out", str(out),
                         "--state", state)
        assert result.returncode == 0, result.stderr
        runs[name] = feed_items(out)
    assert runs["pg"] and runs["pg"] == runs["sqlite"]
    assert not (tmp_path / "pg" / "state.sqlite3").exists()
    store = Store.open_read_only(postgres_url)
    assert store.counts().digests == 1 and store.counts().pending == 0
    store.close()


def test_senders_on_one_database_exclude_each_other(postgres_url: str) -> None:
    with DatabaseSendLock(postgres_url) as first, DatabaseSendLock(
            postgres_url, stop=lambda: True) as second:
        assert first.acquire()
        assert not second.acquire()  # waits while the first holds it; gives up on stop
        first.release()
        assert second.acquire()


def test_a_server_failing_mid_job_is_one_line_and_disk_full_says_so() -> None:
    full = driver_error(psycopg.errors.DiskFull("could not extend file: No space left"))
    assert full is not None and str(full).startswith("disk full: the PostgreSQL server")
    gone = driver_error(psycopg.OperationalError("server closed the connection"))
    assert gone is not None and "state database failed" in str(gone)
    assert driver_error(ValueError("a bug")) is None


def test_a_server_that_cannot_be_reached_is_one_error_line(tmp_path: Path,
                                                           installed_model: object) -> None:
    result = run_cli("once", "--seeds", str(ROOT / "seeds"), "--out", str(tmp_path / "out"),
                     "--state", "postgresql://k@127.0.0.1:9/state")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "cannot connect to" in result.stderr
