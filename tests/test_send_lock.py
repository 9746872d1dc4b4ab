"""The send lock: a message claimed by a sender still in the middle of its send is never
taken for one left by a sender that stopped, so a `once` beside the service's delivery lane
does not send it again; one left by a sender that let the lock go is (telegram.uncertain)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Config, TelegramConfig, validated
from bot.core.channels import TELEGRAM
from bot.run.worker import deliver
from bot.state.files import state_files
from bot.state.records import DeliveryStatus
from bot.state.sendlock import SendLock, send_lock_path
from bot.state.store import Store
from tests.support.fake_bot_api import FakeBotApi

PENDING, SENDING, SENT = DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.SENT

CHAT = "@kakehashi_lock"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "state.sqlite3")
    yield opened
    opened.close()


def make_config(api: FakeBotApi, tmp_path: Path) -> Config:
    telegram = TelegramConfig(token=api.token, chat_id=CHAT, api_base_url=api.base_url)
    config = Config(telegram=telegram)
    return validated(replace(config, paths=replace(config.paths, out=tmp_path / "out",
                                                     state=tmp_path / "state.sqlite3")))


def queue(store: Store, bodies: list[str]) -> None:
    with store.transaction():
        digest_id = store.create_digest(datetime.now(UTC), [])
        store.outbox().queue(digest_id, TELEGRAM, bodies)


def statuses(store: Store) -> list[str]:
    return [s for (s,) in store._conn.execute("SELECT status FROM deliveries ORDER BY part")]


def deliver_apart(config: Config, said: list[str]) -> None:
    """deliver() as another process would: its own connection to the state file."""
    store = Store.open(config.paths.state)
    try:
        deliver(config, store, said.append)
    finally:
        store.close()


def test_a_message_in_another_senders_hands_is_waited_for_not_sent_again(
        api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    config = make_config(api, tmp_path)
    queue(store, ["<b>part one</b>", "<b>part two</b>"])
    said: list[str] = []
    with SendLock(store.path) as lane:  # the lane, mid-send of part one
        assert lane.acquire()
        in_flight = store.outbox().claim_next(TELEGRAM, "pid 1 (the lane)", datetime.now(UTC))
        assert in_flight is not None and in_flight.part == 1
        other = threading.Thread(target=deliver_apart, args=(config, said))
        other.start()  # a `once` beside it: it must wait for the lane's record
        time.sleep(1.0)
        assert other.is_alive() and api.attempts == 0
        assert statuses(store) == [SENDING, PENDING]
        store.outbox().record(in_flight, TELEGRAM, SENT)  # the lane's send went through
        lane.release()
        other.join(timeout=60)
    assert not other.is_alive()
    assert statuses(store) == [SENT, SENT]
    assert api.sent_to(CHAT) == ["<b>part two</b>"], "the message in flight was sent again"
    assert not [line for line in said if "may or may not have arrived" in line], said


def test_a_claim_whose_sender_let_the_lock_go_is_uncertain(
        api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    config = make_config(api, tmp_path)
    queue(store, ["<b>only part</b>"])
    with SendLock(store.path) as stopped:  # a sender that stopped between send and record
        assert stopped.acquire()
        store.outbox().claim_next(TELEGRAM, "pid 1", datetime.now(UTC))
    said: list[str] = []
    deliver(config, store, said.append)  # telegram.uncertain = "resend" (the default)
    assert statuses(store) == [SENT]
    assert api.sent_to(CHAT) == ["<b>only part</b>"]
    assert any("may or may not have arrived" in line for line in said), said


def test_the_send_lock_is_among_the_state_files_never_served_nor_watched(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    assert send_lock_path(state) in state_files(state)
    assert {p.name for p in state_files(state)} == {
        "state.sqlite3", "state.sqlite3-wal", "state.sqlite3-shm", "state.sqlite3-journal",
        "state.sqlite3.lock", "state.sqlite3.send.lock"}
