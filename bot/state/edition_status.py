"""Each edition as `status` (and --json) and the bot's /status show it: its newest digest's
number, its articles waiting, and its messages by where they stand. Read only."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.editions import Edition
from bot.state.records import DeliveryStatus
from bot.state.store import Store


@dataclass(frozen=True)
class EditionStatus:
    """One edition's standing in the state file."""

    name: str
    channel: str
    last_digest: int  # 0: none yet
    pending_articles: int
    pending_messages: int
    held_messages: int
    uncertain_messages: int  # claimed by a sender that may have stopped mid-send
    rejected_messages: int


def edition_statuses(store: Store, editions: tuple[Edition, ...]) -> list[EditionStatus]:
    """Every edition's standing, the default one first."""
    found = []
    for edition in editions:
        if edition.default:
            newest = store.recent_digests(1)
            last, pending = (newest[0].id if newest else 0), store.counts().pending
        else:
            log = store.editions()
            last, pending = log.last_number(edition.key), log.pending_count(edition.key)
        counts = store.outbox().status_counts(edition.channel)
        found.append(EditionStatus(
            edition.name, edition.channel, last, pending,
            counts.get(DeliveryStatus.PENDING, 0), counts.get(DeliveryStatus.HELD, 0),
            counts.get(DeliveryStatus.SENDING, 0), counts.get(DeliveryStatus.REJECTED, 0)))
    return found


def edition_lines(statuses: list[EditionStatus]) -> list[str]:
    """`status`'s lines for the editions."""
    lines = ["editions:"]
    for s in statuses:
        digest = f"digest #{s.last_digest}" if s.last_digest else "no digest yet"
        lines.append(f"  {s.name} ({s.channel}): {digest}, {s.pending_articles} article(s) "
                     f"waiting; messages: {s.pending_messages} pending, {s.held_messages} "
                     f"held, {s.uncertain_messages} uncertain, {s.rejected_messages} rejected")
    return lines
