"""Admin alerts: what needs an editor's eye, sent to an admin chat in batches.

    anywhere ──Alerts.add(kind, text)──┐
    after each job ──Alerts.note_tick(report | error, StoreState)──┤ (only what is new)
                                       v
    run_alerts (a companion) ──at most one message per telegram.alert_interval_seconds──> admin chat
                             └──"the worker stopped", when the service stops

`tick_events` is the pure middle: what a job did and what the store holds, against what
earlier ticks already told, gives the events to tell now. What a sent batch told is kept in the
state file (bot/chat/told.py), so a restarted worker does not tell it again. Alerts are plain
text (no markup to break), never hold the bot token or a URL's credentials, and never go to
the public chat.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.chat.told import Seen, seen_from_keys
from bot.config import Config, TelegramConfig
from bot.core.editions import DEFAULT_EDITION, edition_of_channel
from bot.core.redact import redact
from bot.state.records import Delivery, DeliveryStatus, EditorCheck, FailingFeed, TermFailure
from bot.state.status import editor_checks
from bot.telegram.api import open_bot
from bot.telegram.flood import flood_wait
from bot.text.urls import without_credentials

if TYPE_CHECKING:
    from bot.run.worker import RunReport
    from bot.state.store import Store



class AlertKind(StrEnum):
    """What an alert is about, as its line names it; a batch lists them in this order."""

    STOPPED = "worker stopped"
    ERROR = "job failed"
    TELEGRAM = "telegram"
    HELD = "held"
    GLOSSARY = "glossary"
    CHECK = "check for editors"
    FEED = "failing feed"
    SKIPPED = "skipped file"
    RECOVERED = "working again"


ORDER = tuple(AlertKind)
MAX_LINES = 30  # per message; the rest is counted, and `kakehashi status` lists it all
MAX_LINE_CHARS = 300
MAX_MESSAGE_CHARS = 4096  # Telegram's limit
Say = Callable[[str], None]


@dataclass(frozen=True)
class Event:
    kind: AlertKind
    text: str


@dataclass(frozen=True)
class StoreState:
    """What the state file holds that an admin should hear about (read by `read_state`)."""

    failing_feeds: tuple[FailingFeed, ...] = ()
    failed_terms: tuple[TermFailure, ...] = ()
    messages: tuple[Delivery, ...] = ()  # held and rejected, of every edition's channel
    checks: tuple[EditorCheck, ...] = ()  # numbers that changed in translation, …
    told: Seen = field(default_factory=Seen)  # what the alerts sent before (any process)


def read_state(store: Store) -> StoreState:
    """The alert-worthy state of an open store: failing feeds, failed terms, held and
    rejected messages, entries with checks for editors."""
    return StoreState(
        tuple(store.feeds().failing()),
        tuple(store.entries_with_failed_terms()),
        tuple(d for d in store.outbox().attention()
              if d.status in (DeliveryStatus.HELD, DeliveryStatus.REJECTED)
              and edition_of_channel(d.channel) is not None),
        tuple(editor_checks(store)),
        seen_from_keys(store.alert_log().told()))


def load_state(path: Path | str) -> StoreState:
    """`read_state` of the state file at `path` (opened and closed here)."""
    from bot.state.store import Store

    store = Store.open(path)
    try:
        return read_state(store)
    finally:
        store.close()


def tick_events(report: RunReport | None, error: str | None, state: StoreState,
                seen: Seen) -> tuple[list[Event], Seen]:
    """The events one job gives (its report or its error line, and the store's state after
    it) that earlier ticks have not told; and what is told from now on."""
    events: list[Event] = []
    for name, reason in report.skipped if report is not None else ():
        if not name.startswith(("http://", "https://")):  # feeds: from the state, below
            events.append(Event(AlertKind.SKIPPED, f"{name}: {reason}"))
    error_key = re.sub(r"\d+", "N", error or "")
    if error and error_key != seen.error:
        kind = AlertKind.TELEGRAM if re.search(r"(^|: )telegram: ", error) else AlertKind.ERROR
        events.append(Event(kind, error))
    elif not error and seen.error:
        events.append(Event(AlertKind.RECOVERED, "the last job worked"))
    feeds = {f.url: f.last_error for f in state.failing_feeds}
    events += [Event(AlertKind.FEED, f"{url}: {feeds[url]}")
               for url in feeds if url not in seen.feeds]
    events += [Event(AlertKind.RECOVERED, f"feed {url}")
               for url in sorted(seen.feeds - set(feeds))]
    events += [_term_event(f) for f in state.failed_terms if f.guid not in seen.terms]
    terms = {f.guid for f in state.failed_terms}  # told above, as glossary events
    checks = {c.guid: c for c in state.checks if c.guid not in terms}
    events += [Event(AlertKind.CHECK, f"{c.document}: {c.notes}")
               for guid, c in checks.items() if guid not in seen.checks]
    messages = {(m.channel, m.digest_id, m.part, str(m.status)): m for m in state.messages}
    events += [_message_event(m) for key, m in messages.items() if key not in seen.messages]
    return events, Seen(frozenset(feeds), frozenset(terms), frozenset(messages), error_key,
                        frozenset(checks))


def _term_event(failure: TermFailure) -> Event:
    said = f"glossary terms not rendered as agreed: {failure.terms}"
    if failure.held:
        return Event(AlertKind.HELD, f"entry of {failure.document} held: {said}")
    return Event(AlertKind.GLOSSARY, f"{failure.document}: {said}")


def _message_event(m: Delivery) -> Event:
    """A held or rejected message; one of a named edition says which (its digest numbers
    are its own), the default edition's reads as a single-channel worker's always did."""
    kind = AlertKind.HELD if m.status == DeliveryStatus.HELD else AlertKind.TELEGRAM
    edition = edition_of_channel(m.channel)
    where = "" if edition in (None, DEFAULT_EDITION) else f"edition {edition}: "
    return Event(kind, f"{where}digest #{m.digest_id} part {m.part} {m.status}: {m.detail}")


def format_batch(events: list[Event], dropped: int, token: str) -> str:
    """One plain-text message: events grouped by kind, duplicates collapsed with a count,
    what does not fit counted; the token redacted."""
    counts: dict[Event, int] = {}
    for event in events:
        counts[event] = counts.get(event, 0) + 1
    ordered = sorted(counts, key=lambda e: ORDER.index(e.kind))
    lines = [f"Kakehashi: {len(events)} alert(s)"]
    shown = 0
    for event in ordered[:MAX_LINES]:
        times = f" (x{counts[event]})" if counts[event] > 1 else ""
        line = f"- {event.kind}: {event.text}"[:MAX_LINE_CHARS] + times
        if sum(len(x) + 1 for x in lines) + len(line) + 120 > MAX_MESSAGE_CHARS:
            break
        lines.append(line)
        shown += 1
    notes = []
    if len(ordered) > shown:
        notes.append(f"{len(ordered) - shown} more not shown")
    if len(events) > len(counts):
        notes.append(f"{len(events) - len(counts)} duplicate(s) collapsed")
    if dropped:
        notes.append(f"{dropped} dropped while alerts could not be sent")
    if notes:
        lines.append(f"({'; '.join(notes)}: see kakehashi status)")
    return redact(without_credentials("\n".join(lines)), token)


@dataclass
class Alerts:
    """Thread-safe collector of alert events, drained by `run_alerts`."""

    capacity: int = 1000  # events kept while they cannot be sent; the rest only counted
    _events: list[Event] = field(default_factory=list)
    _dropped: int = 0
    _seen: Seen | None = None  # None until the first tick reads what was told before
    _taken: Seen | None = None  # what the events last taken tell, with those before them
    _sent: Seen | None = None  # what the batches sent so far have told
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: AlertKind, text: str) -> None:
        """Queue one event (from any thread)."""
        with self._lock:
            self._keep([Event(kind, text)])

    def note_tick(self, report: RunReport | None, error: str | None,
                  state: StoreState) -> None:
        """Queue what a job did that is new since the last tick (see `tick_events`)."""
        with self._lock:
            seen = state.told if self._seen is None else self._seen
            events, self._seen = tick_events(report, error, state, seen)
            self._keep(events)

    def take(self) -> tuple[list[Event], int]:
        """Every queued event and the count of those dropped, leaving none."""
        with self._lock:
            taken, dropped = self._events, self._dropped
            self._events, self._dropped, self._taken = [], 0, self._seen
        return taken, dropped

    def mark_sent(self) -> None:
        """The events last taken were sent (or refused for good): they count as told."""
        with self._lock:
            self._sent = self._taken or self._sent

    def told(self) -> Seen | None:
        """What the batches sent so far have told (None before the first tick's batch)."""
        with self._lock:
            return self._sent

    def give_back(self, events: list[Event], dropped: int) -> None:
        """Events that could not be sent go back to the front, for the next try."""
        with self._lock:
            waiting, self._events = self._events, []
            self._dropped += dropped
            self._keep(events + waiting)

    def waiting(self) -> bool:
        with self._lock:
            return bool(self._events or self._dropped)

    def _keep(self, events: list[Event]) -> None:
        room = max(0, self.capacity - len(self._events))
        self._events.extend(events[:room])
        self._dropped += len(events) - min(room, len(events))


async def run_alerts(config: Config, alerts: Alerts, stop: asyncio.Event, *,
                     say: Say = lambda _: None, limiter: Any = None,
                     save: Callable[[Seen], None] | None = None) -> None:
    """A companion: send batched alerts to the admin chat until `stop` is set, then a last
    one saying the worker stopped. Does nothing without a token and an admin chat. After a
    batch is sent, `save` records what has been told (so a restart does not tell it again)."""
    telegram = config.telegram
    if not (telegram.token and telegram.alert_chat_id) or (
            telegram.alert_chat_id == telegram.chat_id):  # never the public chat
        await stop.wait()
        return
    bot = open_bot(telegram, limiter)
    interval, next_send = telegram.alert_interval_seconds, 0.0
    saved: list[Seen | None] = [None]

    async def record() -> None:
        told = alerts.told()
        if save is not None and told is not None and told != saved[0]:
            await asyncio.to_thread(save, told)  # the state file may be busy with a job
            saved[0] = told

    try:
        while not stop.is_set():
            if alerts.waiting() and time.monotonic() >= next_send:
                pause = await _flush(bot, telegram, alerts, say)
                await record()
                next_send = time.monotonic() + max(interval, pause)
            with suppress(TimeoutError):  # events come from other threads: look each second
                await asyncio.wait_for(stop.wait(), min(1.0, interval))
        alerts.add(AlertKind.STOPPED, f"at {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        with suppress(TimeoutError):  # a stopping service does not wait long
            await asyncio.wait_for(_flush(bot, telegram, alerts, say), 15)
        await record()
    finally:
        with suppress(Exception):
            await bot.shutdown()


async def _flush(bot: Any, telegram: TelegramConfig, alerts: Alerts, say: Say) -> float:
    """Send what has gathered as one message; on failure keep it for the next try. Returns
    the pause Telegram asked for (0 if none)."""
    from telegram.error import BadRequest, RetryAfter, TelegramError

    events, dropped = alerts.take()
    if not events and not dropped:
        return 0.0
    try:
        await bot.initialize()  # at once when done; retried here when it failed before
        await bot.send_message(telegram.alert_chat_id,
                               format_batch(events, dropped, telegram.token))
        alerts.mark_sent()
    except BadRequest as exc:  # this batch can never go: say so, do not retry it
        alerts.mark_sent()
        say(redact(f"alerts: Telegram refused an alert message: {exc.message}",
                   telegram.token))
    except TelegramError as exc:
        alerts.give_back(events, dropped)
        say(redact(f"alerts: could not send to the admin chat ({type(exc).__name__}: "
                   f"{exc}); trying again later", telegram.token))
        if isinstance(exc, RetryAfter):
            return flood_wait(exc)
    return 0.0
