"""One run of the whole job: ingest (sources → entries), then publish (entries → digest →
outputs). `once` runs both; the service (bot/service) runs each when its triggers say, and
leaves Telegram to its delivery lane (bot/service/lane.py) so that the feed never waits.

What is pending is always read from the store, so a restart or a missed trigger catches up
from the store; the scheduler only decides when.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Config
from bot.core.channels import TELEGRAM
from bot.core.errors import PublishError
from bot.glossary import Glossary
from bot.publish.files import remove_stale_temps
from bot.publish.preview import PREVIEW_DIR, find_preview, write_preview
from bot.publish.render import public_site, render_telegram
from bot.publish.rss import write_feed
from bot.publish.search import update_search
from bot.publish.telegram import UNCERTAIN, Outcome, send_messages
from bot.publish.web import INDEX_NAME, WEB_DIRS, write_web
from bot.run.digest import build_digest
from bot.run.ingest import Ingest, IngestReport, Progress, ingest_sources
from bot.state.outbox import Outbox
from bot.state.records import DeliveryStatus, Message
from bot.state.sendlock import SendLock
from bot.state.store import Store
from bot.translate.memory import CachedTranslator
from bot.translate.translator import Translator

UNCERTAIN_DETAIL = "uncertain: may have arrived"
Stop = Callable[[], bool]


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


def run_once(
    config: Config, store: Store, glossary: Glossary, translator: Translator,
    now: datetime | None = None, progress: Progress = lambda _: None,
) -> RunReport:
    """Process everything new in the sources, then publish one digest of what is pending."""
    now = now or datetime.now(UTC)
    waiting = store.counts().pending
    ingested = ingest_new(Ingest(config, store, glossary, translator, now, progress))
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
                     store.counts().held)


def with_sentences(report: RunReport, translator: Translator) -> RunReport:
    """`report` with what the translation memory counted during the job (for /metrics)."""
    if not isinstance(translator, CachedTranslator):
        return report
    return replace(report, by_model=translator.misses, from_memory=translator.hits)


def publish(
    config: Config, store: Store, now: datetime, progress: Progress, stop: Stop = lambda: False,
    telegram: bool = True,
) -> tuple[int | None, int, list[Path]]:
    """The publish part: one digest of what is pending (its id and size), the feed and
    archive, then the outbox drained (up to the message in hand when `stop()` turns true;
    without `telegram`, Telegram's messages are left queued for the delivery lane)."""
    outputs: list[Path] = []
    digest_id = None
    # The job lock is held: a temp file of ours in OUT is a leftover of a killed run.
    for name in ("", PREVIEW_DIR, *WEB_DIRS):
        remove_stale_temps(config.paths.out / name)
    pending = store.pending_entries()
    if pending:
        with store.transaction():
            digest_id = store.create_digest(now, [e.guid for e in pending])
            digest = build_digest(digest_id, pending, now)
            store.outbox().queue(digest_id, TELEGRAM, render_telegram(
                digest, site=public_site(config.feed.site_url),
                show_checks=config.digest.show_checks))
    # The feed and the archive show the same digests, in the same order.
    recent = store.recent_digests(config.feed.max_items)
    checks = config.digest.show_checks
    feed = write_feed(config.paths.out, recent, config.feed, now, show_checks=checks)
    if feed is not None:
        outputs.append(feed)
    # The archive's pages: named by the index alone, which any change reaches.
    if write_web(config.paths.out, recent, config.feed, show_checks=checks):
        outputs.append(config.paths.out / INDEX_NAME)
    # Its search index, rebuilt when an article page changed; without it, a warning only.
    if searched := update_search(config.paths.out, config.paths.pagefind):
        progress(searched)
    outputs.extend(deliver(config, store, progress, stop, telegram))
    return digest_id, len(pending), outputs


def deliver(config: Config, store: Store, progress: Progress,
            stop: Stop = lambda: False, telegram: bool = True) -> list[Path]:
    """Drain the outbox one claimed message at a time: to Telegram, or to preview files.
    Nothing more is claimed once `stop()` is true; what is left stays pending. Without
    `telegram` the messages for Telegram are left queued (the service's delivery lane,
    bot/service/lane.py, sends them); previews are written all the same."""
    if config.telegram.token and not telegram:
        return []
    outbox = store.outbox()
    with SendLock(store.path, stop) as lock:
        if not lock.acquire():
            return []
        if not config.telegram.token:
            _settle_previews(config.paths.out, outbox)
        _settle_uncertain(outbox, config.telegram.uncertain, progress)
        queued = outbox.pending(TELEGRAM)
        if not queued:
            return []
        owner = f"pid {os.getpid()}"
        if not config.telegram.token:
            return _write_previews(config.paths.out, outbox, owner, stop)
        lock.release()
        wait = outbox.flood_wait_until(TELEGRAM) - time.time()
        if wait > 0:
            progress(f"warning: telegram asked us to wait: {len(queued)} message(s) stay "
                     f"queued for another {wait:.0f} s")
            return []
        progress(f"sending {len(queued)} message(s) to Telegram")
        claims = _Claims(lock, outbox, owner, config.telegram.uncertain, progress, stop)
        send_messages(config.telegram, claims.claim, claims.record, progress)
    return []


@dataclass(frozen=True)
class _Claims:
    """Each message claimed and recorded under the send lock (bot/state/sendlock.py), which
    is let go in between: a message found `sending` then was left by a sender that stopped."""

    lock: SendLock
    outbox: Outbox
    owner: str
    policy: str  # telegram.uncertain
    progress: Progress
    stop: Stop

    def claim(self) -> Message | None:
        if self.stop() or not self.lock.acquire():
            return None
        _settle_uncertain(self.outbox, self.policy, self.progress)
        message = self.outbox.claim_next(TELEGRAM, self.owner, datetime.now(UTC))
        if message is None:
            self.lock.release()
        return message

    def record(self, message: Message, outcome: Outcome) -> None:
        try:
            self._record(message, outcome)
        finally:
            self.lock.release()

    def _record(self, message: Message, outcome: Outcome) -> None:
        where = f"message {message.part} of digest #{message.digest_id}"
        if outcome.status == UNCERTAIN:
            self.progress(f"warning: telegram: {where} may or may not have arrived: "
                          f"{outcome.detail}")
            _settle_one(self.outbox, message, self.policy, outcome.detail)
            return
        done = outcome.status in (DeliveryStatus.SENT, DeliveryStatus.REJECTED)
        status = DeliveryStatus(outcome.status) if done else DeliveryStatus.PENDING
        self.outbox.record(message, TELEGRAM, status, outcome.detail, outcome.not_before)
        if outcome.status == DeliveryStatus.REJECTED:
            self.progress(f"warning: telegram refused {where}: {outcome.detail}")


def _write_previews(out: Path, outbox: Outbox, owner: str, stop: Stop) -> list[Path]:
    paths = []
    while not stop() and (message := outbox.claim_next(TELEGRAM, owner,
                                                       datetime.now(UTC))) is not None:
        try:
            paths.append(write_preview(out, message.body))
        except PublishError:
            # Nothing was written: not uncertain.
            outbox.record(message, TELEGRAM, DeliveryStatus.PENDING)
            raise
        outbox.record(message, TELEGRAM, DeliveryStatus.PREVIEW, str(paths[-1]))
    return paths


def _settle_previews(out: Path, outbox: Outbox) -> None:
    """Previews a stopped process left claimed: done if the page landed, else written again."""
    for message in outbox.claimed(TELEGRAM):
        path = find_preview(out, message.body)
        outbox.record(message, TELEGRAM,
                      DeliveryStatus.PREVIEW if path else DeliveryStatus.PENDING, str(path or ""))


def _settle_uncertain(outbox: Outbox, policy: str, progress: Progress) -> None:
    """Messages a stopped process left claimed: resend them or hold them, as configured."""
    for delivery in outbox.uncertain(TELEGRAM):
        progress(f"warning: telegram: message {delivery.part} of digest #{delivery.digest_id}"
                 f" may or may not have arrived ({delivery.claimed_by} stopped while sending it at "
                 f"{delivery.claimed_at[:19]}); telegram.uncertain = {policy}")
    outbox.settle_uncertain(TELEGRAM, _uncertain_status(policy), UNCERTAIN_DETAIL)


def _settle_one(outbox: Outbox, message: Message, policy: str, why: str) -> None:
    outbox.record(message, TELEGRAM, _uncertain_status(policy), f"{UNCERTAIN_DETAIL}: {why}")


def _uncertain_status(policy: str) -> DeliveryStatus:
    """Where a message that may have arrived goes under `telegram.uncertain = policy`."""
    return DeliveryStatus.HELD if policy == "hold" else DeliveryStatus.PENDING
