"""What `run` tells a monitoring system: /healthz (is the worker working?) and /metrics
(Prometheus text format, from a registry of this service's own: several services in one
process, as in tests, never share counters), served with --serve; the same judgement
decides systemd's watchdog pings (bot/service/sdnotify.py).

Healthy: the scheduler runs and a job finished within the bound (serve.health_minutes, or
the larger of 15 min and 3x the longest job interval). Every rescan and feed poll ends in a
job, so a longer silence means the worker is stuck or its triggers stopped. A job that
failed still counts as finished: the worker is alive, and the body says what failed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.config import Config
from bot.config.editions import editions_of
from bot.core.errors import KakehashiError
from bot.service.requests import TickResult
from bot.state.records import DeliveryStatus
from bot.state.store import Store

Now = Callable[[], float]
STATUSES = tuple(DeliveryStatus)  # every one on /metrics, 0 included


class Scheduled(Protocol):
    """The part of the service the monitor reads."""

    def scheduler_state(self) -> str: ...


@dataclass(frozen=True)
class Health:
    """An answer for /healthz: 200 when ok, else 503; `text` is the body."""

    ok: bool
    text: str


def health_bound(config: Config) -> float:
    """Seconds without a finished job after which the worker is unhealthy."""
    if config.serve.health_minutes > 0:
        return config.serve.health_minutes * 60
    sources = config.sources
    longest = max([config.schedule.interval_minutes,
                   *(sources.interval_of(url) for url in sources.feeds)])
    return max(15.0, 3 * longest) * 60


class Monitor:
    """Counts what each job did (`on_tick`) and answers /healthz and /metrics."""

    def __init__(self, config: Config, now: Now = time.time) -> None:
        self.config = config
        self._now = now
        self._bound = health_bound(config)
        self._since = now()  # a worker that has not finished a job yet is judged from here
        self._service: Scheduled | None = None
        self._last: TickResult | None = None
        self._lock = threading.Lock()  # on_tick (event loop) against scrapes (server threads)
        self.registry = CollectorRegistry()
        r = self.registry
        self._jobs = Counter("kakehashi_jobs", "Jobs finished, by outcome", ["outcome"],
                             registry=r)
        self._documents = Counter("kakehashi_documents", "Documents read or skipped",
                                  ["result"], registry=r)
        self._entries = Counter("kakehashi_entries_translated", "Entries translated",
                                registry=r)
        self._sentences = Counter("kakehashi_sentences_translated", "Sentences translated, "
                                  "by the model or from the translation memory", ["source"],
                                  registry=r)
        self._published = Counter("kakehashi_articles_published", "Articles in digests",
                                  registry=r)
        self._last_ok = Gauge("kakehashi_last_success_timestamp_seconds",
                              "When the last job that did not fail finished", registry=r)
        self._failing = Gauge("kakehashi_feeds_failing", "Feeds whose last poll failed",
                              registry=r)
        self._messages = Gauge("kakehashi_messages", "Telegram messages in the outbox, by "
                               "edition and status (sent, rejected, held, pending, sending)",
                               ["edition", "status"], registry=r)
        self._editions: set[str] = set()  # those with series, to drop one a reload removed
        up = Gauge("kakehashi_scheduler_up", "1 while the scheduler runs", registry=r)
        up.set_function(lambda: float(self._state() == "running"))
        for outcome in ("ok", "failed"):
            self._jobs.labels(outcome)
        for result in ("read", "skipped"):
            self._documents.labels(result)
        for source in ("model", "memory"):
            self._sentences.labels(source)

    def use(self, config: Config) -> None:
        """A reloaded configuration (SIGHUP): its health bound holds from now on."""
        self.config = config
        self._bound = health_bound(config)

    def attach(self, service: Scheduled) -> None:
        """Judge this service's scheduler from now on."""
        self._service = service

    def on_tick(self, result: TickResult) -> None:
        """Count what one job did, then read the state file's standing numbers."""
        with self._lock:
            self._last = result
        self._jobs.labels("failed" if result.error else "ok").inc()
        report = result.report
        if report is not None:
            self._documents.labels("read").inc(report.new_documents)
            self._documents.labels("skipped").inc(len(report.skipped))
            self._entries.inc(report.entries)
            self._published.inc(report.published)
            self._sentences.labels("model").inc(report.by_model)
            self._sentences.labels("memory").inc(report.from_memory)
        if not result.error:
            self._last_ok.set(result.finished.timestamp())
        self._read_state()

    def health(self) -> Health:
        """Whether the worker is working, in a line or two."""
        state = self._state()
        if state == "stopped":
            return Health(False, "unhealthy: the scheduler has stopped\n")
        with self._lock:
            last = self._last
        since = last.finished.timestamp() if last is not None else self._since
        idle = self._now() - since
        if idle > self._bound:
            return Health(False, f"unhealthy: no job finished for {idle / 60:.1f} min "
                          f"(bound {self._bound / 60:g} min)\n")
        if last is None:
            return Health(True, f"ok: {state}, no job finished yet\n")
        line = f"ok: last job ({last.what}) finished {last.finished:%Y-%m-%dT%H:%M:%SZ}"
        return Health(True, line + (f"; it failed: {last.error}\n" if last.error else "\n"))

    def metrics(self) -> tuple[bytes, str]:
        """The registry in the Prometheus text format, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def _state(self) -> str:
        return "starting" if self._service is None else self._service.scheduler_state()

    def _read_state(self) -> None:
        try:
            store = Store.open_read_only(self.config.paths.store, older=True)
        except (KakehashiError, sqlite3.Error):
            return  # nothing written yet: the numbers stay as they were
        try:
            self._failing.set(len(store.feeds().failing()))
            self._count_messages(store)
        except sqlite3.Error:
            pass  # an older schema, or a moment's lock: read again after the next job
        finally:
            store.close()

    def _count_messages(self, store: Store) -> None:
        """Each edition's messages by status, every status (0 included: one that emptied
        must not keep its last count); an edition no longer configured loses its series."""
        editions = editions_of(self.config)
        for edition in editions:
            counts = store.outbox().status_counts(edition.channel)
            for status in dict.fromkeys((*STATUSES, *counts)):
                self._messages.labels(edition.name, status).set(counts.get(status, 0))
        names = {edition.name for edition in editions}
        for gone in self._editions - names:
            for status in STATUSES:
                with suppress(KeyError):
                    self._messages.remove(gone, status)
        self._editions = names
