"""The worker's heartbeat: a small JSON file beside the state file that `kakehashi run`
writes when it starts and after every job, and removes when it stops (bot/service/heartbeat.py);
`kakehashi status` reads it (and only reads it) to say whether a worker runs and what it did
and will do.

A file, not a row in the state file: writing it needs no job lock and no schema step, and
status stays a reader. Its name starts with a dot: the folder watcher ignores it and the
HTTP server never serves it. A worker that was killed leaves it behind; status then finds
its process gone (same host, pid no longer there) and says so.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


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


def iso(when: datetime | None) -> str:
    """`when` as a beat holds it: ISO 8601 UTC to the second, "" when not known."""
    return "" if when is None else when.astimezone(UTC).isoformat(timespec="seconds")
