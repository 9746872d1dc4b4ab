"""The service's parts in process: its config, digest times, folder-watch choices, request
merging, and its seams (companions, on_tick, digest_now) run against the real job runner."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import (
    Config,
    PathsConfig,
    ScheduleConfig,
    SourcesConfig,
    load_config,
    validated,
)
from bot.config.times import parse_clock
from bot.core.errors import ConfigError
from bot.run.worker import RunReport
from bot.service import Request, Service, TickResult
from bot.service import service as service_module
from bot.service.clock import catch_up_after, last_digest_time
from bot.service.jobs import JobRunner, job_lines
from bot.service.watch import filesystem_type, own_files, wanted, watch_method
from tests.reliability.helpers import write_good

TOKYO = ZoneInfo("Asia/Tokyo")


def load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "k.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, {})


def test_a_scheduled_config_is_read(tmp_path: Path) -> None:
    config = load(tmp_path, '[schedule]\nmode = "scheduled"\ndigest_times = ["08:00", '
                  '"18:00:30"]\ntimezone = "Asia/Tokyo"\nwatch = "poll"\npoll_seconds = 2\n'
                  "debounce_seconds = 0\ngrace_minutes = 15\n[sources]\n"
                  "feed_interval_minutes = 5\n")
    s = config.schedule
    assert (s.mode, s.digest_times, s.timezone, s.watch) == (
        "scheduled", ("08:00", "18:00:30"), "Asia/Tokyo", "poll")
    assert (s.poll_seconds, s.debounce_seconds, s.grace_minutes) == (2.0, 0.0, 15.0)
    assert config.sources.feed_interval_minutes == 5.0
    assert load(tmp_path, "").schedule.mode == "immediate"


@pytest.mark.parametrize("text, message", [
    ('mode = "sometimes"', 'schedule.mode must be "immediate" or "scheduled"'),
    ('mode = "scheduled"', "needs schedule.digest_times"),
    ('mode = "scheduled"\ndigest_times = "08:00"', "schedule.digest_times must be a list"),
    ('digest_times = ["8:00"]', "'8:00' is not a time of day"),
    ('digest_times = ["24:00"]', "'24:00' is not a time of day"),
    ('digest_times = ["08:60"]', "'08:60' is not a time of day"),
    ('digest_times = ["08:00:00:00"]', "is not a time of day"),
    ('digest_times = ["０８:００"]', "is not a time of day"),
    ('timezone = "Mars/Olympus"', "schedule.timezone: unknown time zone 'Mars/Olympus'"),
    ('watch = "inotify"', 'schedule.watch must be "auto", "events" or "poll"'),
    ("debounce_seconds = -1", "debounce_seconds must be >= 0"),
    ("poll_seconds = 0", "poll_seconds must be > 0"),
    ("grace_minutes = -5", "grace_minutes must be >= 0"),
])
def test_bad_schedule_settings_are_one_clear_error(tmp_path: Path, text: str,
                                                   message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, f"[schedule]\n{text}\n")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_feed_interval_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sources\.feed_interval_minutes must be > 0 and"):
        load(tmp_path, "[sources]\nfeed_interval_minutes = 0\n")


def test_a_feed_may_have_its_own_interval(tmp_path: Path) -> None:
    wire, monthly = "https://wire.example/feed", "https://monthly.example/feed"
    config = load(tmp_path, f'[sources]\nfeeds = ["{wire}", "{monthly}"]\n'
                  f'feed_interval_minutes = 20\n[sources.feed_intervals]\n"{wire}" = 5\n')
    assert config.sources.interval_of(wire) == 5.0
    assert config.sources.interval_of(monthly) == 20.0
    for bad, why in ((f'"{wire}" = 0', "must be > 0"), (f'"{wire}" = "often"', "a table of"),
                     ('"https://other.example/" = 5', "is not in sources.feeds")):
        with pytest.raises(ConfigError, match=why):
            load(tmp_path, f'[sources]\nfeeds = ["{wire}"]\n[sources.feed_intervals]\n{bad}\n')


def test_clock_times() -> None:
    assert parse_clock("08:00") == (8, 0, 0)
    assert parse_clock("23:59:59") == (23, 59, 59)
    assert parse_clock("00:00") == (0, 0, 0)


def test_the_last_digest_time_is_found_in_its_zone_across_midnight() -> None:
    times = ("08:00", "18:00")
    # 09:30 in Tokyo: this morning's 08:00.
    now = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
    assert last_digest_time(times, TOKYO, now) == datetime(2026, 1, 1, 8, 0, tzinfo=TOKYO)
    # 07:00 on New Year's morning in Tokyo: last evening's 18:00, in the previous year.
    now = datetime(2025, 12, 31, 22, 0, tzinfo=UTC)
    assert last_digest_time(times, TOKYO, now) == datetime(2025, 12, 31, 18, 0, tzinfo=TOKYO)
    # Exactly at a digest time: that one.
    at = datetime(2026, 3, 1, 18, 0, tzinfo=TOKYO)
    assert last_digest_time(times, TOKYO, at) == at
    assert last_digest_time((), TOKYO, now) is None


def test_a_missed_digest_time_is_caught_up_only_within_the_grace() -> None:
    schedule = ScheduleConfig(mode="scheduled", digest_times=("08:00",), timezone="UTC",
                              grace_minutes=60)
    config = validated(Config(schedule=schedule))
    due = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    assert catch_up_after(config, due + timedelta(minutes=59)) == due
    assert catch_up_after(config, due + timedelta(minutes=61)) is None
    assert catch_up_after(Config(), due) is None  # immediate mode has no digest times


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
server:/export /mnt/share nfs4 rw 0 0
//nas/docs /mnt/my\\040docs cifs rw 0 0
tmpfs /mnt/share/scratch tmpfs rw 0 0
"""


