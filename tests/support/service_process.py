"""`kakehashi run --serve` as a real process for tests that watch it over time: started with
its output in a log file (a pipe nobody reads would fill and block it over a long run), its
URL read from that log, waited on by condition, scraped, and stopped as systemd stops it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.support.serving import SERVING, get, logged

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@dataclass(frozen=True)
class Worker:
    """One running `run --serve`: its process, its log and the URL it serves."""

    process: subprocess.Popen[bytes]
    log: Path
    url: str

    def text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
        """Until `condition()` holds; AssertionError (with the log's end) if the process ends
        first or `timeout` passes."""
        wait_until(condition, what, self.process, self.log, timeout)

    def samples(self) -> Samples:
        """Every sample /metrics gives, by name and labels (parsed by the reference parser)."""
        status, body, _ = get(self.url + "metrics")
        assert status == 200, (status, body[:200])
        return {(s.name, tuple(sorted(s.labels.items()))): s.value
                for family in text_string_to_metric_families(body.decode())
                for s in family.samples}

    def jobs(self) -> float:
        """Jobs finished, failed or not."""
        found = self.samples()
        return sum(found.get(("kakehashi_jobs_total", (("outcome", o),)), 0.0)
                   for o in ("ok", "failed"))

    def stop(self, within: float = 90) -> None:
        """SIGTERM; it must exit 0 within `within` s with no traceback in its log."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=within)
        assert self.process.returncode == 0, self.text()[-3000:]
        assert "Traceback" not in self.text(), self.text()[-3000:]


def wait_until(condition: Callable[[], bool], what: str, process: subprocess.Popen[bytes],
               log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the worker ended (exit {process.returncode}) while waiting "
                                 f"for {what}: {_tail(log)}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} after {timeout} s: {_tail(log)}")
        time.sleep(0.1)


def _tail(log: Path) -> str:
    return log.read_text("utf-8", errors="replace")[-3000:] if log.exists() else ""


@contextmanager
def run_serve(args: list[str], cwd: Path, log: Path, env: Mapping[str, str] | None = None,
              wait: float = 120) -> Iterator[Worker]:
    """`python -m bot run --serve --port 0 ARGS`, once it says where it serves; killed if the
    block leaves it running. Each start gets a log of its own (LOG is not reused)."""
    argv = [sys.executable, "-m", "bot", "run", "--serve", "--port", "0", *args]
    with logged(argv, cwd, log, env) as process:
        found: list[str] = []

        def serving() -> bool:
            match = SERVING.search(log.read_text("utf-8", errors="replace"))
            found[:] = [match.group(1)] if match else []
            return bool(found)

        wait_until(serving, "the line saying where it serves", process, log, wait)
        yield Worker(process, log, found[0])
