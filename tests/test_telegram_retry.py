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
from bot.state.records import DeliveryStatus, MessageRef
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
    assert digest_id == 1  # what statuses() reads
    return bodies


def statuses(store: Store) -> list[str]:
    """Each queued part's status, read through the outbox (each test queues digest #1)."""
    found = store.outbox().statuses(MessageRef(TELEGRAM, 1, part) for part in range(1, 101))
    return [found[ref] for ref in sorted(found, key=lambda ref: ref.part)]


def deliver(config: Config, store: Store) -> list[str]:
    said: list[str] = []
    worker_deliver(config, store, said.append)
    return said


def waits(said: list[str]) -> list[float]:
    """The backoffs the delivery chose, as it reported them ("trying again in 0.4 s")."""
    return [float(line.split("trying again in ")[1].split()[0]) for line in said
            if "trying again in " in line]


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


@pytest.mark.slow
def test_backoff_grows_and_is_capped(api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    queue(store, 1)
    api.script.extend([Fault.error(500, "Internal Server Error")] * 6)
    said = deliver(make_config(api, tmp_path), store)  # base 0.2 s, cap 0.8 s
    assert statuses(store) == [DeliveryStatus.SENT] and api.attempts == 7
    chosen = waits(said)
    ceilings = [0.2, 0.4, 0.8, 0.8, 0.8, 0.8]  # capped: no longer doubling
    assert len(chosen) == len(ceilings), said
    for wait, ceiling in zip(chosen, ceilings, strict=True):
        assert ceiling / 2 - 0.05 <= wait <= ceiling + 0.05, (chosen, ceilings)  # 0.1 s rounding
    # Each was waited out before the next try (a wait can only take longer, never shorter).
    assert all(gap >= wait - 0.05 for gap, wait in zip(gaps(api), chosen, strict=True))


def test_a_persistent_500_ends_the_run_within_the_budget(
        api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    queue(store, 3)
    api.script.extend([Fault.error(500, "Internal Server Error")] * 100)
    config = make_config(api, tmp_path, retry_budget_seconds=2.0, retry_max_seconds=0.5)
    said: list[str] = []
    with pytest.raises(PublishError) as raised:
        worker_deliver(config, store, said.append)
    assert api.attempts >= 4  # it did keep trying for the budget
    assert sum(waits(said)) <= 2.0, said  # and gave up before a wait would pass it
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


@pytest.mark.slow
def test_the_rate_limiter_keeps_a_channel_under_twenty_messages_a_minute(
        api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    texts = queue(store, 22)
    deliver(make_config(api, tmp_path), store)
    assert api.sent_to(CHAT) == texts
    sent = [time - api.attempt_times[0] for time in api.attempt_times]
    # PTB's limiter is a bucket of 20 that drains one every 3 s from the first send (Telegram's
    # 20 a minute per channel): the first twenty go out unpaced, the 21st leaves 3 s after
    # the first and the 22nd 3 s after that, however long the twenty took on a busy machine.
    # Lower bounds (1 s spared for one request's latency against another's), and a bound on
    # the twenty far above any run yet far below the 57 s they would take if paced.
    assert sent[20] >= 2.0 and sent[21] >= 5.0 and sent[21] - sent[20] >= 2.0, sent
    assert sent[19] < 28.5, sent


def test_a_server_failing_everything_for_a_moment_is_waited_for(
        api: FakeBotApi, store: Store, tmp_path: Path) -> None:
    texts = queue(store, 2)
    api.fail_all = 500  # getMe included

    def back_after_two_failures() -> None:  # counted, not timed: a busy machine is slow
        deadline = time.monotonic() + 120
        while api.failed_all < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        api.fail_all = None

    threading.Thread(target=back_after_two_failures, daemon=True).start()
    said = deliver(make_config(api, tmp_path), store)
    assert api.sent_to(CHAT) == texts and statuses(store) == [DeliveryStatus.SENT] * 2
    assert any("Scripted failure 500; trying again in" in line for line in said), said