def test_the_file_system_of_a_folder_is_read_from_the_mount_table() -> None:
    assert filesystem_type(Path("/mnt/share/inbox"), MOUNTS) == "nfs4"
    assert filesystem_type(Path("/mnt/my docs/in"), MOUNTS) == "cifs"
    assert filesystem_type(Path("/mnt/share/scratch/x"), MOUNTS) == "tmpfs"  # longest match
    assert filesystem_type(Path("/mnt/shared"), MOUNTS) == "ext4"  # a prefix is not a parent
    assert filesystem_type(Path("/srv"), "") == ""


def test_auto_polls_network_mounts_and_uses_events_elsewhere() -> None:
    polling, how = watch_method("auto", Path("/mnt/share/inbox"), MOUNTS)
    assert polling and "nfs4" in how
    assert watch_method("auto", Path("/home/editor/in"), MOUNTS) == (False, "file events")
    assert watch_method("events", Path("/mnt/share/inbox"), MOUNTS)[0] is False
    assert watch_method("poll", Path("/home"), MOUNTS)[0] is True


def test_only_changes_the_folder_scan_would_read_trigger_a_job(tmp_path: Path) -> None:
    root, out = tmp_path / "in", tmp_path / "in" / "out"
    assert wanted(str(root / "news.txt"), root, (out,))
    assert wanted(str(root / "2026" / "report.pdf"), root, (out,))
    for path in (root / ".hidden.txt", root / ".git" / "x.txt", root / "copy.txt.part",
                 root / "x.tmp", root / "README.md", out / "index.html", tmp_path / "x.txt"):
        assert not wanted(str(path), root, (out,)), path


def test_the_workers_own_files_in_the_watched_folder_trigger_nothing(tmp_path: Path) -> None:
    root = tmp_path / "in"
    paths = PathsConfig(seeds=root, out=root / "site", state=root / "state.sqlite3")
    ignored = own_files(Config(paths=paths))
    for name in ("state.sqlite3", "state.sqlite3-wal", "state.sqlite3-shm",
                 "state.sqlite3.lock", "site/feed.xml", "site/articles/a.html"):
        assert not wanted(str(root / name), root, ignored), name
    assert wanted(str(root / "state-report.txt"), root, ignored)


def test_requests_merge_into_one_job() -> None:
    due = datetime(2026, 1, 1, tzinfo=UTC)
    merged = Request(folder=True).merge(Request(feeds=frozenset({"https://a/"}))).merge(
        Request(publish=True, catch_up_after=due))
    assert merged == Request(True, frozenset({"https://a/"}), True, due)
    assert merged.describe() == "folder, 1 feed(s), digest"
    assert Request().empty and not Request(publish=True).empty


def service_config(tmp_path: Path, **schedule: object) -> Config:
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    paths = PathsConfig(seeds=seeds, out=tmp_path / "out", state=tmp_path / "state.sqlite3")
    return validated(Config(paths=paths, sources=SourcesConfig(settle_seconds=0),
                            schedule=ScheduleConfig(**schedule)))  # type: ignore[arg-type]


async def until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def from_another_thread(service: Service) -> asyncio.Future[TickResult]:
    """digest_now() called as a chat handler in another thread would call it."""
    box: list[object] = []
    thread = threading.Thread(target=lambda: box.append(service.digest_now()))
    thread.start()
    thread.join()
    return asyncio.wrap_future(box[0])  # type: ignore[arg-type]


