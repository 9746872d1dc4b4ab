"""/metrics counts each edition's Telegram messages apart: the edition is a label, the
default edition's series keep their name and status label, and an edition a reload removed
loses its series."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bot.config import load_config
from bot.service.monitor import Monitor
from bot.service.requests import TickResult
from bot.state.records import DeliveryStatus
from bot.state.store import Store

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
RAIL = '[[editions]]\nname = "rail"\nchat_id = "-1001"\n'


def configure(tmp_path: Path, editions: str) -> Path:
    path = tmp_path / "k.toml"
    path.write_text(f'[paths]\nstate = "{tmp_path}/state.sqlite3"\n{editions}',
                    encoding="utf-8")
    return path


def messages(monitor: Monitor) -> dict[tuple[str, str], float]:
    return {(s.labels["edition"], s.labels["status"]): s.value
            for f in text_string_to_metric_families(monitor.metrics()[0].decode())
            for s in f.samples if s.name == "kakehashi_messages"}


def tick(monitor: Monitor) -> None:
    monitor.on_tick(TickResult("digest", NOW, None, ""))


def test_each_editions_messages_are_counted_under_its_name(tmp_path: Path) -> None:
    path = configure(tmp_path, RAIL)
    store = Store.open(tmp_path / "state.sqlite3")
    try:
        with store.transaction():
            store.outbox().queue(store.create_digest(NOW, []), "telegram", ["one"])
            store.outbox().queue(store.editions().create_digest("rail", NOW, []),
                                 "telegram.rail", ["uno", "dos", "tres"])
        held = store.outbox().claim_next("telegram.rail", "test", NOW)
        assert held is not None
        store.outbox().record(held, "telegram.rail", DeliveryStatus.HELD, "uncertain")
    finally:
        store.close()
    monitor = Monitor(load_config(path, {}))
    tick(monitor)
    counts = messages(monitor)
    assert counts[("default", "pending")] == 1 and counts[("default", "held")] == 0
    assert counts[("rail", "pending")] == 2 and counts[("rail", "held")] == 1
    assert {edition for edition, _ in counts} == {"default", "rail"}
    text = monitor.metrics()[0].decode()
    assert 'kakehashi_messages{edition="rail",status="pending"} 2.0' in text
    monitor.use(load_config(configure(tmp_path, ""), {}))  # a reload without rail
    tick(monitor)
    assert {edition for edition, _ in messages(monitor)} == {"default"}
    assert messages(monitor)[("default", "pending")] == 1
