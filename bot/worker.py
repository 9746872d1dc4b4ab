"""One run of the whole job (ingest → entries → digest → publish) and the scheduler around it.

What is pending is always read from the store, so a restart or a missed tick catches up from
the store; the scheduler only decides when.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Config
from bot.digest import build_digest
from bot.glossary import Glossary
from bot.ingest import Ingest, IngestReport, Progress, ingest_feeds, ingest_folder
from bot.publish.preview import write_preview
from bot.publish.rss import write_feed
from bot.publish.telegram import send_messages
from bot.render import render_telegram
from bot.store import Store
from bot.translate.engine import Translator

TELEGRAM = "telegram"


@dataclass(frozen=True)
class RunReport:
    """What one run did, for the CLI to print."""

    new_documents: int = 0
    entries: int = 0
    skipped: tuple[tuple[str, str], ...] = ()
    digest_id: int | None = None
    outputs: tuple[Path, ...] = field(default=())


def run_once(
    config: Config, store: Store, glossary: Glossary, translator: Translator,
    now: datetime | None = None, progress: Progress = lambda _: None,
) -> RunReport:
    """Process everything new in the sources, then publish one digest of what is pending."""
    job = Ingest(config, store, glossary, translator, now or datetime.now(UTC), progress)
    ingested = IngestReport()
    ingest_folder(job, ingested)
    ingest_feeds(job, ingested)
    digest_id, outputs = _publish(config, store, job.now, progress)
    return RunReport(ingested.new_documents, ingested.entries, tuple(ingested.skipped),
                     digest_id, tuple(outputs))


def _publish(
    config: Config, store: Store, now: datetime, progress: Progress
) -> tuple[int | None, list[Path]]:
    outputs: list[Path] = []
    digest_id = None
    pending = store.pending_entries()
    if pending:
        with store.transaction():
            digest_id = store.create_digest(now, [e.guid for e in pending])
            digest = build_digest(digest_id, pending, now)
            store.queue_deliveries(digest_id, TELEGRAM, render_telegram(digest))
    feed = write_feed(config.paths.out, store.recent_entries(config.feed.max_items),
                      config.feed, now)
    if feed is not None:
        outputs.append(feed)
    outputs.extend(_deliver_telegram(config, store, progress))
    return digest_id, outputs


def _deliver_telegram(config: Config, store: Store, progress: Progress) -> list[Path]:
    """Drain the outbox: to Telegram with a token, else to preview files."""
    queued = store.undelivered(TELEGRAM)
    if not queued:
        return []
    if not config.telegram.token:
        paths = []
        for digest_id, part, body in queued:
            paths.append(write_preview(config.paths.out, body))
            store.mark_delivery(digest_id, TELEGRAM, part, "preview", str(paths[-1]))
        return paths
    progress(f"sending {len(queued)} message(s) to Telegram")

    def record(index: int, status: str, detail: str) -> None:
        digest_id, part, _ = queued[index]
        store.mark_delivery(digest_id, TELEGRAM, part, status, detail)
        if detail:
            progress(f"telegram refused message {part} of digest #{digest_id}: {detail}")

    send_messages(config.telegram, [body for _, _, body in queued], record)
    return []


def run_forever(job: Callable[[], None], interval_minutes: float) -> None:
    """Run `job` now and then every interval until interrupted (Ctrl-C or SIGTERM)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=UTC)
    # A service manager stops us with SIGTERM: finish cleanly, as with Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    # A late tick still runs (grace = one interval); overlapping ticks merge into one.
    scheduler.add_job(job, "interval", minutes=interval_minutes, next_run_time=datetime.now(
        UTC), misfire_grace_time=int(interval_minutes * 60), coalesce=True,
        max_instances=1)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
