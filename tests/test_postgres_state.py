"""The state on PostgreSQL (a real server: tests/support/postgres.py): made on first use by
two processes at once, read by `status` without a write, and a password never accepted in
(nor echoed from) the state URL."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import psycopg

from bot.state.pg_schema import PG_MIGRATIONS
from bot.state.records import DocumentStatus
from bot.state.store import MIGRATIONS, Store
from tests.conftest import ROOT, run_cli

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_both_schemas_have_the_same_numbered_steps() -> None:
    assert len(PG_MIGRATIONS) == len(MIGRATIONS)


def test_two_processes_making_an_empty_database_at_once_both_succeed(postgres_url: str) -> None:
    code = f"from bot.state.store import Store; Store.open({postgres_url!r}).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    with psycopg.connect(postgres_url) as conn:
        versions = [v for (v,) in conn.execute("SELECT version FROM schema_versions ORDER BY 1")]
    assert versions == list(range(1, len(MIGRATIONS) + 1))


def test_status_reads_a_database_without_writing(postgres_url: str) -> None:
    store = Store.open(postgres_url)
    store.record_document("h1", "a.txt", NOW, DocumentStatus.DONE)
    store.close()
    with psycopg.connect(postgres_url) as conn:
        before = conn.execute("SELECT n_tup_ins + n_tup_upd + n_tup_del FROM"
                              " pg_stat_user_tables ORDER BY relname").fetchall()
    result = run_cli("status", "--state", postgres_url)
    assert result.returncode == 0, result.stderr
    assert "a.txt" in result.stdout or "documents" in result.stdout
    with psycopg.connect(postgres_url) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        after = conn.execute("SELECT n_tup_ins + n_tup_upd + n_tup_del FROM"
                             " pg_stat_user_tables ORDER BY relname").fetchall()
    assert after == before


def test_status_on_an_empty_database_makes_no_schema(postgres_url: str) -> None:
    result = run_cli("status", "--state", postgres_url)
    assert "Traceback" not in result.stderr
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT to_regclass('schema_versions')").fetchone() == (None,)


def test_a_password_in_the_url_is_refused_and_never_shown(postgres_url: str) -> None:
    secret = "s3cret-Pa55"
    url = postgres_url.replace("postgres@", f"postgres:{secret}@")
    result = run_cli("status", "--state", url)
    assert result.returncode != 0
    assert "PGPASSWORD" in result.stderr and "Traceback" not in result.stderr
    assert secret not in result.stdout + result.stderr
