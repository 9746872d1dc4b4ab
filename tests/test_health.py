"""/healthz and /metrics: `run --serve` as a real process judged from outside, the way a
container runtime and a Prometheus server would; the Monitor's rules in-process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import load_config
from bot.run.worker import RunReport
from bot.service.monitor import Monitor, health_bound
from bot.service.requests import TickResult
from tests.conftest import ROOT
from tests.support import serving
from tests.support.serving import get

QUIET = "[sources]\nsettle_seconds = 0\n[schedule]\ninterval_minutes = 60\ndebounce_seconds = 0.5\n"


def samples(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample /metrics gives, by name and labels (parsed by the reference parser)."""
    status, body, _ = get(url + "metrics")
    assert status == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body.decode())
            for s in family.samples}


def jobs_ok(url: str) -> float:
    return samples(url).get(("kakehashi_jobs_total", (("outcome", "ok"),)), 0.0)


def wait(condition: Callable[[], bool], what: str, process: subprocess.Popen[str],
         timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the worker ended while waiting for {what}"
        assert time.monotonic() < deadline, f"no {what} after {timeout} s"
        time.sleep(0.1)


def start_worker(tmp_path: Path, extra: str = ""
                 ) -> AbstractContextManager[tuple[subprocess.Popen[str], str]]:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(ROOT / "seeds" / "04_report.md", seeds)
    config = tmp_path / "k.toml"
    config.write_text(QUIET + extra, encoding="utf-8")
    args = ["run", "--serve", "--port", "0", "--config", str(config), "--seeds", str(seeds),
            "--out", str(tmp_path / "out"), "--state", str(tmp_path / "s.sqlite3")]
    return serving.started([sys.executable, "-m", "bot", *args], cwd=ROOT)


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_working_worker_is_healthy_and_counts_a_dropped_file(tmp_path: Path) -> None:
    with start_worker(tmp_path) as (process, url):
        wait(lambda: get(url + "healthz")[0] == 200, "healthy answer", process)
        wait(lambda: jobs_ok(url) >= 1, "start-up job in /metrics", process)
        status, body, headers = get(url + "healthz")
        assert status == 200 and body.startswith(b"ok: last job")
        assert headers["Content-Type"].startswith("text/plain")
        before = samples(url)
        assert before[("kakehashi_scheduler_up", ())] == 1
        assert before[("kakehashi_documents_total", (("result", "read"),))] == 1
        assert before[("kakehashi_last_success_timestamp_seconds", ())] > 0
        assert before[("kakehashi_sentences_translated_total", (("source", "model"),))] > 0
        assert before[("kakehashi_entries_translated_total", ())] >= 1
        temp = tmp_path / "seeds" / ".drop.tmp"
        temp.write_text((ROOT / "seeds" / "01_web_copy.txt").read_text("utf-8"), "utf-8")
        os.replace(temp, tmp_path / "seeds" / "drop.txt")
        read = ("kakehashi_documents_total", (("result", "read"),))
        wait(lambda: samples(url).get(read, 0) >= 2, "the drop counted", process)
        assert jobs_ok(url) >= 2
        stop(process)


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_worker_with_no_job_finished_within_the_bound_is_unhealthy(tmp_path: Path) -> None:
    # The bound is 1.2 s and the next trigger is an hour away: once the start-up job has
    # finished, the worker is idle past its bound, as a stuck one would be.
    with start_worker(tmp_path, "[serve]\nhealth_minutes = 0.02\n") as (process, url):
        wait(lambda: jobs_ok(url) >= 1, "start-up job in /metrics", process)
        wait(lambda: get(url + "healthz")[0] == 503, "unhealthy answer", process)
        status, body, _ = get(url + "healthz")
        assert status == 503 and b"no job finished for" in body
        assert get(url + "feed.xml")[0] == 200  # the server itself still answers
        stop(process)


def test_plain_serve_is_healthy_while_it_serves_and_has_no_metrics(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    argv = [sys.executable, "-m", "bot", "serve", "--out", str(out), "--port", "0"]
    with serving.started(argv, cwd=ROOT) as (process, url):
        assert get(url + "healthz")[:2] == (200, b"serving\n")
        assert get(url + "metrics")[0] == 404
        stop(process)


class FakeService:
    def __init__(self) -> None:
        self.state = "running"

    def scheduler_state(self) -> str:
        return self.state


def monitor_at(clock: list[float], tmp_path: Path) -> tuple[Monitor, FakeService]:
    # A state file that does not exist: the store's numbers are left out, the rest counts.
    config = load_config(_write(tmp_path, f'[paths]\nstate = "{tmp_path}/none.sqlite3"\n'), {})
    monitor = Monitor(config, now=lambda: clock[0])
    service = FakeService()
    monitor.attach(service)
    return monitor, service


def _write(tmp_path: Path, toml: str) -> Path:
    path = tmp_path / "k.toml"
    path.write_text(toml, encoding="utf-8")
    return path


def tick(at: float, error: str = "") -> TickResult:
    return TickResult("folder, digest", datetime.fromtimestamp(at, UTC),
                      None if error else RunReport(new_documents=2, entries=3), error)


def test_a_failed_job_is_alive_but_said_and_a_stopped_scheduler_is_not(tmp_path: Path) -> None:
    clock = [1000.0]
    monitor, service = monitor_at(clock, tmp_path)
    assert monitor.health().ok and "no job finished yet" in monitor.health().text
    monitor.on_tick(tick(1001.0, error="feed: timed out"))
    health = monitor.health()
    assert health.ok and "failed: feed: timed out" in health.text
    service.state = "stopped"
    assert not monitor.health().ok and "scheduler has stopped" in monitor.health().text


def test_health_turns_with_the_bound_and_registries_are_separate(tmp_path: Path) -> None:
    clock = [0.0]
    first, _ = monitor_at(clock, tmp_path)
    second, _ = monitor_at(clock, tmp_path)
    first.on_tick(tick(0.0))
    clock[0] = health_bound(first.config) + 1
    assert not first.health().ok
    first.on_tick(tick(clock[0]))
    assert first.health().ok
    counted = [s.value for f in text_string_to_metric_families(first.metrics()[0].decode())
               for s in f.samples if s.name == "kakehashi_entries_translated_total"]
    untouched = [s.value for f in text_string_to_metric_families(second.metrics()[0].decode())
                 for s in f.samples if s.name == "kakehashi_entries_translated_total"]
    assert counted == [6] and untouched == [0]


def test_the_default_bound_is_three_intervals_or_fifteen_minutes(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, "[schedule]\ninterval_minutes = 30\n"), {})
    assert health_bound(config) == 90 * 60
    config = load_config(_write(tmp_path, "[schedule]\ninterval_minutes = 1\n"), {})
    assert health_bound(config) == 15 * 60


def test_message_counts_follow_the_outbox_down_to_zero(tmp_path: Path) -> None:
    from bot.state.store import Store

    clock = [0.0]
    monitor, _ = monitor_at(clock, tmp_path)
    store = Store.open(monitor.config.paths.state)
    try:
        with store.transaction():
            digest = store.create_digest(datetime.now(UTC), [])
            store.outbox().queue(digest, "telegram", ["one", "two"])
    finally:
        store.close()

    def messages() -> dict[str, float]:
        return {s.labels["status"]: s.value
                for f in text_string_to_metric_families(monitor.metrics()[0].decode())
                for s in f.samples if s.name == "kakehashi_messages"}

    monitor.on_tick(tick(0.0))
    assert messages()["pending"] == 2 and messages()["sent"] == 0
    store = Store.open(monitor.config.paths.state)
    try:
        outbox = store.outbox()
        while (message := outbox.claim_next("telegram", "test", datetime.now(UTC))):
            outbox.record(message, "telegram", "sent")
    finally:
        store.close()
    monitor.on_tick(tick(1.0))
    assert messages()["pending"] == 0 and messages()["sent"] == 2
