"""The heartbeat's writer: `kakehashi run` beats when it starts and after every job, and clears
the beat when it stops. The file, and how `status` reads it, are bot/state/heartbeat.py's.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Protocol

from bot.config import Config
from bot.service.requests import TickResult
from bot.state.heartbeat import Beat, beat_path, iso


class Timed(Protocol):
    """The part of the service the heartbeat reads."""

    def next_runs(self) -> dict[str, datetime]: ...



class Heartbeat:
    """Writes the beat: as a companion at start (and removes it at stop), and on each job."""

    def __init__(self, config: Config, service: Timed) -> None:
        self.config = config
        self._service = service
        self._path = beat_path(config.paths.state)
        self._beat = Beat(os.getpid(), socket.gethostname(), iso(datetime.now(UTC)))
        self._last_polls: dict[str, str] = {}

    def use(self, config: Config) -> None:
        """A reloaded configuration (SIGHUP): its feeds are the ones listed from now on (the
        state file's path is fixed for the life of the process)."""
        self.config = config
        self._write()

    async def run(self, stop: asyncio.Event) -> None:
        """Beat once the scheduler runs, then wait for the service to stop and clear it."""
        self._write()
        try:
            await stop.wait()
        finally:
            self._path.unlink(missing_ok=True)

    def on_tick(self, result: TickResult) -> None:
        """Record the job that just ended and the triggers' next times."""
        finished = iso(result.finished)
        for url in result.feeds:
            self._last_polls[url] = finished
        self._beat = Beat(self._beat.pid, self._beat.host, self._beat.started, result.what,
                          finished, result.error)
        self._write()

    def _write(self) -> None:
        runs = self._service.next_runs()
        digests = [at for job, at in runs.items() if job.startswith("digest ")]
        polls = tuple((url, self._last_polls.get(url, ""), iso(runs.get(f"feed {url}")))
                      for url in dict.fromkeys(self.config.sources.feeds))
        beat = replace(self._beat, next_digest=iso(min(digests, default=None)), polls=polls)
        temp = self._path.with_name(self._path.name + ".tmp")
        try:  # beside it, then renamed: status never reads half a file
            temp.write_text(json.dumps(asdict(beat)), encoding="utf-8")
            os.replace(temp, self._path)
        except OSError:
            pass  # only status loses its view; the worker goes on (a full disk says it itself)
