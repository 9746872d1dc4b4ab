"""`kakehashi status` on a running worker, through the CLI: whether it runs (pid, since), its
last job, the next digest time, each feed's last and next poll; and after it stopped."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.support.http_server import Route, serve
from tests.support.serving import logged

EMPTY_FEED = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
              b"<title>t</title><link>http://example.org/</link><description>d</description>"
              b"</channel></rss>")


def wait(condition: Callable[[], bool], what: str, process: subprocess.Popen[bytes],
         timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the worker ended while waiting for {what}"
        assert time.monotonic() < deadline, f"no {what} after {timeout} s"
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_status_shows_the_running_worker_its_last_job_and_what_comes_next(
        tmp_path: Path) -> None:
    seeds, state = tmp_path / "seeds", tmp_path / "out" / "state.sqlite3"
    seeds.mkdir()
    with serve({"/feed.xml": Route(EMPTY_FEED)}) as server:
        feed = server.url("/feed.xml")
        config = tmp_path / "k.toml"
        config.write_text(
            f'[sources]\nfeeds = ["{feed}"]\nfeed_interval_minutes = 45\n'
            '[schedule]\nmode = "scheduled"\ndigest_times = ["08:00"]\ntimezone = "UTC"\n'
            "interval_minutes = 60\n", encoding="utf-8")
        where = ["--config", str(config), "--state", str(state)]
        argv = [sys.executable, "-m", "bot", "run", "--seeds", str(seeds),
                "--out", str(tmp_path / "out"), *where]
        with logged(argv, ROOT, tmp_path / "run.log") as process:
            def status() -> str:
                return run_cli("status", *where).stdout

            wait(lambda: "last job: folder, 1 feed(s)" in status(), "a finished job",
                 process)
            lines = status().splitlines()
            running = [line for line in lines if line.startswith("worker: running")]
            assert running and f"pid {process.pid} " in running[0], lines
            assert any(line.startswith("last job: ") and line.endswith(": ok")
                       for line in lines), lines
            assert any(line.startswith("next digest: ") and "T08:00:00+00:00" in line
                       for line in lines), lines
            polled = [line for line in lines if line.startswith(f"feed {feed}: last poll 20")]
            assert polled and ", next poll 20" in polled[0], lines
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0
    after = run_cli("status", *where)
    assert after.returncode == 0
    assert "worker: not running (no heartbeat" in after.stdout


def test_status_tells_a_worker_that_was_killed_from_one_that_runs(tmp_path: Path) -> None:
    import json
    import socket

    from bot.state.heartbeat import beat_path

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its pid names no process now
    state = tmp_path / "state.sqlite3"
    beat_path(state).write_text(json.dumps({
        "pid": gone.pid, "host": socket.gethostname(), "started": "2026-12-01T08:00:00+00:00"}),
        encoding="utf-8")
    result = run_cli("status", "--state", str(state))
    assert result.returncode == 0
    assert (f"worker: not running (pid {gone.pid}, started 2026-12-01T08:00:00+00:00, ended "
            "without clearing its heartbeat)") in result.stdout.splitlines()
