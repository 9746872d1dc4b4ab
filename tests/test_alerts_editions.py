"""Admin alerts cover every edition's channel: a held or rejected message of a named edition
is told naming it, apart from the default edition's message of the same digest and part, and
what was told survives a restart in keys the default channel kept before editions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.chat.alerts import AlertKind, Event, StoreState, load_state, tick_events
from bot.chat.told import Seen, save_told, seen_from_keys, seen_keys
from bot.core.channels import TELEGRAM
from bot.state.records import Delivery, DeliveryStatus, Message
from bot.state.store import Store

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
RAIL = f"{TELEGRAM}.rail"


def row(channel: str, status: DeliveryStatus, detail: str) -> Delivery:
    return Delivery(channel, 1, 1, status, detail, "", "")


def test_the_same_digest_and_part_of_two_editions_are_told_apart() -> None:
    state = StoreState(messages=(row(TELEGRAM, DeliveryStatus.HELD, "uncertain"),
                                 row(RAIL, DeliveryStatus.HELD, "uncertain"),
                                 row(RAIL, DeliveryStatus.REJECTED, "too long")))
    events, seen = tick_events(None, None, state, Seen())
    assert events == [Event(AlertKind.HELD, "digest #1 part 1 held: uncertain"),
                      Event(AlertKind.HELD, "edition rail: digest #1 part 1 held: uncertain"),
                      Event(AlertKind.TELEGRAM,
                            "edition rail: digest #1 part 1 rejected: too long")]
    assert tick_events(None, None, state, seen)[0] == []
    restarted = seen_from_keys(seen_keys(seen))  # what the state file keeps
    assert restarted == seen
    assert tick_events(None, None, state, restarted)[0] == []


def test_the_default_channels_keys_are_those_of_a_single_channel_worker() -> None:
    older = ["message\t1\t1\theld", "message\t2\t3\trejected"]
    seen = seen_from_keys(older)
    assert seen.messages == {(TELEGRAM, 1, 1, "held"), (TELEGRAM, 2, 3, "rejected")}
    assert seen_keys(seen) == older
    state = StoreState(messages=(row(TELEGRAM, DeliveryStatus.HELD, "uncertain"),
                                 row(RAIL, DeliveryStatus.HELD, "uncertain")))
    events, _ = tick_events(None, None, state, seen)  # after a restart: only rail's is new
    assert [e.text for e in events] == ["edition rail: digest #1 part 1 held: uncertain"]


def test_every_editions_messages_are_read_from_a_real_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    store = Store.open(path)
    try:
        with store.transaction():
            store.outbox().queue(store.create_digest(NOW, []), TELEGRAM, ["one"])
            store.outbox().queue(store.editions().create_digest("rail", NOW, []), RAIL,
                                 ["uno"])
            store.outbox().queue(1, "elsewhere", ["other"])  # no edition's: left out
        for channel, body in ((TELEGRAM, "one"), (RAIL, "uno"), ("elsewhere", "other")):
            store.outbox().record(Message(1, 1, body), channel, DeliveryStatus.HELD, "x")
    finally:
        store.close()
    state = load_state(path)
    assert [(m.channel, m.digest_id, m.part) for m in state.messages] == [
        (TELEGRAM, 1, 1), (RAIL, 1, 1)]
    events, seen = tick_events(None, None, state, Seen())
    save_told(path, seen)
    assert load_state(path).told == seen and len(events) == 2
