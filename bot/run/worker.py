"""One run of the whole job: ingest (sources → entries), then publish (entries → digest →
outputs). `once` runs both; the service (bot/service) runs each when its triggers say, and
leaves Telegram to its delivery lane (bot/service/lane.py) so that the feed never waits.

What is pending is always read from the store, so a restart or a missed trigger catches up
from the store; the scheduler only decides when.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Config, editions_of
from bot.core.editions import DEFAULT_EDITION, Edition
from bot.glossary import Glossary
from bot.run.delivery import UNCERTAIN_DETAIL, deliver
from bot.run.editions import make_digest, remove_temps, write_outputs
from bot.run.ingest import ingest_sources
from bot.run.job import Ingest, IngestReport, Progress
from bot.state.store import Store
from bot.translate.memory import CachedTranslator
from bot.translate.translator import Translator

Stop = Callable[[], bool]
Due = Callable[[Edition], bool]  # is this edition's digest due in this publish?
__all__ = ["UNCERTAIN_DETAIL", "RunReport", "deliver", "publish", "run_once"]


@dataclass(frozen=True)
class RunReport:
    """What one run did, for the CLI to print."""

    new_documents: int = 0
    entries: int = 0
    skipped: tuple[tuple[str, str], ...] = ()
    digest_id: int | None = None
    outputs: tuple[Path, ...] = field(default=())
    # New files left for a later look (still being written, or a stop came first).
    unsettled: int = 0
    published: int = 0  # articles in the digest
    waiting: int = 0  # articles pending before the run began (released ones, say)
    held: int = 0  # articles held back by glossary.strict after the run, awaiting release
    # Sentences the model translated and those the translation memory already held (both 0
    # when translation.cache is off: nothing counts them then).
    by_model: int = 0
    from_memory: int = 0
    elsewhere: int = 0  # new files whose text another worker of a shared state is reading


def run_once(
    config: Config, store: Store, glossary: Glossary, translator: Translator,
    now: datetime | None = None, progress: Progress = lambda _: None,
    publishes: Callable[[], bool] = lambda: True,
) -> RunReport:
    """Process everything new in the sources, then publish one digest of what is pending
    (unless `publishes()` says another worker of a shared state does: bot/run/wiring.py)."""
    now = now or datetime.now(UTC)
    waiting = store.counts().pending
    ingested = ingest_new(Ingest(config, store, glossary, translator, now, progress))
    if not publishes():
        return report_of(ingested, store, waiting=waiting)
    digest_id, published, outputs = publish(config, store, now, progress)
    return report_of(ingested, store, digest_id, published, outputs, waiting)


def ingest_new(job: Ingest, folder: bool = True,
               feeds: tuple[str, ...] | None = None) -> IngestReport:
    """The ingest part: what is new in the folder and the feeds (None: all) becomes entries."""
    ingested = IngestReport()
    ingest_sources(job, ingested, folder=folder, feeds=feeds)
    return ingested


def report_of(ingested: IngestReport, store: Store, digest_id: int | None = None,
              published: int = 0, outputs: list[Path] | None = None,
              waiting: int = 0) -> RunReport:
    """The RunReport of an ingest and (if any) a publish; `waiting`: articles pending before."""
    return RunReport(ingested.new_documents, ingested.entries, tuple(ingested.skipped),
                     digest_id, tuple(outputs or ()), ingested.unsettled, published, waiting,
                     store.counts().held, elsewhere=ingested.elsewhere)


def with_sentences(report: RunReport, translator: Translator) -> RunReport:
    """`report` with what the translation memory counted during the job (for /metrics)."""
    if not isinstance(translator, CachedTranslator):
        return report
    return replace(report, by_model=translator.misses, from_memory=translator.hits)


def publish(
    config: Config, store: Store, now: datetime, progress: Progress, stop: Stop = lambda: False,
    telegram: bool = True, due: Due = lambda _: True,
) -> tuple[int | None, int, list[Path]]:
    """The publish part: for each edition that is `due`, one digest of what it has pending
    (the default edition's number and size are returned, else the first other's), then every
    edition's feed and archive, then the outbox drained (up to the message in hand when
    `stop()` turns true; without `telegram`, Telegram's messages are left queued for the
    delivery lane)."""
    editions = editions_of(config)
    # The job lock is held: a temp file of ours in OUT is a leftover of a killed run.
    for edition in editions:
        remove_temps(config, edition)
    made = [make_digest(config, store, edition, now) for edition in editions if due(edition)]
    for done in made:
        if done.digest_id is not None and done.edition != DEFAULT_EDITION:
            progress(f"edition {done.edition}: digest #{done.digest_id} with {done.articles}"
                     " article(s)")
    # The feeds and the archives show the same digests, in the same order.
    outputs: list[Path] = []
    for edition in editions:
        written, searched = write_outputs(config, store, edition, now)
        outputs += written
        if searched:
            progress(searched)
    outputs.extend(deliver(config, store, progress, stop, telegram))
    first = next((done for done in made if done.digest_id is not None), None)
    return (first.digest_id, first.articles, outputs) if first else (None, 0, outputs)
