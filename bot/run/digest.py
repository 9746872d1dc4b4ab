"""Entries → digest: what is pending, grouped by document in the order it arrived."""

from __future__ import annotations

from datetime import datetime

from bot.core.model import Digest, Entry


def build_digest(digest_id: int, pending: list[Entry], now: datetime) -> Digest:
    """One digest of every pending entry; documents keep their arrival order."""
    order: dict[str, int] = {}
    for entry in pending:
        order.setdefault(entry.document, len(order))
    ranked = sorted(enumerate(pending), key=lambda p: (order[p[1].document], p[0]))
    return Digest(id=digest_id, created=now, entries=tuple(e for _, e in ranked))
