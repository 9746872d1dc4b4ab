"""Transient Telegram failures are retried inside the run, with capped exponential backoff and
jitter, within a time budget; what is left stays queued. Real python-telegram-bot, a real
state file (outbox), and the fake Bot API server playing the faults."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from bot.config import Config, TelegramConfig, validated
from bot.core.backoff import backoff_delay
from bot.core.channels import TELEGRAM
from bot.core.errors import PublishError
from bot.publish.telegram import RETRY_JITTER
from bot.run.worker import deliver as worker_deliver
from bot.state.records import DeliveryStatus
from bot.state.store import Store
from tests.support.fake_bot_api import FakeBotApi, Fault

CHAT = "@kakehashi_retry"



@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "state.sqlite3")
    yield opened
    opened.close()


def make_config(api: FakeBotApi, tmp_path: Path, **telegram: object) -> Config:
    settings = TelegramConfig(token=api.token, chat_id=CHAT, api_base_url=api.base_url,
                              retry_budget_seconds=30.0, retry_base_seconds=0.2,
                              retry_max_seconds=0.8)
    config = Config(telegram=replace(settings, **telegram))  # type: ignore[arg-type]
    return validated(replace(config, paths=replace(config.paths, out=tmp_path / "out")))


def queue(store: Store, count: int) -> list[str]:
    bodies = [f"<b>Digest part {n}</b> of {count}" for n in range(1, count + 1)]
    with store.transaction():
        digest_id = store.create_digest(datetime.now(UTC), [])
        store.outbox().queue(digest_id, TELEGRAM, bodies)
    return bodies


def statuses(store: Store) -> list[str]:
    conn = store._conn  # the test reads the table the outbox writes
    return [s for (s,) in conn.execute("SELECT status FROM deliveries ORDER BY part")]


def deliver(config: Config, store: Store) -> list[str]:
    said: list[str] = []
    worker_deliver(config, store, said.append)
    return said


def gaps(api: FakeBotApi) -> list[float]:
    times = api.attempt_times
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def test_backoff_doubles_from_the_base_up_to_the_cap_with_equal_jitter() -> None:
    delay = partial(backoff_delay, base=1.0, cap=30.0, jitter=RETRY_JITTER)
    low = [delay(n, rand=lambda: 0.0) for n in range(1, 8)]
    high = [delay(n, rand=lambda: 0.999999) for n in range(1, 8)]
    assert low == [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0]
    assert [round(h, 3) for h in high] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    drawn = {delay(3) for _ in range(50)}
    assert len(drawn) > 40 and all(2.0 <= d <= 4.0 for d in drawn)
    assert delay(10_000) <= 30.0  # no overflow however long it fails


@pytest.mark.parametrize("policy", ["resend", "hold"])
@pytest.mark.parametrize("fault", [Fault.error(500, "Internal Server Error"),
                                   Fault.error(502, "Bad Gateway"),
                                   Fault.error(503, "Service Unavailable")],
                         ids=["500", "502", "503"])
def test_a_5xx_is_retried_and_delivered_once_in_the_same_run(
        api: FakeBotApi, store: Store, tmp_path: Path, fault: Fault, policy: str) -> None:
    texts = queue(store, 3)
    api.script.append(fault)
    said = deliver(make_config(api, tmp_path, uncertain=policy), store)
    # An error answer is the server saying it did not send: never held, never doubled.
    assert statuses(store) == [DeliveryStatus.SENT] * 3
    assert api.sent_to(CHAT) == texts and api.duplicates() == {}
    assert api.attempts == 4
    assert any("trying again in" in line and fault.description in line for line in said)


def test_a_connection_dropped_without_an_answer_is_resent_in_the_same_run(
        api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    texts = queue(store, 3)
    api.script.append(Fault("drop"))  # closed before anything was delivered
    deliver(make_config(api, tmp_path), store)
    assert statuses(store) == [DeliveryStatus.SENT] * 3
    assert api.sent_to(CHAT) == texts and api.duplicates() == {}


def test_a_refused_connection_is_retried_until_the_server_is_back(
        api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    texts = queue(store, 2)
    config = make_config(api, tmp_path)
    api.stop()  # nothing listens: every connection is refused, so nothing can have left
    with pytest.raises(PublishError):
        deliver(replace(config, telegram=replace(config.telegram, retry_budget_seconds=0.5)),
                store)
    assert statuses(store) == [DeliveryStatus.PENDING, DeliveryStatus.PENDING]
    restarted = FakeBotApi().start()
    try:
        moved = replace(config.telegram, api_base_url=restarted.base_url)
        deliver(replace(config, telegram=moved), store)
        assert restarted.sent_to(CHAT) == texts
    finally:
        restarted.stop()


def test_an_uncertain_send_is_resent_once_under_resend(
        api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    texts = queue(store, 3)
    api.script.append(Fault("drop_after"))  # delivered, then no answer: it may have arrived
    said = deliver(make_config(api, tmp_path, uncertain="resend"), store)
    assert statuses(store) == [DeliveryStatus.SENT] * 3
    assert api.sent_to(CHAT) == [texts[0], *texts]  # the documented window: that message
    assert any("may or may not have arrived" in line for line in said)


def test_an_uncertain_send_is_held_under_hold_and_the_rest_goes_out(
        api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    texts = queue(store, 3)
    api.script.append(Fault("drop_after"))
    deliver(make_config(api, tmp_path, uncertain="hold"), store)
    assert statuses(store) == [DeliveryStatus.HELD, DeliveryStatus.SENT, DeliveryStatus.SENT]
    assert api.sent_to(CHAT) == texts and api.duplicates() == {}


def test_a_second_uncertain_send_ends_the_run(api: FakeBotApi, store: Store,
                                              tmp_path: Path) -> None:
    texts = queue(store, 3)
    api.script.extend([Fault("drop_after"), Fault("drop_after")])
    with pytest.raises(PublishError, match="rest stays queued for the next run"):
        deliver(make_config(api, tmp_path, uncertain="resend"), store)
    # Resent once in the run, not again and again while the server keeps failing.
    assert api.sent_to(CHAT) == [texts[0], texts[0]]
    assert statuses(store) == [DeliveryStatus.PENDING] * 3


def test_backoff_grows_and_is_capped(api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    queue(store, 1)
    api.script.extend([Fault.error(500, "Internal Server Error")] * 6)
    deliver(make_config(api, tmp_path), store)  # base 0.2 s, cap 0.8 s
    assert statuses(store) == [DeliveryStatus.SENT] and api.attempts == 7
    measured = gaps(api)
    ceilings = [0.2, 0.4, 0.8, 0.8, 0.8, 0.8]
    for gap, ceiling in zip(measured, ceilings, strict=True):
        assert ceiling / 2 <= gap <= ceiling + 0.3, (measured, ceilings)
    assert sum(measured[2:]) <= 4 * (0.8 + 0.3)  # capped: no longer doubling


def test_a_persistent_500_ends_the_run_within_the_budget(
        api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    queue(store, 3)
    api.script.extend([Fault.error(500, "Internal Server Error")] * 100)
    config = make_config(api, tmp_path, retry_budget_seconds=2.0, retry_max_seconds=0.5)
    started = time.monotonic()
    with pytest.raises(PublishError) as raised:
        deliver(config, store)
    took = time.monotonic() - started
    assert took < 2.0 + 1.5, took
    assert api.attempts >= 4  # it did keep trying for the budget
    message = str(raised.value)
    assert message.startswith("telegram: NetworkError: Internal Server Error")
    assert "the rest stays queued for the next run" in message
    assert statuses(store) == [DeliveryStatus.PENDING] * 3 and api.messages == []


def test_no_budget_means_no_retry(api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    queue(store, 2)
    api.script.append(Fault.error(500, "Internal Server Error"))
    with pytest.raises(PublishError):
        deliver(make_config(api, tmp_path, retry_budget_seconds=0.0), store)
    assert api.attempts == 1 and statuses(store) == [DeliveryStatus.PENDING, DeliveryStatus.PENDING]


def test_the_rate_limiter_keeps_a_channel_under_twenty_messages_a_minute(
        api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    texts = queue(store, 22)
    deliver(make_config(api, tmp_path), store)
    assert api.sent_to(CHAT) == texts
    measured = gaps(api)
    # The first 20 go out at once; then one every 3 s (Telegram's 20 per minute per channel).
    assert sum(measured[:19]) < 2.0, measured
    assert measured[19] >= 2.0 and measured[20] >= 2.0, measured


def test_a_server_failing_everything_for_a_moment_is_waited_for(
        api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    texts = queue(store, 2)
    api.fail_all = 500  # getMe included
    threading.Timer(1.0, lambda: setattr(api, "fail_all", None)).start()
    said = deliver(make_config(api, tmp_path), store)
    assert api.sent_to(CHAT) == texts and statuses(store) == [DeliveryStatus.SENT] * 2
    assert any("Scripted failure 500; trying again in" in line for line in said), said
