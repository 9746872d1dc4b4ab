"""Watching the folder: file events (inotify on Linux) through watchfiles, or polling.

Events only say *that* something changed: the job reads the folder itself and the settle
check decides what is complete (an event fires on a half-written file too). Network file
systems deliver no events for changes made on other machines, so "auto" polls there; the
service's full rescan stays the safety net behind either.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncGenerator, Callable
from pathlib import Path

from watchfiles import Change, awatch

from bot.config import Config, ScheduleConfig
from bot.sources.folder import IGNORED_NAMES, IGNORED_SUFFIXES
from bot.state.files import state_files

# File systems where inotify sees only local changes (or nothing): polled in "auto" mode.
NETWORK_FILE_SYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "lustre",
    "davfs", "fuse.sshfs", "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse", "fuse.glusterfs",
})
RETRY_SECONDS = 30.0
# watchfiles groups the changes of up to DEBOUNCE_MS (checking every STEP_MS, which is also how
# soon a set `stop` ends the watch); the service's own debounce_seconds decides when a job runs.
DEBOUNCE_MS, STEP_MS = 1600, 50
# An idle watcher still yields an empty batch this often: the first one tells that watching has
# begun (the service scans only after it, so a file dropped during that scan is not missed).
IDLE_MS = 250


def watch_method(mode: str, folder: Path, mounts: str | None = None) -> tuple[bool, str]:
    """(poll?, how, in words) for schedule.watch = `mode` on `folder`."""
    if mode == "poll":
        return True, "polling (schedule.watch = \"poll\")"
    if mode == "auto":
        kind = filesystem_type(folder, _read_mounts() if mounts is None else mounts)
        if kind in NETWORK_FILE_SYSTEMS:
            return True, f"polling (a {kind} network file system sends no file events)"
    return False, "file events"


def filesystem_type(folder: Path, mounts: str) -> str:
    """The type of the file system holding `folder`, from /proc/mounts text ("" if unknown)."""
    target = str(folder.resolve())
    best, kind = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        # /proc/mounts writes a space in a path as \040 (and tab, newline, backslash alike).
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[1])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def _read_mounts() -> str:
    try:
        return Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""  # not Linux: events (or a configured "poll") decide


def wanted(path: str, root: Path, ignored: tuple[Path, ...]) -> bool:
    """Whether a change at `path` can mean a new input (what the folder scan would read)."""
    try:
        relative = Path(path).relative_to(root)
    except ValueError:
        return False
    if any(part.startswith(".") for part in relative.parts):
        return False
    name = relative.name.lower()
    if name.endswith(IGNORED_SUFFIXES) or name in IGNORED_NAMES:
        return False
    return not any(Path(path).is_relative_to(folder) for folder in ignored)


async def watch_folder(folder: Path, schedule: ScheduleConfig, on_change: Callable[[], None],
                       ready: asyncio.Event, stop: asyncio.Event, say: Callable[[str], None],
                       ignored: tuple[Path, ...] = ()) -> None:
    """Call `on_change` for each batch of wanted changes until `stop` is set; `ready` is set
    once watching has begun (or failed), so a scan after it misses no drop."""
    root = folder.resolve()
    polling, how = watch_method(schedule.watch, root)
    try:
        while not stop.is_set():
            began, batches = False, _changes(root, schedule, polling, ignored, stop)
            try:
                async with contextlib.aclosing(batches):
                    async for batch in batches:
                        if not began:  # the first yield: the watcher exists, drops are seen
                            began = True
                            say(f"watching {folder} by {how}" + (
                                f" every {schedule.poll_seconds:g} s" if polling else ""))
                            ready.set()
                        if batch:
                            on_change()
            except Exception as exc:  # an inotify limit, a vanished folder: said, not raised
                if began:
                    say(f"watch: {folder}: {exc}; watching again in {RETRY_SECONDS:g} s")
                elif not polling and schedule.watch == "auto":
                    polling, how = True, f"polling (file events unavailable: {exc})"
                    continue
                else:
                    say(f"watch: cannot watch {folder}: {exc}; trying again in "
                        f"{RETRY_SECONDS:g} s (the full rescan goes on meanwhile)")
                    ready.set()
                await _sleep(stop, RETRY_SECONDS)
    finally:
        ready.set()


def _changes(root: Path, schedule: ScheduleConfig, polling: bool, ignored: tuple[Path, ...],
             stop: asyncio.Event) -> AsyncGenerator[set[tuple[Change, str]], None]:
    """watchfiles' batches of wanted changes under `root`, and an empty batch every
    IDLE_MS without any: the first batch of either kind says the watcher has started."""

    def keep(change: Change, path: str) -> bool:
        return change != Change.deleted and wanted(path, root, ignored)  # deleted: nothing new

    return awatch(root, watch_filter=keep, debounce=DEBOUNCE_MS, step=STEP_MS, stop_event=stop,
                  rust_timeout=IDLE_MS, yield_on_timeout=True, debug=False,
                  force_polling=polling, poll_delay_ms=round(schedule.poll_seconds * 1000),
                  recursive=True, ignore_permission_denied=True)


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def own_files(config: Config) -> tuple[Path, ...]:
    """What the worker itself writes, should it live inside the watched folder: its changes
    must not trigger jobs (each job writes the state file: it would never rest)."""
    return (config.paths.out.resolve(), *state_files(config.paths.state.resolve()))
