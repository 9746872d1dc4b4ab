"""What the admin alerts have told (`Seen`), and how it is kept in the state file (the
alerts_told table, bot/state/alertlog.py), so that a restarted worker tells nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.core.channels import TELEGRAM

# A message: (its outbox channel, digest, part, status).
MessageKey = tuple[str, int, int, str]


@dataclass(frozen=True)
class Seen:
    """What earlier ticks told already: each thing is told once, until it goes away."""

    feeds: frozenset[str] = frozenset()
    terms: frozenset[str] = frozenset()
    messages: frozenset[MessageKey] = frozenset()
    error: str = ""  # the last job's error, digits blanked (attempt counts and times vary)
    checks: frozenset[str] = frozenset()  # entries whose editors' checks were told


def seen_keys(seen: Seen) -> list[str]:
    """`seen` as the keys the state file keeps (bot/state/alertlog.py)."""
    return sorted([*(f"feed\t{url}" for url in seen.feeds),
                   *(f"term\t{guid}" for guid in seen.terms),
                   *(f"check\t{guid}" for guid in seen.checks),
                   *(_message_key(m) for m in seen.messages),
                   *([f"error\t{seen.error}"] if seen.error else [])])


def seen_from_keys(keys: list[str]) -> Seen:
    """The inverse of `seen_keys`; a key of another kind is ignored."""
    kinds: dict[str, list[str]] = {}
    for key in keys:
        kind, _, value = key.partition("\t")
        kinds.setdefault(kind, []).append(value)
    return Seen(frozenset(kinds.get("feed", [])), frozenset(kinds.get("term", [])),
                frozenset(_message_of(m) for m in kinds.get("message", [])),
                next(iter(kinds.get("error", [])), ""), frozenset(kinds.get("check", [])))


def _message_key(message: MessageKey) -> str:
    """A message's key: the default channel's as a single-channel worker kept it (digest,
    part, status), so that its keys still read; another edition's with its channel first."""
    channel, digest, part, status = message
    where = "" if channel == TELEGRAM else f"{channel}\t"
    return f"message\t{where}{digest}\t{part}\t{status}"


def _message_of(value: str) -> MessageKey:
    """The inverse of `_message_key`, the "message\t" taken off."""
    fields = value.split("\t")
    channel = fields.pop(0) if len(fields) == 4 else TELEGRAM
    digest, part, status = fields
    return channel, int(digest), int(part), status


def save_told(path: Path | str, seen: Seen) -> None:
    """Record in the state file at `path` what the alerts have told."""
    from bot.state.store import Store

    store = Store.open(path)
    try:
        store.alert_log().replace(seen_keys(seen))
    finally:
        store.close()
