"""The outbox (table `deliveries`): every rendered message and where it stands.

Kept out of bot/state/store.py so that module stays small; reached through `Store.outbox()`.

A message moves   pending ──claim──> sending ──> sent | rejected | preview
                                        │
                                        └──> pending (not sent: retried; a flood wait is kept)
                                        └──> held    (maybe sent: waits for `release --messages`)

A claim is committed before the send, so no other process can pick the message. A message
still `sending` when the job lock is next taken was being sent by a process that stopped
between the send and its record: whether it arrived cannot be known (the Bot API has no way
to ask), so it is "uncertain" and `telegram.uncertain` decides (resend it, or hold it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime

from bot.state.backend import Backend
from bot.state.records import Delivery, Message, MessageRef
from bot.state.records import DeliveryStatus as Status

_DELIVERY = ("SELECT channel, digest_id, part, status, detail, claimed_by, claimed_at"
             " FROM deliveries")


class Outbox:
    """Queries over the deliveries table of one state file."""

    def __init__(self, conn: Backend,
                 transaction: Callable[[], AbstractContextManager[None]]) -> None:
        self._conn = conn
        self._transaction = transaction

    def queue(self, digest_id: int, channel: str, bodies: list[str]) -> None:
        """Put a digest's rendered messages in the outbox, to be delivered in order."""
        self._conn.executemany(
            "INSERT INTO deliveries(digest_id, channel, part, body, status) VALUES (?,?,?,?,?)",
            [(digest_id, channel, n, body, Status.PENDING) for n, body in enumerate(bodies, 1)],
        )

    def pending(self, channel: str) -> list[Message]:
        """Messages waiting to be sent, oldest first."""
        rows = self._conn.execute(
            "SELECT digest_id, part, body FROM deliveries WHERE channel=? AND status=?"
            " ORDER BY digest_id, part",
            (channel, Status.PENDING),
        )
        return [Message(*row) for row in rows]

    def claim_next(self, channel: str, owner: str, now: datetime) -> Message | None:
        """Mark the oldest pending message `sending` by `owner`, committed; None if none."""
        with self._transaction():
            row = self._conn.execute(
                "SELECT digest_id, part, body FROM deliveries WHERE channel=? AND status=?"
                " ORDER BY digest_id, part LIMIT 1",
                (channel, Status.PENDING),
            ).fetchone()
            if row is None:
                return None
            self._conn.execute(
                "UPDATE deliveries SET status=?, claimed_by=?, claimed_at=?"
                " WHERE digest_id=? AND channel=? AND part=? AND status=?",
                (Status.SENDING, owner, now.isoformat(), row[0], channel, row[1], Status.PENDING),
            )
        return Message(*row)

    def record(self, message: Message, channel: str, status: Status, detail: str = "",
               not_before: float = 0.0) -> None:
        """Record what became of a claimed message (committed at once)."""
        self._conn.execute(
            "UPDATE deliveries SET status=?, detail=?, not_before=?"
            " WHERE digest_id=? AND channel=? AND part=?",
            (status, detail, not_before, message.digest_id, channel, message.part),
        )

    def last_published(self, channel: str) -> list[Message]:
        """The newest digest's messages that went out (sent, or written as previews), in order."""
        rows = self._conn.execute(
            "SELECT digest_id, part, body FROM deliveries WHERE channel=? AND status IN (?,?)"
            " AND digest_id = (SELECT max(digest_id) FROM deliveries WHERE channel=?"
            " AND status IN (?,?)) ORDER BY part",
            (channel, Status.SENT, Status.PREVIEW, channel, Status.SENT, Status.PREVIEW),
        )
        return [Message(*row) for row in rows]

    def uncertain(self, channel: str) -> list[Delivery]:
        """Messages claimed by a process that stopped before recording the outcome."""
        return [d for d in self.attention(channel) if d.status == Status.SENDING]

    def claimed(self, channel: str) -> list[Message]:
        """The messages still claimed (their sender stopped mid-send), with their bodies."""
        rows = self._conn.execute(
            "SELECT digest_id, part, body FROM deliveries WHERE channel=? AND status=?"
            " ORDER BY digest_id, part",
            (channel, Status.SENDING),
        )
        return [Message(*row) for row in rows]

    def settle_uncertain(self, channel: str, status: Status, detail: str) -> int:
        """Move every still-claimed message to `status` (pending to resend, or held)."""
        cur = self._conn.execute(
            "UPDATE deliveries SET status=?, detail=? WHERE channel=? AND status=?",
            (status, detail, channel, Status.SENDING),
        )
        return cur.rowcount

    def statuses(self, refs: Iterable[MessageRef]) -> dict[MessageRef, Status]:
        """{ref: status} for those of `refs` that exist (unknown ones are absent)."""
        return {ref: Status(status) for ref in refs for (status,) in self._conn.execute(
            "SELECT status FROM deliveries WHERE channel=? AND digest_id=? AND part=?",
            ref.key)}

    def release_held(self, refs: Iterable[MessageRef] | None) -> int:
        """Held messages back to pending (all when `refs` is None): the next run sends them."""
        if refs is None:
            return self._conn.execute("UPDATE deliveries SET status=? WHERE status=?",
                                      (Status.PENDING, Status.HELD)).rowcount
        return sum(self._conn.execute(
            "UPDATE deliveries SET status=? WHERE status=? AND channel=? AND digest_id=?"
            " AND part=?", (Status.PENDING, Status.HELD, *ref.key)).rowcount for ref in refs)

    def flood_wait_until(self, channel: str) -> float:
        """The time (epoch seconds) before which Telegram asked us not to send; 0 if none."""
        row = self._conn.execute(
            "SELECT max(not_before) FROM deliveries WHERE channel=? AND status=?",
            (channel, Status.PENDING),
        ).fetchone()
        return float(row[0] or 0.0)

    def status_counts(self, channel: str) -> dict[Status, int]:
        """How many messages stand in each status (for /metrics)."""
        rows = self._conn.execute(
            "SELECT status, count(*) FROM deliveries WHERE channel=? GROUP BY status",
            (channel,))
        return {Status(status): int(n) for status, n in rows}

    def attention(self, channel: str | None = None) -> list[Delivery]:
        """Rejected, held and claimed messages of `channel` (None: of every channel), oldest
        first (for `status`)."""
        rows = self._conn.execute(
            f"{_DELIVERY} WHERE status IN (?,?,?) AND channel=coalesce(?, channel)"
            " ORDER BY digest_id, channel, part",
            (Status.REJECTED, Status.HELD, Status.SENDING, channel))
        return [_delivery(*row) for row in rows]


def _delivery(channel: str, digest_id: int, part: int, status: str, detail: str,
              claimed_by: str, claimed_at: str) -> Delivery:
    return Delivery(channel, digest_id, part, Status(status), detail, claimed_by,
                    claimed_at)
