"""The jobs themselves: synchronous, run one at a time on the service's worker thread.

Each job takes the state-file lock (other processes wait, as with `once`), opens the store,
ingests what its request names, then publishes a digest (immediate mode, a digest time,
`digest_now`, a missed digest time) or only delivers messages already queued. With a
delivery lane (bot/service/lane.py) a job sends nothing to Telegram: it queues, the lane sends.

On a shared PostgreSQL state there is no job lock: a job reads what it can claim, and only
the worker that publishes (bot/run/wiring.py) goes on to digests and delivery; it also
publishes, at each look at the shared state, what the other workers read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from bot.config import Config, editions_of
from bot.core.editions import Edition
from bot.run.job import Ingest, IngestReport
from bot.run.report import report_lines
from bot.run.wiring import Wiring
from bot.run.worker import RunReport, deliver, ingest_new, publish, report_of
from bot.service.clock import catch_up_after, catch_ups, on_arrival
from bot.service.requests import Request
from bot.state.store import Store

Say = Callable[[str], None]


class JobRunner:
    """Runs requests; `stopping` is checked between items (documents, feed entries, messages)."""

    def __init__(self, config: Config, use_cache: bool, say: Say,
                 stopping: threading.Event, telegram: bool = True) -> None:
        # The model and the folder are checked here, at the service's start, not at each job.
        self.wiring = Wiring(config, use_cache, say, stopping.is_set, command="run")
        self._publishing = False  # on a shared state: this worker publishes
        self._entries_seen = -1  # on a shared state: entries on record at the last digest
        self.say = say
        self.stopping = stopping
        # False when the delivery lane sends to Telegram: a job then only queues messages.
        self.telegram = telegram

    @property
    def config(self) -> Config:
        return self.wiring.config

    def use(self, config: Config) -> None:
        """Run the next jobs with `config` (a reload, between jobs)."""
        self.wiring.use(config)

    def run(self, request: Request) -> RunReport:
        """Do what `request` asks, under the state-file lock; say what was done."""
        with self.wiring.open() as wired:
            job = Ingest(wired.config, wired.store, wired.glossary, wired.translator,
                         datetime.now(UTC), self.say, self.stopping.is_set)
            report = wired.counted(self._run(request, job))
        for line in job_lines(report, request, wired.config):
            self.say(line)
        return report

    def _run(self, request: Request, job: Ingest) -> RunReport:
        config, store = job.config, job.store
        waiting = store.counts().pending
        ingested = IngestReport()
        if request.folder or request.feeds:
            feeds = tuple(url for url in config.sources.feeds if url in request.feeds)
            ingested = ingest_new(job, request.folder, feeds)
        stop = self.stopping.is_set
        if stop():
            return report_of(ingested, store)
        if config.paths.database:
            if not self.wiring.publishes():
                self._publishing = False
                return report_of(ingested, store)  # read for the worker that publishes
            request = request.merge(self._as_publisher(request, store, job.now))
        due = {e.name for e in editions_of(config) if _due(request, store, e)}
        if due:
            digest_id, published, outputs = publish(config, store, job.now, self.say, stop,
                                                    self.telegram, lambda e: e.name in due)
            return report_of(ingested, store, digest_id, published, outputs, waiting)
        # Scheduled mode between digest times: messages left queued (a flood wait, a
        # server error) still go out now, not at the next digest time.
        deliver(config, store, self.say, stop, self.telegram)
        return report_of(ingested, store)

    def _as_publisher(self, request: Request, store: Store, now: datetime) -> Request:
        """What the publisher of a shared state does besides `request`: on taking over, the
        catch-ups of a starting worker (a digest time its predecessor missed, what it left
        queued); on each look, a digest of what the other workers read since the last."""
        entries = store.counts().entries
        new, self._entries_seen = entries != self._entries_seen, entries
        if not self._publishing:
            self._publishing = True
            self.say("this worker publishes for the shared state now")
            return on_arrival(self.config, catch_up_after=catch_up_after(self.config, now),
                              catch_up=catch_ups(self.config, now))
        return on_arrival(self.config) if request.shared and new else Request()

    def close(self) -> None:
        """The service is done: leave the shared state (nothing for a state file)."""
        self.wiring.close()


def _due(request: Request, store: Store, edition: Edition) -> bool:
    """Is `edition`'s digest due in this job: asked for, or a digest time missed?"""
    if request.publishes(edition.name):
        return True
    if edition.default:
        return missed_digest(store, request.catch_up_after)
    return any(name == edition.name and missed_edition(store, name, due)
               for name, due in request.catch_up)


def missed_edition(store: Store, edition: str, due: datetime) -> bool:
    """`missed_digest` for a named edition."""
    newest = store.editions().recent_digests(edition, 1)
    return not newest or newest[0].created < due


def missed_digest(store: Store, due: datetime | None) -> bool:
    """Was a digest due at `due` never made (the newest digest is older, or none exists)?"""
    if due is None:
        return False
    newest = store.recent_digests(1)
    return not newest or newest[0].created < due


def job_lines(report: RunReport, request: Request, config: Config) -> list[str]:
    """What a job says (bot.run.report's lines); a feed poll that found nothing says nothing."""
    if request.feeds and not request.folder and not (
            report.new_documents or report.skipped or report.digest_id is not None):
        return []
    return report_lines(report, config, folder=request.folder,
                        publish=request.publish or report.digest_id is not None)
