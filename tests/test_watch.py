"""The folder watcher in process, on a real folder: what wakes a job, when it says it is
ready, and how a folder it cannot watch is reported (one line, no traceback)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from watchfiles import Change

from bot.config import ScheduleConfig
from bot.service import watch as watch_module
from bot.service.watch import watch_folder

GENEROUS = 20.0  # seconds to wait for something that should take well under one


async def until(check: Callable[[], bool], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + GENEROUS
    while not check():
        assert loop.time() < deadline, f"no {what} after {GENEROUS:g} s"
        await asyncio.sleep(0.02)


class Watch:
    """watch_folder running in a task, with what it said and how often it woke a job."""

    def __init__(self, folder: Path, schedule: ScheduleConfig,
                 ignored: tuple[Path, ...] = ()) -> None:
        self.lines: list[str] = []
        self.wakes = 0
        self.ready, self.stop = asyncio.Event(), asyncio.Event()
        self.task = asyncio.create_task(watch_folder(
            folder, schedule, self._wake, self.ready, self.stop, self.lines.append, ignored))

    def _wake(self) -> None:
        self.wakes += 1

    async def end(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, GENEROUS)  # a stop ends it; no exception escapes


def test_a_dropped_file_wakes_a_job_but_deletions_and_ignored_files_do_not(
        tmp_path: Path) -> None:
    folder, own = tmp_path / "in", tmp_path / "in" / "out"
    own.mkdir(parents=True)
    (folder / "old.txt").write_text("gone soon", encoding="utf-8")

    async def scenario() -> None:
        watch = Watch(folder, ScheduleConfig(watch="events"), ignored=(own,))
        await asyncio.wait_for(watch.ready.wait(), GENEROUS)
        assert watch.lines == [f"watching {folder} by file events"]
        (folder / "old.txt").unlink()
        (folder / ".hidden.txt").write_text("x", encoding="utf-8")
        (folder / "copy.txt.part").write_text("x", encoding="utf-8")
        (own / "feed.xml").write_text("x", encoding="utf-8")
        await asyncio.sleep(2.5)  # past watchfiles' 1.6 s grouping: a batch would have come
        assert watch.wakes == 0
        (folder / "news.txt").write_text("新しい", encoding="utf-8")
        await until(lambda: watch.wakes == 1, "wake for news.txt")
        await watch.end()

    asyncio.run(scenario())


def test_a_polled_folder_wakes_a_job_too(tmp_path: Path) -> None:
    async def scenario() -> None:
        watch = Watch(tmp_path, ScheduleConfig(watch="poll", poll_seconds=0.2))
        await asyncio.wait_for(watch.ready.wait(), GENEROUS)
        assert watch.lines == [
            f'watching {tmp_path} by polling (schedule.watch = "poll") every 0.2 s']
        (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
        await until(lambda: watch.wakes >= 1, "wake for report.pdf")
        await watch.end()

    asyncio.run(scenario())


def test_a_folder_that_cannot_be_watched_is_said_in_one_line_and_ready_is_set(
        tmp_path: Path) -> None:
    missing = tmp_path / "not-there"  # polling refuses it (inotify would watch nothing)

    async def scenario() -> None:
        watch = Watch(missing, ScheduleConfig(watch="poll"))
        await asyncio.wait_for(watch.ready.wait(), GENEROUS)  # the service's scan goes ahead
        assert len(watch.lines) == 1, watch.lines
        assert watch.lines[0].startswith(f"watch: cannot watch {missing}: ")
        assert watch.lines[0].endswith("trying again in 30 s (the full rescan goes on meanwhile)")
        assert "\n" not in watch.lines[0]
        await watch.end()  # the retry wait ends at the stop, not after 30 s
        assert watch.wakes == 0

    asyncio.run(scenario())


def test_auto_falls_back_to_polling_when_file_events_are_unavailable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = watch_module.awatch

    async def no_inotify(*paths: Path, force_polling: bool,
                         **options: Any) -> AsyncIterator[set[tuple[Change, str]]]:
        if not force_polling:  # as watchfiles does: raised on the first iteration
            raise OSError("OS file watch limit reached")
        async for batch in real(*paths, force_polling=force_polling, **options):
            yield batch

    monkeypatch.setattr(watch_module, "awatch", no_inotify)

    async def scenario() -> None:
        watch = Watch(tmp_path, ScheduleConfig(watch="auto", poll_seconds=0.2))
        await asyncio.wait_for(watch.ready.wait(), GENEROUS)
        assert watch.lines == [f"watching {tmp_path} by polling (file events unavailable: "
                               "OS file watch limit reached) every 0.2 s"]
        (tmp_path / "news.txt").write_text("新しい", encoding="utf-8")
        await until(lambda: watch.wakes >= 1, "wake for news.txt")
        await watch.end()

    asyncio.run(scenario())


def test_a_watch_that_fails_after_starting_is_said_and_resumed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*paths: Path, **options: Any) -> AsyncIterator[set[tuple[Change, str]]]:
        yield set()
        raise OSError("the folder went away")

    monkeypatch.setattr(watch_module, "awatch", broken)

    async def scenario() -> None:
        watch = Watch(tmp_path, ScheduleConfig(watch="events"))
        await until(lambda: len(watch.lines) == 2, "a line for the failure")
        assert watch.lines == [f"watching {tmp_path} by file events",
                               f"watch: {tmp_path}: the folder went away; watching again in 30 s"]
        assert watch.ready.is_set() and watch.wakes == 0
        await watch.end()

    asyncio.run(scenario())
