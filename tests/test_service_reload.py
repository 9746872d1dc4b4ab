"""SIGHUP reloads `kakehashi run`'s configuration: the comparison in process, then a real
worker whose file is edited under it (the fake Bot API as the channel)."""

from __future__ import annotations

import asyncio
import signal
import threading
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest

from bot.config import Config, load_config
from bot.config.sections import ScheduleConfig, SourcesConfig
from bot.core.errors import ConfigError
from bot.run.worker import RunReport
from bot.service import Reloader, Request, Service
from bot.service.reload import changed_keys, reread
from tests.reliability.helpers import Paths, drop_file, good_doc, write_config
from tests.support.fake_bot_api import FakeBotApi
from tests.test_service import running, stop, telegram_env, wait_until
from tests.test_service_parts import service_config, until

NO_RESCAN = "[schedule]\ninterval_minutes = 60\n"


def load(path: Path, text: str) -> Config:
    path.write_text(text, encoding="utf-8")
    return load_config(path, {})


def test_a_reread_names_what_changed_and_keeps_what_needs_a_restart(tmp_path: Path) -> None:
    running_config = load(tmp_path / "a.toml", '[feed]\ntitle = "Old"\n')
    path = tmp_path / "b.toml"
    new_text = ('[feed]\ntitle = "New"\n[serve]\nport = 8181\n'
                '[sources]\nfeeds = ["https://example.org/rss"]\n')
    found = reread(running_config, lambda: load(path, new_text))
    assert found.config is not None
    assert found.config.feed.title == "New"
    assert found.config.serve.port == running_config.serve.port  # kept until a restart
    assert found.changed == ("sources.feeds", "feed.title")
    assert found.reschedules
    assert found.lines == (
        "warning: serve.port changed: it needs a restart (kept until then)",
        "configuration reloaded: 2 change(s): sources.feeds, feed.title")
    assert changed_keys(found.config, running_config) == ["sources.feeds", "feed.title"]


def test_an_invalid_configuration_is_refused_in_one_line(tmp_path: Path) -> None:
    running_config = load(tmp_path / "a.toml", "")

    def broken() -> Config:
        raise ConfigError('config: schedule.mode must be "immediate" or "scheduled"')

    found = reread(running_config, broken)
    assert found.config is None and found.changed == ()
    assert len(found.lines) == 1 and found.lines[0].startswith(
        "error: configuration not reloaded")


def test_a_reload_waits_for_the_job_in_hand_then_reschedules(tmp_path: Path) -> None:
    config = service_config(tmp_path, debounce_seconds=0)
    url = "https://example.org/rss"
    new = replace(config, sources=SourcesConfig(settle_seconds=0, feeds=(url,)),
                  schedule=ScheduleConfig(mode="scheduled", digest_times=("08:00",)))
    events: list[str] = []
    release = threading.Event()

    def job(request: Request) -> RunReport:  # the first job holds until the reload is asked
        events.append(f"job {sorted(request.feeds)}")
        release.wait(60)
        events.append("job done")
        return RunReport()

    service: Service

    async def operator(stop: asyncio.Event) -> None:
        await until(lambda: bool(events))
        service.reload()  # as SIGHUP does, while the start-up job runs
        release.set()
        await until(lambda: f"job {[url]}" in events)  # the added feed, polled at once
        service.stop()

    reloader = Reloader(lambda: new, lambda applied: events.append("applied"))
    said: list[str] = []
    service = Service(config, job, said.append, [operator], reload=reloader)
    asyncio.run(service.run())
    assert events[:4] == ["job []", "job done", "applied", f"job {[url]}"]
    assert service.config is new
    assert any(line.startswith("configuration reloaded: 4 change(s): sources.feeds, "
                               "schedule.mode, schedule.digest_times") for line in said), said


def channel_title(out: Path) -> str | None:
    if not (out / "feed.xml").exists():
        return None
    return str(feedparser.parse((out / "feed.xml").read_bytes()).feed.get("title"))


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_sighup_applies_a_new_feed_title_to_the_next_digest(tmp_path: Path,
                                                             api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    config = write_config(tmp_path / "run.toml", NO_RESCAN + '[feed]\ntitle = "Old title"\n')
    with running(paths, config, telegram_env(api)) as (process, lines):
        write_config(config, NO_RESCAN + '[feed]\ntitle = "Renamed digest"\n')
        process.send_signal(signal.SIGHUP)
        wait_until(lambda: any("configuration reloaded: 1 change(s): feed.title" in line
                               for line in lines), 60, "the reload line", process, lines)
        drop_file(paths.seeds, "after_reload.txt", good_doc(4100).text)
        wait_until(lambda: channel_title(paths.out) == "Renamed digest", 120,
                   "the new title in feed.xml", process, lines)
        assert process.poll() is None
        stop(process, lines)


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_sighup_refuses_an_invalid_file_and_warns_of_a_port_change(tmp_path: Path,
                                                                   api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    config = write_config(tmp_path / "run.toml", NO_RESCAN)
    with running(paths, config, telegram_env(api)) as (process, lines):
        write_config(config, NO_RESCAN + 'mode = "sometimes"\n')
        process.send_signal(signal.SIGHUP)
        wait_until(lambda: any("configuration not reloaded" in line for line in lines), 60,
                   "the refusal", process, lines)
        refused = [line for line in lines if "configuration not reloaded" in line]
        assert len(refused) == 1 and "ERROR" in refused[0], refused
        assert "schedule.mode" in refused[0]
        assert process.poll() is None

        write_config(config, NO_RESCAN + "[serve]\nport = 8181\n")
        process.send_signal(signal.SIGHUP)
        wait_until(lambda: any("configuration reloaded: 0 change(s)" in line
                               for line in lines), 60, "the reload line", process, lines)
        warned = [line for line in lines if "needs a restart" in line]
        assert len(warned) == 1 and "WARNING" in warned[0] and "serve.port" in warned[0]
        assert process.poll() is None
        stop(process, lines)
