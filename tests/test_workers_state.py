"""Workers sharing a PostgreSQL state (bot/state/workers.py, bot/state/pglock.py), against a
real server: claims go to one live member and pass on when it is gone; one publisher at a
time; a state file grants every claim and has no members."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import psycopg
import pytest

from bot.config import load_config
from bot.run.report import report_lines
from bot.run.worker import RunReport
from bot.state.pglock import Publisher
from bot.state.store import Store
from bot.state.workers import LEASE_SECONDS, Membership
from tests.conftest import ROOT, run_cli


def _silence(url: str, member: Membership) -> None:
    """Make `member` look gone: its beat stopped and its last one older than the lease (the
    clock of a crashed worker, scripted)."""
    member._stopped.set()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE workers SET seen = seen - %s WHERE id = %s",
                     (LEASE_SECONDS + 1, member.id))


def test_a_claim_is_one_live_members_until_it_is_gone(postgres_url: str) -> None:
    first, second = Store.open(postgres_url), Store.open(postgres_url)
    one, other = Membership(postgres_url, "run"), Membership(postgres_url, "run")
    try:
        first.join(one.id)
        second.join(other.id)
        assert first.claims().take("doc-a")
        assert not second.claims().take("doc-a")  # held by a live member
        assert first.claims().take("doc-a")  # its own, still
        assert second.claims().take("doc-b") and not first.claims().take("doc-b")
        _silence(postgres_url, one)
        assert second.claims().take("doc-a")  # its claimant is gone: taken over
        second.claims().release()
        assert first.claims().take("doc-b")  # let go by the other
    finally:
        for member in (one, other):
            member.close()
        first.close()
        second.close()


def test_members_are_listed_with_their_claims_and_leave_when_closed(postgres_url: str) -> None:
    store = Store.open(postgres_url)
    member = Membership(postgres_url, "run")
    store.join(member.id)
    store.claims().take("doc-a")
    member.holds("publisher")
    [seen] = store.workers()
    assert (seen.pid, seen.command, seen.holds, seen.claims, seen.alive) == (
        os.getpid(), "run", "publisher", 1, True)
    member.close()
    assert store.workers() == []
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT count(*) FROM claims").fetchone() == (0,)
    store.close()


def test_a_state_file_grants_every_claim_and_has_no_members(tmp_path: Path) -> None:
    first = Store.open(tmp_path / "state.sqlite3")
    second = Store.open(tmp_path / "state.sqlite3")
    assert first.claims().take("doc-a") and second.claims().take("doc-a")
    assert first.workers() == []
    first.close()
    second.close()


def test_one_publisher_at_a_time_and_the_next_takes_over(postgres_url: str) -> None:
    service, other = Publisher(postgres_url, "run"), Publisher(postgres_url, "once")
    try:
        assert service.take() and service.take()
        assert not other.take()
        assert "kakehashi run" in other.owner()
        said: list[str] = []
        # A service publishing is not waited for: it publishes what is pending itself.
        assert not other.wait(600, said.append) and said == []
        service.close()  # its session ends: the lock goes with it, once the server has
        # seen the connection close (it does so on its own time: waited for, not assumed)
        deadline = time.monotonic() + 60
        while not other.take():
            assert time.monotonic() < deadline, "the lock outlived its session"
            time.sleep(0.05)
        assert not service.take()
    finally:
        service.close()
        other.close()


def test_a_once_waits_for_another_once_that_publishes(postgres_url: str) -> None:
    holder, waiter = Publisher(postgres_url, "once"), Publisher(postgres_url, "once")
    said: list[str] = []
    assert holder.take()
    waiting = threading.Event()

    def say(line: str) -> None:
        said.append(line)
        waiting.set()

    result: list[bool] = []
    thread = threading.Thread(target=lambda: result.append(waiter.wait(600, say)))
    thread.start()
    assert waiting.wait(120)  # it said whom it waits for, then
    holder.close()
    thread.join(120)
    assert result == [True] and "kakehashi once" in said[0]
    waiter.close()


def test_status_lists_the_members_and_who_publishes(postgres_url: str) -> None:
    Store.open(postgres_url).close()
    member = Membership(postgres_url, "run")
    try:
        member.holds("publisher")
        text = run_cli("status", "--state", postgres_url)
        data = json.loads(run_cli("status", "--state", postgres_url, "--json").stdout)
    finally:
        member.close()
    assert text.returncode == 0, text.stderr
    assert "workers: 1 alive (0 gone" in text.stdout
    assert f"pid {os.getpid()} (run)" in text.stdout and "; publisher" in text.stdout
    [seen] = data["workers"]
    assert (seen["pid"], seen["holds"], seen["alive"]) == (os.getpid(), "publisher", True)
    after = json.loads(run_cli("status", "--state", postgres_url, "--json").stdout)
    assert after["workers"] == []  # it left


@pytest.mark.usefixtures("installed_model")
def test_once_beside_a_publishing_service_reads_and_leaves_publishing_to_it(
        tmp_path: Path, postgres_url: str) -> None:
    Store.open(postgres_url).close()
    service = Publisher(postgres_url, "run")
    assert service.take()
    try:
        result = run_cli("once", "--seeds", str(ROOT / "seeds"), "--out", str(tmp_path / "out"),
                         "--state", postgres_url)
    finally:
        service.close()
    assert result.returncode == 0, result.stderr
    assert "publishing is left to pid" in result.stderr and "kakehashi run" in result.stderr
    assert not (tmp_path / "out" / "feed.xml").exists()  # OUT/ is the publisher's
    store = Store.open_read_only(postgres_url)
    counts = store.counts()
    store.close()
    assert counts.entries > 0 and counts.pending == counts.entries and counts.digests == 0


def test_a_job_says_what_another_worker_is_reading() -> None:
    lines = report_lines(RunReport(elsewhere=2), load_config(None, {}))
    assert "2 file(s) hold a text another worker is reading: looked at again shortly" in lines


def test_a_gone_publishers_session_is_ended_and_the_role_taken(postgres_url: str) -> None:
    Store.open(postgres_url).close()
    member, publisher = Membership(postgres_url, "run"), Publisher(postgres_url, "run")
    live, rival = Membership(postgres_url, "run"), Publisher(postgres_url, "run")
    try:
        assert publisher.take()
        member.holds("publisher", publisher.session)
        assert not rival.take()  # its member beats: its session is left alone
        assert publisher.take()
        # Its host vanishes: no more beats, and a session nothing has told the server about.
        _silence(postgres_url, member)
        assert rival.take()  # the gone member's session was ended, and the lock taken
        live.holds("publisher", rival.session)
        assert not publisher.take()  # it lost the lock with its session
    finally:
        for done in (publisher, rival):
            done.close()
        member.close()
        live.close()