@pytest.mark.usefixtures("installed_model")
def test_companions_ticks_and_digest_now_on_a_real_job_runner(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_module, "COMPANION_GRACE_SECONDS", 1.0)
    later = (datetime.now(UTC) + timedelta(hours=12)).strftime("%H:%M")
    config = service_config(tmp_path, mode="scheduled", digest_times=(later,),
                            debounce_seconds=0.2)
    said: list[str] = []
    ticks: list[TickResult] = []
    seen: dict[str, object] = {}
    stopping = threading.Event()
    runner = JobRunner(config, True, said.append, stopping)
    service: Service

    async def editor(stop: asyncio.Event) -> None:
        await until(lambda: len(ticks) >= 1)  # the start-up job
        write_good(config.paths.seeds, 3900)
        await until(lambda: any(t.report is not None and t.report.entries for t in ticks))
        seen["before"] = (config.paths.out / "telegram").exists()
        seen["next"] = service.next_digest()
        seen["digest"] = await from_another_thread(service)
        service.stop()
        await stop.wait()
        seen["editor returned"] = True

    async def broken(stop: asyncio.Event) -> None:
        raise RuntimeError("the chat companion fell over")

    async def deaf(stop: asyncio.Event) -> None:
        await asyncio.sleep(3600)  # ignores the stop: cancelled after the grace

    service = Service(config, runner.run, said.append, [broken, deaf], ticks.append, stopping)
    service.add_companion(editor)  # as one that needs the service (digest_now) is wired
    began = time.monotonic()
    asyncio.run(service.run())
    assert time.monotonic() - began < 60
    assert seen["before"] is False, "scheduled mode published before a digest was asked for"
    digest = seen["digest"]
    assert isinstance(digest, TickResult) and digest.report is not None
    assert digest.report.digest_id == 1 and digest.error == ""
    assert (config.paths.out / "telegram" / "001.html").exists()
    assert seen["editor returned"] is True
    assert ticks[0].what == "folder, delivery" and ticks[-1] is digest is service.last_tick
    upcoming = seen["next"]
    assert isinstance(upcoming, datetime) and f"{upcoming.astimezone(UTC):%H:%M}" == later
    assert [line for line in said if "error" in line] == [
        "error: broken stopped: RuntimeError: the chat companion fell over"]
    with pytest.raises(RuntimeError, match="not running"):
        service.digest_now()


def test_a_failing_job_is_one_line_and_the_next_request_runs(tmp_path: Path) -> None:
    token = "123456:SERVICE-SECRET-token"
    config = service_config(tmp_path, debounce_seconds=0)
    config = validated(Config(paths=config.paths, sources=config.sources,
                              schedule=config.schedule,
                              telegram=type(config.telegram)(token=token, chat_id="@c")))
    calls: list[Request] = []
    said: list[str] = []
    results: list[TickResult] = []

    def flaky(request: Request) -> RunReport:  # a scripted fault: the first job fails
        calls.append(request)
        if len(calls) == 1:
            raise ValueError(f"unexpected answer from https://api/bot{token}/sendMessage")
        return RunReport(digest_id=7)

    service: Service

    async def admin(stop: asyncio.Event) -> None:
        await until(lambda: len(calls) >= 1)
        results.append(await from_another_thread(service))
        service.stop()

    service = Service(config, flaky, said.append, [admin])
    asyncio.run(service.run())
    assert calls[0].folder and calls[0].publish  # the start-up job, immediate mode
    assert results[0].report is not None and results[0].report.digest_id == 7
    errors = [line for line in said if "error" in line]
    assert errors == ["error: internal error: ValueError: unexpected answer from "
                      "https://api/bot<TELEGRAM_BOT_TOKEN>/sendMessage"]


def test_what_each_job_says() -> None:
    config = Config(paths=PathsConfig(seeds=Path("in"), out=Path("out")))
    feed = Request(feeds=frozenset({"https://a/"}), publish=True)
    assert job_lines(RunReport(), feed, config) == []  # a quiet feed poll says nothing
    assert job_lines(RunReport(), Request(publish=True), config) == [
        "nothing pending; no digest published"]
    assert job_lines(RunReport(), Request(folder=True), config) == [
        "nothing new in folder 'in'"]
    waiting = job_lines(RunReport(2, 3, (("bad.pdf", "no text"),), unsettled=1),
                        Request(folder=True), config)
    assert waiting == ["warning: skipped bad.pdf: no text",
                       "read 2 new document(s): 3 new article(s)",
                       "3 new article(s) wait for the next digest time",
                       "1 file(s) still being written or not yet read: looked at again "
                       "shortly"]
    published = job_lines(RunReport(1, 1, digest_id=4, outputs=(Path("out/feed.xml"),),
                                    published=3, waiting=2),
                          Request(folder=True, publish=True), config)
    assert published == ["read 1 new document(s): 1 new article(s)",
                         "digest #4 published to out: 1 new article(s) and 2 article(s) "
                         "that were waiting (released, or left by an interrupted run)",
                         "wrote out/feed.xml"]
