"""Admin alerts: the events a job gives (only what is new), how a batch reads, the thread-safe
collector, and the companion that sends batches to the admin chat through real
python-telegram-bot against the fake Bot API server."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.chat.alerts import (
    MAX_MESSAGE_CHARS,
    AlertKind,
    Alerts,
    Event,
    Seen,
    StoreState,
    format_batch,
    load_state,
    run_alerts,
    tick_events,
)
from bot.chat.told import save_told
from bot.config import Config, TelegramConfig, validated
from bot.core.channels import TELEGRAM
from bot.core.model import Entry, Pair, SourceInfo, Term
from bot.run.worker import RunReport
from bot.state.records import Delivery, DeliveryStatus, FailingFeed, Message, TermFailure
from bot.state.store import Store
from tests.support.fake_bot_api import FakeBotApi, Fault

PUBLIC, ADMIN = "@kakehashi_public", "-100777"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def outbox_row(digest: int, part: int, status: DeliveryStatus, detail: str) -> Delivery:
    """An outbox row as the alerts read it (Telegram channel, never claimed)."""
    return Delivery(TELEGRAM, digest, part, status, detail, "", "")


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi(token="987654:ALERT-secret-token").start()
    yield server
    server.stop()


def make_config(api: FakeBotApi, interval: float = 0.6, admin: str = ADMIN) -> Config:
    return validated(Config(telegram=TelegramConfig(
        token=api.token, chat_id=PUBLIC, api_base_url=api.base_url, alert_chat_id=admin,
        alert_interval_seconds=interval)))


# the events of a tick ---------------------------------------------------------------------

def test_a_job_report_gives_its_skipped_files_but_not_its_feeds() -> None:
    report = RunReport(skipped=(("memo.pdf", "not a PDF"),
                                ("https://x.example/feed", "HTTP 500 (retry in 4 min)")))
    events, _ = tick_events(report, None, StoreState(), Seen())
    assert events == [Event(AlertKind.SKIPPED, "memo.pdf: not a PDF")]


def test_a_failing_feed_is_told_once_and_again_when_it_works() -> None:
    failing = StoreState(failing_feeds=(FailingFeed("https://x.example/feed", 1, "HTTP 500"),))
    events, seen = tick_events(None, None, failing, Seen())
    assert events == [Event(AlertKind.FEED, "https://x.example/feed: HTTP 500")]
    events, seen = tick_events(None, None, failing, seen)
    assert events == []  # still failing: nothing new to tell
    events, seen = tick_events(None, None, StoreState(), seen)
    assert events == [Event(AlertKind.RECOVERED, "feed https://x.example/feed")]
    events, _ = tick_events(None, None, failing, seen)
    assert [e.kind for e in events] == [AlertKind.FEED]  # failing again: told again


def test_the_same_error_each_tick_is_told_once() -> None:
    first = "telegram: NetworkError: Bad Gateway; 6 failed attempt(s) in 88 s, the rest ..."
    again = "telegram: NetworkError: Bad Gateway; 7 failed attempt(s) in 91 s, the rest ..."
    events, seen = tick_events(None, first, StoreState(), Seen())
    assert events == [Event(AlertKind.TELEGRAM, first)]
    events, seen = tick_events(None, again, StoreState(), seen)
    assert events == []
    events, seen = tick_events(None, "another process holds the state file", StoreState(),
                               seen)
    assert [e.kind for e in events] == ["job failed"]
    events, seen = tick_events(RunReport(), None, StoreState(), seen)
    assert events == [Event(AlertKind.RECOVERED, "the last job worked")]
    assert tick_events(RunReport(), None, StoreState(), seen)[0] == []


def test_held_and_failed_entries_and_messages_are_told_once() -> None:
    state = StoreState(
        failed_terms=(TermFailure("g1", "a.txt", "一帯一路", True),
                      TermFailure("g2", "b.txt", "中欧班列", False)),
        messages=(outbox_row(3, 1, DeliveryStatus.HELD,
                             "uncertain: may have arrived: the send timed out"),
                  outbox_row(3, 2, DeliveryStatus.REJECTED, "Message is too long")))
    events, seen = tick_events(None, None, state, Seen())
    assert [e.kind for e in events] == [AlertKind.HELD, AlertKind.GLOSSARY, AlertKind.HELD,
                                        AlertKind.TELEGRAM]
    assert "a.txt" in events[0].text and "一帯一路" in events[0].text
    assert events[3].text == "digest #3 part 2 rejected: Message is too long"
    assert tick_events(None, None, state, seen)[0] == []


# one batch ---------------------------------------------------------------------------------

def test_a_batch_collapses_duplicates_and_counts_what_it_leaves_out() -> None:
    events = [Event(AlertKind.SKIPPED, "a.pdf: broken")] * 3 + [
        Event(AlertKind.STOPPED, "at noon")]
    lines = format_batch(events, dropped=0, token="").splitlines()
    assert lines == ["Kakehashi: 4 alert(s)", "- worker stopped: at noon",  # urgent first
                     "- skipped file: a.pdf: broken (x3)", "(2 duplicate(s) collapsed: see "
                     "kakehashi status)"]
    events += [Event(AlertKind.FEED, f"https://x.example/{n}: HTTP 500") for n in range(40)]
    lines = format_batch(events, dropped=2, token="").splitlines()
    assert lines[0] == "Kakehashi: 44 alert(s)" and len(lines) == 32
    assert lines[-1] == ("(12 more not shown; 2 duplicate(s) collapsed; 2 dropped while "
                         "alerts could not be sent: see kakehashi status)")


def test_a_batch_fits_one_message_and_never_holds_the_token() -> None:
    token = "123456:SECRET-abcdefgh"
    events = [Event(AlertKind.SKIPPED, f"{n}.txt: {'長い理由' * 500} /bot{token}/x")
              for n in range(30)]
    text = format_batch(events, 0, token)
    assert len(text) <= MAX_MESSAGE_CHARS and token not in text and "SECRET" not in text
    assert "more not shown" in text.splitlines()[-1]


# the collector ------------------------------------------------------------------------------

def test_the_collector_takes_events_from_many_threads() -> None:
    alerts = Alerts(capacity=10_000)
    threads = [threading.Thread(target=lambda n=n: [alerts.add(AlertKind.SKIPPED, f"{n}-{i}")
                                                   for i in range(500)]) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    events, dropped = alerts.take()
    assert len(events) == 4000 and len(set(events)) == 4000 and dropped == 0
    assert alerts.take() == ([], 0)


def test_the_collector_counts_what_it_cannot_keep() -> None:
    alerts = Alerts(capacity=3)
    for n in range(5):
        alerts.add(AlertKind.SKIPPED, str(n))
    events, dropped = alerts.take()
    assert [e.text for e in events] == ["0", "1", "2"] and dropped == 2
    alerts.add(AlertKind.SKIPPED, "later")
    alerts.give_back(events, dropped)
    taken = alerts.take()
    assert [e.text for e in taken[0]] == ["0", "1", "2"] and taken[1] == 3


def test_the_state_is_read_from_a_real_state_file(state_target: str) -> None:
    store = Store.open(state_target)
    try:
        with store.transaction():
            store.feeds().save("https://x.example/feed", "", "", 2, 0.0, "HTTP 503")
            store.add_entries([Entry("g1", "a.txt", "見出し", "Headline", (Pair("文。", "S."),),
                                     (Term("一帯一路", "BRI", "failed"),), (), SourceInfo(),
                                     NOW)], hold_failed=True)
            digest = store.create_digest(NOW, [])
            store.outbox().queue(digest, TELEGRAM, ["one", "two", "three"])
        store.outbox().record(Message(digest, 1, "one"), TELEGRAM, DeliveryStatus.HELD,
                              "uncertain")
        store.outbox().record(Message(digest, 2, "two"), TELEGRAM, DeliveryStatus.REJECTED,
                              "too long")
    finally:
        store.close()
    state = load_state(state_target)
    assert state.failing_feeds == (FailingFeed("https://x.example/feed", 2, "HTTP 503"),)
    assert state.failed_terms == (TermFailure("g1", "a.txt", "一帯一路", True),)
    assert state.messages == (outbox_row(digest, 1, DeliveryStatus.HELD, "uncertain"),
                              outbox_row(digest, 2, DeliveryStatus.REJECTED, "too long"))


def test_what_was_told_is_kept_in_a_real_state_file(state_target: str) -> None:
    told = Seen(frozenset({"https://x.example/feed"}), frozenset({"g1"}),
                frozenset({(TELEGRAM, 3, 1, "held"), (TELEGRAM, 3, 2, "rejected")}),
                "telegram: N failed\tattempts")
    save_told(state_target, told)
    assert load_state(state_target).told == told
    save_told(state_target, Seen(error="x"))  # replaced, not added to
    assert load_state(state_target).told == Seen(error="x")


def test_a_new_collector_tells_nothing_the_state_file_says_was_told() -> None:
    failing = (FailingFeed("https://x.example/feed", 1, "HTTP 500"),
               FailingFeed("https://y.example/feed", 1, "HTTP 502"))
    alerts = Alerts()
    assert alerts.told() is None  # nothing sent yet: nothing to record
    alerts.note_tick(None, None, StoreState(failing_feeds=failing, told=Seen(
        feeds=frozenset({"https://x.example/feed"}))))
    events, _ = alerts.take()
    assert events == [Event(AlertKind.FEED, "https://y.example/feed: HTTP 502")]
    assert alerts.told() is None  # taken, not yet sent
    alerts.mark_sent()
    assert alerts.told() == Seen(feeds=frozenset(f.url for f in failing))


# the companion, against the fake Bot API ---------------------------------------------------

class Companion:
    """run_alerts in a thread of its own with its own event loop, as the service runs it
    beside the jobs; the test adds events and watches the fake server meanwhile."""

    def __init__(self, config: Config, alerts: Alerts) -> None:
        self.said: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(
            run_alerts(config, alerts, self._stop, say=self.said.append),))
        self._thread.start()

    def stop(self) -> None:
        """Set the stop event; the companion must return."""
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(120)
        assert not self._thread.is_alive(), "run_alerts did not return after stop"
        self._loop.close()


def wait_for_messages(api: FakeBotApi, count: int, timeout: float = 120.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while len(api.sent_to(ADMIN)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    sent = api.sent_to(ADMIN)
    assert len(sent) >= count, sent
    return sent


def test_alerts_are_batched_to_the_admin_chat_at_most_once_per_interval(
        api: FakeBotApi) -> None:
    alerts = Alerts()
    alerts.add(AlertKind.SKIPPED, "first.pdf: not a PDF")
    companion = Companion(make_config(api, interval=1.0), alerts)
    first = wait_for_messages(api, 1)[0]  # the first batch goes at once
    assert first == "Kakehashi: 1 alert(s)\n- skipped file: first.pdf: not a PDF"
    for n in range(20):
        alerts.add(AlertKind.FEED, f"https://x.example/{n}: HTTP 500")
        alerts.add(AlertKind.SKIPPED, "a.pdf: not a PDF")
    second = wait_for_messages(api, 2)[1]
    companion.stop()
    sent = api.sent_to(ADMIN)
    assert api.sent_to(PUBLIC) == []  # never the public chat
    assert len(sent) == 3, sent  # 41 events: one batch, not 41 messages
    assert all(f"https://x.example/{n}: HTTP 500" in second for n in range(20))
    assert "- skipped file: a.pdf: not a PDF (x20)" in second
    assert "19 duplicate(s) collapsed" in second
    gap = api.attempt_times[1] - api.attempt_times[0]
    assert gap >= 1.0 - 0.05, gap  # at most one message per interval
    assert sent[-1].startswith("Kakehashi: 1 alert(s)\n- worker stopped: at ")
    assert companion.said == []


def test_without_an_admin_chat_nothing_is_sent(api: FakeBotApi) -> None:
    alerts = Alerts()
    alerts.add(AlertKind.SKIPPED, "a.pdf: not a PDF")
    companion = Companion(make_config(api, admin=""), alerts)
    time.sleep(0.5)
    companion.stop()
    assert api.messages == [] and api.attempts == 0


def test_alerts_that_could_not_be_sent_go_out_later(api: FakeBotApi) -> None:
    alerts = Alerts()
    alerts.add(AlertKind.HELD, "digest #1 part 1 held: uncertain")
    api.script.extend([Fault.error(502, "Bad Gateway"), Fault.error(500, "Internal")])
    api.echo_path = True  # the error descriptions quote the URL, token and all
    companion = Companion(make_config(api, interval=0.3), alerts)
    first = wait_for_messages(api, 1)[0]
    companion.stop()
    assert first == "Kakehashi: 1 alert(s)\n- held: digest #1 part 1 held: uncertain"
    assert api.attempts == 4  # two failures, the batch, the stop
    gaps = [b - a for a, b in itertools.pairwise(api.attempt_times[:3])]
    assert all(gap >= 0.3 - 0.05 for gap in gaps), gaps  # retried once per interval
    said = companion.said
    assert len(said) == 2 and all("trying again later" in line for line in said)
    assert all("<TELEGRAM_BOT_TOKEN>" in line for line in said)
    assert all(api.token not in line and "secret" not in line for line in [*said, first])


def test_a_stopping_worker_is_told_even_when_the_interval_has_not_passed(
        api: FakeBotApi) -> None:
    alerts = Alerts()
    alerts.add(AlertKind.GLOSSARY, "a.txt: terms not rendered")
    companion = Companion(make_config(api, interval=600), alerts)
    wait_for_messages(api, 1)
    alerts.add(AlertKind.SKIPPED, "late.pdf: broken")
    time.sleep(1.2)
    assert len(api.sent_to(ADMIN)) == 1  # the interval holds the late one back
    companion.stop()  # a wait for the 600 s interval would outlast its 120 s join
    sent = api.sent_to(ADMIN)
    assert len(sent) == 2 and "a.txt" in sent[0]
    assert "late.pdf: broken" in sent[1] and "worker stopped" in sent[1]
