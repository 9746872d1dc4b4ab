"""The parts that keep a Config beside the jobs take a reloaded one: the health bound and the
feeds the heartbeat lists follow the file after SIGHUP."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from bot.config import load_config
from bot.service.heartbeat import Heartbeat
from bot.service.monitor import Monitor, health_bound
from bot.state.heartbeat import beat_path


class Schedule:
    def __init__(self) -> None:
        self.runs: dict[str, datetime] = {}

    def next_runs(self) -> dict[str, datetime]:
        return self.runs

    def scheduler_state(self) -> str:
        return "running"


def config_with(tmp_path: Path, extra: str):
    path = tmp_path / "k.toml"
    path.write_text(f'[paths]\nstate = "{tmp_path}/state.sqlite3"\n{extra}', encoding="utf-8")
    return load_config(path, {})


def test_monitor_judges_by_the_reloaded_bound(tmp_path: Path):
    clock = [0.0]
    monitor = Monitor(config_with(tmp_path, "[serve]\nhealth_minutes = 60\n"),
                      now=lambda: clock[0])
    monitor.attach(Schedule())
    clock[0] = 30 * 60
    assert monitor.health().ok
    shorter = config_with(tmp_path, "[serve]\nhealth_minutes = 20\n")
    monitor.use(shorter)
    assert health_bound(shorter) == 20 * 60 and not monitor.health().ok


def test_heartbeat_lists_the_reloaded_feeds(tmp_path: Path):
    heartbeat = Heartbeat(config_with(tmp_path, ""), Schedule())
    heartbeat.use(config_with(tmp_path, '[sources]\nfeeds = ["https://example.org/a.xml"]\n'))
    beat = json.loads(beat_path(tmp_path / "state.sqlite3").read_text(encoding="utf-8"))
    assert [poll[0] for poll in beat["polls"]] == ["https://example.org/a.xml"]
