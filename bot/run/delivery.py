"""The outbox drained: each edition's Telegram messages to its chat (or to preview files
without a token), one claimed message at a time under the send lock.

Each edition's messages are rows of their own channel (bot.core.editions.Edition.channel), so
a sender stopped in the middle of one edition's delivery leaves only that edition's message
uncertain; the others' rows stand as they were."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Config, editions_of
from bot.core.editions import Edition
from bot.core.errors import PublishError
from bot.publish.preview import find_preview, write_preview
from bot.publish.telegram import UNCERTAIN, Outcome, send_messages
from bot.state.outbox import Outbox
from bot.state.records import DeliveryStatus, Message
from bot.state.sendlock import AnySendLock
from bot.state.store import Store

UNCERTAIN_DETAIL = "uncertain: may have arrived"
Stop = Callable[[], bool]
Progress = Callable[[str], None]


def deliver(config: Config, store: Store, progress: Progress,
            stop: Stop = lambda: False, telegram: bool = True) -> list[Path]:
    """Drain the outbox of every edition, one claimed message at a time: to Telegram, or to
    preview files. Nothing more is claimed once `stop()` is true; what is left stays pending.
    Without `telegram` the messages for Telegram are left queued (the service's delivery
    lane, bot/service/lane.py, sends them); previews are written all the same."""
    if config.telegram.token and not telegram:
        return []
    written: list[Path] = []
    failed: list[PublishError] = []
    for edition in editions_of(config):
        if edition.queues_telegram and not stop():
            # One edition's chat refusing the bot must not keep the others' from going out.
            try:
                written += deliver_edition(config, edition, store, progress, stop)
            except PublishError as exc:
                failed.append(exc)
    if failed:
        raise failed[0]
    return written


def deliver_edition(config: Config, edition: Edition, store: Store, progress: Progress,
                    stop: Stop) -> list[Path]:
    """One edition's messages, to its chat or its preview folder."""
    outbox = store.outbox()
    channel = edition.channel
    out = config.paths.out / edition.folder
    policy = config.telegram.uncertain
    where = "Telegram" if edition.default else f"Telegram ({edition.name})"
    with store.send_lock(stop) as lock:
        if not lock.acquire():
            return []
        if not config.telegram.token:
            _settle_previews(out, outbox, channel)
        settle_uncertain(outbox, channel, policy, progress)
        queued = outbox.pending(channel)
        if not queued:
            return []
        owner = f"pid {os.getpid()}"
        if not config.telegram.token:
            return _write_previews(out, outbox, channel, owner, stop)
        lock.release()
        wait = outbox.flood_wait_until(channel) - time.time()
        if wait > 0:
            progress(f"warning: telegram asked us to wait: {len(queued)} message(s) stay "
                     f"queued for another {wait:.0f} s")
            return []
        progress(f"sending {len(queued)} message(s) to {where}")
        claims = _Claims(lock, outbox, channel, owner, policy, progress, stop)
        send_messages(replace(config.telegram, chat_id=edition.chat_id), claims.claim,
                      claims.record, progress)
    return []


@dataclass(frozen=True)
class _Claims:
    """Each message claimed and recorded under the send lock (bot/state/sendlock.py), which
    is let go in between: a message found `sending` then was left by a sender that stopped."""

    lock: AnySendLock
    outbox: Outbox
    channel: str
    owner: str
    policy: str  # telegram.uncertain
    progress: Progress
    stop: Stop

    def claim(self) -> Message | None:
        if self.stop() or not self.lock.acquire():
            return None
        settle_uncertain(self.outbox, self.channel, self.policy, self.progress)
        message = self.outbox.claim_next(self.channel, self.owner, datetime.now(UTC))
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
            self.outbox.record(message, self.channel, _uncertain_status(self.policy),
                               f"{UNCERTAIN_DETAIL}: {outcome.detail}")
            return
        done = outcome.status in (DeliveryStatus.SENT, DeliveryStatus.REJECTED)
        status = DeliveryStatus(outcome.status) if done else DeliveryStatus.PENDING
        self.outbox.record(message, self.channel, status, outcome.detail, outcome.not_before)
        if outcome.status == DeliveryStatus.REJECTED:
            self.progress(f"warning: telegram refused {where}: {outcome.detail}")


def _write_previews(out: Path, outbox: Outbox, channel: str, owner: str,
                    stop: Stop) -> list[Path]:
    paths = []
    while not stop() and (message := outbox.claim_next(channel, owner,
                                                       datetime.now(UTC))) is not None:
        try:
            paths.append(write_preview(out, message.body))
        except PublishError:
            # Nothing was written: not uncertain.
            outbox.record(message, channel, DeliveryStatus.PENDING)
            raise
        outbox.record(message, channel, DeliveryStatus.PREVIEW, str(paths[-1]))
    return paths


def _settle_previews(out: Path, outbox: Outbox, channel: str) -> None:
    """Previews a stopped process left claimed: done if the page landed, else written again."""
    for message in outbox.claimed(channel):
        path = find_preview(out, message.body)
        outbox.record(message, channel,
                      DeliveryStatus.PREVIEW if path else DeliveryStatus.PENDING, str(path or ""))


def settle_uncertain(outbox: Outbox, channel: str, policy: str, progress: Progress) -> None:
    """Messages a stopped process left claimed: resend them or hold them, as configured."""
    for delivery in outbox.uncertain(channel):
        progress(f"warning: telegram: message {delivery.part} of digest #{delivery.digest_id}"
                 f" may or may not have arrived ({delivery.claimed_by} stopped while sending it at "
                 f"{delivery.claimed_at[:19]}); telegram.uncertain = {policy}")
    outbox.settle_uncertain(channel, _uncertain_status(policy), UNCERTAIN_DETAIL)


def _uncertain_status(policy: str) -> DeliveryStatus:
    """Where a message that may have arrived goes under `telegram.uncertain = policy`."""
    return DeliveryStatus.HELD if policy == "hold" else DeliveryStatus.PENDING
