"""Each edition's schedule decides when its digest goes out: new articles publish the
editions in immediate mode only, and each scheduled edition has digest times of its own, in
its own zone, which publish it alone."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from bot.config import Config, load_config
from bot.service import Request
from bot.service.clock import Clock, catch_ups, on_arrival
from bot.service.jobs import JobRunner
from tests.test_editions import DOCS, write_docs

MIXED = """
[paths]
seeds = "seeds"
out = "out"
state = "state.sqlite3"
[sources]
settle_seconds = 0
[schedule]
mode = "scheduled"
digest_times = ["18:00"]
timezone = "Asia/Tokyo"

[[editions]]
name = "rail"
mode = "immediate"
keywords = ["鉄道"]

[[editions]]
name = "asia"
digest_times = ["08:00"]
timezone = "Asia/Almaty"
keywords = ["カザフスタン"]
"""


def mixed(tmp_path: Path, text: str = MIXED) -> Config:
    path = tmp_path / "k.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, {})


def test_new_articles_publish_only_the_editions_in_immediate_mode(tmp_path: Path) -> None:
    config = mixed(tmp_path)
    assert on_arrival(config, folder=True) == Request(folder=True, publish=True,
                                                      editions=frozenset({"rail"}))
    # One edition alone (today's config): exactly today's requests.
    alone = mixed(tmp_path, '[schedule]\nmode = "immediate"\n')
    assert on_arrival(alone, folder=True) == Request(folder=True, publish=True)
    scheduled = mixed(tmp_path, '[schedule]\nmode = "scheduled"\ndigest_times = ["08:00"]\n')
    assert on_arrival(scheduled, folder=True) == Request(folder=True)


def test_requests_for_several_editions_merge() -> None:
    rail = Request(publish=True, editions=frozenset({"rail"}))
    asia = Request(publish=True, editions=frozenset({"asia"}))
    assert rail.merge(asia).editions == {"rail", "asia"}
    assert rail.merge(Request(publish=True)).editions == frozenset()  # every edition
    assert rail.merge(Request(folder=True)).editions == {"rail"}
    assert rail.publishes("rail") and not rail.publishes("asia")
    assert Request(publish=True).publishes("asia") and not Request().publishes("rail")


def test_each_scheduled_edition_has_its_own_digest_times_in_its_zone(tmp_path: Path) -> None:
    config = mixed(tmp_path)
    scheduler = BackgroundScheduler(timezone=UTC)
    clock = Clock(scheduler, lambda _: None)
    clock.add_jobs(config)
    jobs: dict[str, Any] = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) >= {"digest 18:00", "digest asia 08:00"}
    assert not any(job_id.startswith("digest rail") for job_id in jobs)
    assert list(jobs["digest asia 08:00"].args) == [Request(publish=True,
                                                      editions=frozenset({"asia"}))]
    assert list(jobs["digest 18:00"].args) == [Request(publish=True,
                                                 editions=frozenset({"default"}))]
    assert str(jobs["digest asia 08:00"].trigger.timezone) == "Asia/Almaty"
    # A digest time missed within the grace is caught up, for that edition.
    almaty_eight = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)  # 08:00 at UTC+5
    assert catch_ups(config, almaty_eight + timedelta(minutes=30)) == {("asia", almaty_eight)}
    assert catch_ups(config, almaty_eight + timedelta(hours=3)) == frozenset()


def digests(state: Path) -> dict[str, int]:
    with sqlite3.connect(state) as conn:
        found = dict(conn.execute("SELECT edition, max(number) FROM edition_digests"
                                  " GROUP BY edition").fetchall())
        found["default"] = conn.execute("SELECT count(*) FROM digests").fetchone()[0]
        return found


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_job_publishes_the_editions_whose_digest_is_due(tmp_path: Path) -> None:
    config = mixed(tmp_path)
    write_docs(config.paths.seeds, DOCS)
    runner = JobRunner(config, True, lambda _: None, threading.Event())
    runner.run(on_arrival(config, folder=True))
    assert digests(config.paths.state) == {"rail": 1, "default": 0}
    runner.run(Request(publish=True, editions=frozenset({"asia"})))  # its 08:00 in Almaty
    assert digests(config.paths.state) == {"rail": 1, "asia": 1, "default": 0}
    runner.run(Request(publish=True, editions=frozenset({"default"})))
    assert digests(config.paths.state) == {"rail": 1, "asia": 1, "default": 1}
