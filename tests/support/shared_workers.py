"""Several `kakehashi run` workers on one PostgreSQL state, as real processes: their config,
their logs, what the database says each holds, and the judges of "exactly once"."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.reliability.helpers import feed_titles, good_doc, normalized
from tests.support.fake_bot_api import FakeBotApi
from tests.support.processes import ROOT

MODEL_CALLS = re.compile(r"translated (\d+) sentence\(s\) with the model")


@dataclass
class Worker:
    """One `kakehashi run` process and its log."""

    process: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def model_calls(self) -> int:
        """Sentences this worker sent to the model, as its jobs reported them."""
        return sum(int(n) for n in MODEL_CALLS.findall(self.text()))

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL; fails unless it was running and died of it."""
        assert self.alive(), f"worker {self.process.pid} had already ended: {self.text()[-2000:]}"
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(timeout=60) == -signal.SIGKILL

    def stop(self) -> None:
        """SIGTERM: exit 0, no traceback."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=120)
        assert self.process.returncode == 0, self.text()[-3000:]
        assert "Traceback" not in self.text(), self.text()[-3000:]


def write_config(path: Path, feeds: list[str]) -> Path:
    """A worker's settings: immediate digests, the feeds polled each minute (a worker's
    start-up job reads the folder and every feed; a file in another's hands is looked at
    again on its own timer)."""
    listed = ", ".join(f'"{url}"' for url in feeds)
    path.write_text(
        "[schedule]\ninterval_minutes = 1\ndebounce_seconds = 0.2\n"
        f"[sources]\nsettle_seconds = 0\nfeeds = [{listed}]\nfeed_interval_minutes = 1\n"
        # The test documents share their templates: read as reprints of one another, most
        # would be merged, and each is to be published on its own here.
        "[digest]\nmerge_threshold = 0\n[feed]\nsearch = false\nmax_items = 2000\n",
        encoding="utf-8")
    return path


@contextmanager
def workers(count: int, folders: list[Path], out: Path, url: str, config: Path,
            env: dict[str, str], logs: Path) -> Iterator[list[Worker]]:
    """`count` workers, worker i watching folders[i % len(folders)], all on `url` and
    writing `out`; killed if the block leaves them running."""
    logs.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        started = []
        for i in range(count):
            log = stack.enter_context((logs / f"worker{i}.log").open("wb"))
            argv = [sys.executable, "-m", "bot", "run", "--config", str(config),
                    "--seeds", str(folders[i % len(folders)]), "--out", str(out),
                    "--state", url]
            process = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env},
                                       stdout=log, stderr=log)
            stack.callback(_end, process)
            started.append(Worker(process, logs / f"worker{i}.log"))
        yield started


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def status_text(url: str) -> str:
    """What `kakehashi status` says of the state at `url`."""
    done = subprocess.run([sys.executable, "-m", "bot", "status", "--state", url], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def one(url: str, sql: str, *params: object) -> object:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
    return None if row is None else row[0]


def rows(url: str, sql: str, *params: object) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return [tuple(r) for r in conn.execute(sql, params)]  # type: ignore[arg-type]


def publisher_pid(url: str) -> int | None:
    """The pid of the live worker that says it publishes."""
    pid = one(url, "SELECT pid FROM workers WHERE holds = 'publisher' AND seen >"
                   " extract(epoch from clock_timestamp()) - 30 ORDER BY seen DESC LIMIT 1")
    return None if pid is None else int(str(pid))


def all_done(url: str, api: FakeBotApi, titles: list[str], out: Path) -> bool:
    """Every title published and delivered, nothing pending or being sent."""
    if one(url, "SELECT to_regclass('entries')") is None:
        return False
    if (one(url, "SELECT count(*) FROM entries") != len(titles)
            or one(url, "SELECT count(*) FROM entries WHERE digest_id IS NULL") != 0
            or one(url, "SELECT count(*) FROM deliveries WHERE status != 'sent'") != 0
            or not (out / "feed.xml").exists()):
        return False
    delivered = normalized("\n".join(api.texts()))
    return all(normalized(t) in delivered for t in titles)


def titles_of(numbers: range | list[int]) -> list[str]:
    return [good_doc(n).title for n in numbers]


def published_once(out: Path, titles: list[str]) -> list[str]:
    """Titles not in OUT/feed.xml exactly once."""
    seen = [normalized(t) for t in feed_titles(out)]
    return [t for t in titles if seen.count(normalized(t)) != 1]


def wait(condition: Callable[[], bool], what: str, crew: list[Worker],
         timeout: float = 600) -> None:
    """Until `condition()`; fails after `timeout` s or when every worker has ended."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert any(w.alive() for w in crew), f"every worker ended before {what}: " + "\n".join(
            w.text()[-1500:] for w in crew)
        assert time.monotonic() < deadline, f"no {what} after {timeout} s: " + "\n".join(
            w.text()[-1500:] for w in crew)
        time.sleep(0.2)
