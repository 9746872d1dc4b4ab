"""The worker's heartbeat: a small JSON file beside the state file that `kakehashi run`
writes when it starts and after every job, and removes when it stops; `kakehashi status`
reads it (and only reads it) to say whether a worker runs and what it did and will do.

A file, not a row in the state file: writing it needs no job lock and no schema step, and
status stays a reader. Its name starts with a dot: the folder watcher ignores it and the
HTTP server never serves it. A worker that was killed leaves it behind; status then finds
its process gone (same host, pid no longer there) and says so.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.config import Config

if TYPE_CHECKING:  # status imports this module: it must not pull in the worker
    from bot.service.requests import TickResult


class Timed(Protocol):
    """The part of the service the heartbeat reads."""

    def next_runs(self) -> dict[str, datetime]: ...


@dataclass(frozen=True)
class Beat:
    """What the worker last wrote (times are ISO 8601 UTC; "" when not known)."""

    pid: int
    host: str
    started: str
    last_job: str = ""
    last_finished: str = ""
    last_error: str = ""
    next_digest: str = ""
    polls: tuple[tuple[str, str, str], ...] = ()  # (feed URL, last poll, next poll)


def beat_path(state: Path) -> Path:
    """Where the heartbeat of the worker over `state` lives."""
    return state.with_name(f".{state.name}.worker.json")


def read_beat(state: Path) -> Beat | None:
    """The heartbeat beside `state`; None when there is none (or it cannot be read)."""
    try:
        data = json.loads(beat_path(state).read_text(encoding="utf-8"))
        data["polls"] = tuple(tuple(p) for p in data.get("polls", ()))
        return Beat(**data)
    except (OSError, ValueError, TypeError):
        return None


def is_alive(beat: Beat) -> bool:
    """Whether the process that wrote `beat` still runs (on another host: assumed so)."""
    if beat.host != socket.gethostname():
        return True
    try:
        os.kill(beat.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: it exists
    return True


def worker_lines(state: Path) -> list[str]:
    """What `status` says of the worker: running or not, its last job, what comes next."""
    beat = read_beat(state)
    if beat is None:
        return ["worker: not running (no heartbeat: 'kakehashi run' writes one)"]
    if not is_alive(beat):
        return [f"worker: not running (pid {beat.pid}, started {beat.started}, ended "
                "without clearing its heartbeat)"]
    lines = [f"worker: running, pid {beat.pid} on {beat.host}, since {beat.started}"]
    if beat.last_job:
        outcome = f"failed: {beat.last_error}" if beat.last_error else "ok"
        lines.append(f"last job: {beat.last_job}, finished {beat.last_finished}: {outcome}")
    else:
        lines.append("last job: none finished yet")
    if beat.next_digest:
        lines.append(f"next digest: {beat.next_digest}")
    for url, last, following in beat.polls:
        lines.append(f"feed {url}: last poll {last or 'not yet'}, next poll "
                     f"{following or 'not scheduled'}")
    return lines


def _iso(when: datetime | None) -> str:
    return "" if when is None else when.astimezone(UTC).isoformat(timespec="seconds")


class Heartbeat:
    """Writes the beat: as a companion at start (and removes it at stop), and on each job."""

    def __init__(self, config: Config, service: Timed) -> None:
        self.config = config
        self._service = service
        self._path = beat_path(config.paths.state)
        self._beat = Beat(os.getpid(), socket.gethostname(), _iso(datetime.now(UTC)))
        self._last_polls: dict[str, str] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Beat once the scheduler runs, then wait for the service to stop and clear it."""
        self._write()
        try:
            await stop.wait()
        finally:
            self._path.unlink(missing_ok=True)

    def on_tick(self, result: TickResult) -> None:
        """Record the job that just ended and the triggers' next times."""
        finished = _iso(result.finished)
        for url in result.feeds:
            self._last_polls[url] = finished
        self._beat = Beat(self._beat.pid, self._beat.host, self._beat.started, result.what,
                          finished, result.error)
        self._write()

    def _write(self) -> None:
        runs = self._service.next_runs()
        digests = [at for job, at in runs.items() if job.startswith("digest ")]
        polls = tuple((url, self._last_polls.get(url, ""), _iso(runs.get(f"feed {url}")))
                      for url in dict.fromkeys(self.config.sources.feeds))
        beat = replace(self._beat, next_digest=_iso(min(digests, default=None)), polls=polls)
        temp = self._path.with_name(self._path.name + ".tmp")
        try:  # beside it, then renamed: status never reads half a file
            temp.write_text(json.dumps(asdict(beat)), encoding="utf-8")
            os.replace(temp, self._path)
        except OSError:
            pass  # only status loses its view; the worker goes on (a full disk says it itself)
