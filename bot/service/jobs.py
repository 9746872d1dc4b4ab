"""The jobs themselves: synchronous, run one at a time on the service's worker thread.

Each job takes the state-file lock (other processes wait, as with `once`), opens the store,
ingests what its request names, then publishes a digest (immediate mode, a digest time,
`digest_now`, a missed digest time) or only delivers messages already queued.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from bot.config import Config
from bot.glossary import glossary_for
from bot.run.ingest import Ingest, IngestReport
from bot.run.report import report_lines
from bot.run.worker import RunReport, deliver, ingest_new, publish, report_of, with_sentences
from bot.service.requests import Request
from bot.state.lock import hold_state_lock
from bot.state.store import Store
from bot.translate.engine import CTranslate2Translator
from bot.translate.memory import CachedTranslator
from bot.translate.packages import find_package
from bot.translate.translator import Translator

Say = Callable[[str], None]


class JobRunner:
    """Runs requests; `stopping` is checked between items (documents, feed entries, messages)."""

    def __init__(self, config: Config, use_cache: bool, say: Say,
                 stopping: threading.Event) -> None:
        self.config = config
        self.use_cache = use_cache
        self.say = say
        self.stopping = stopping
        self._engine: Translator | None = None  # loaded once, on the first job

    def use(self, config: Config) -> None:
        """Run the next jobs with `config` (a reload, between jobs)."""
        if config.translation != self.config.translation:
            self._engine = None  # loaded again, with the new settings, by the next job
        self.config = config

    def run(self, request: Request) -> RunReport:
        """Do what `request` asks, under the state-file lock; say what was done."""
        config = self.config
        # Read for each job: an edited glossary applies from the next drop on.
        glossary = glossary_for(config)
        with hold_state_lock(config.paths.state, config.schedule.lock_wait_seconds, self.say,
                             self.stopping.is_set):
            store = Store.open(config.paths.state)
            try:
                translator = self._translator(store)
                job = Ingest(config, store, glossary, translator, datetime.now(UTC), self.say,
                             self.stopping.is_set)
                report = with_sentences(self._run(request, job), translator)
            finally:
                store.close()
        for line in job_lines(report, request, config):
            self.say(line)
        return report

    def _run(self, request: Request, job: Ingest) -> RunReport:
        store = job.store
        waiting = store.counts().pending
        ingested = IngestReport()
        if request.folder or request.feeds:
            feeds = tuple(url for url in self.config.sources.feeds if url in request.feeds)
            ingested = ingest_new(job, request.folder, feeds)
        stop = self.stopping.is_set
        if stop():
            return report_of(ingested, store)
        if request.publish or missed_digest(store, request.catch_up_after):
            digest_id, published, outputs = publish(self.config, store, job.now, self.say, stop)
            return report_of(ingested, store, digest_id, published, outputs, waiting)
        # Scheduled mode between digest times: messages left queued (a flood wait, a
        # server error) still go out now, not at the next digest time.
        deliver(self.config, store, self.say, stop)
        return report_of(ingested, store)

    def _translator(self, store: Store) -> Translator:
        t = self.config.translation
        if self._engine is None:
            self._engine = CTranslate2Translator(find_package(t.from_code, t.to_code), t)
        if self.use_cache and t.cache:
            return CachedTranslator(self._engine, store)
        return self._engine


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
