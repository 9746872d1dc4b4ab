"""The last digest as it went out, read from the state file without writing to it."""

from __future__ import annotations

from pathlib import Path

from bot.core.channels import TELEGRAM
from bot.state.store import Store


def read_latest(state: Path | str, channel: str = TELEGRAM) -> tuple[int, list[str]]:
    """(digest id, message bodies) of the newest digest sent (or previewed) on `channel` (an
    edition's); (0, []) if none.

    The file is opened read-only and closed at once: the service's jobs write it, and a
    reader in WAL mode neither waits for them nor holds them up. StoreError if unreadable.
    """
    if isinstance(state, Path) and not state.is_file():
        return 0, []
    store = Store.open_read_only(state)
    try:
        messages = store.outbox().last_published(channel)
    finally:
        store.close()
    if not messages:
        return 0, []
    return messages[0].digest_id, [m.body for m in messages]
