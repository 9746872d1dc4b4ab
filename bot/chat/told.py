"""What the admin alerts have told (`Seen`), and how it is kept in the state file (the
alerts_told table, bot/state/alertlog.py), so that a restarted worker tells nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Seen:
    """What earlier ticks told already: each thing is told once, until it goes away."""

    feeds: frozenset[str] = frozenset()
    terms: frozenset[str] = frozenset()
    messages: frozenset[tuple[int, int, str]] = frozenset()
    error: str = ""  # the last job's error, digits blanked (attempt counts and times vary)
    checks: frozenset[str] = frozenset()  # entries whose editors' checks were told


def seen_keys(seen: Seen) -> list[str]:
    """`seen` as the keys the state file keeps (bot/state/alertlog.py)."""
    return sorted([*(f"feed\t{url}" for url in seen.feeds),
                   *(f"term\t{guid}" for guid in seen.terms),
                   *(f"check\t{guid}" for guid in seen.checks),
                   *(f"message\t{d}\t{p}\t{s}" for d, p, s in seen.messages),
                   *([f"error\t{seen.error}"] if seen.error else [])])


def seen_from_keys(keys: list[str]) -> Seen:
    """The inverse of `seen_keys`; a key of another kind is ignored."""
    kinds: dict[str, list[str]] = {}
    for key in keys:
        kind, _, value = key.partition("\t")
        kinds.setdefault(kind, []).append(value)
    messages = (m.split("\t", 2) for m in kinds.get("message", []))
    return Seen(frozenset(kinds.get("feed", [])), frozenset(kinds.get("term", [])),
                frozenset((int(d), int(p), s) for d, p, s in messages),
                next(iter(kinds.get("error", [])), ""), frozenset(kinds.get("check", [])))


def save_told(path: Path | str, seen: Seen) -> None:
    """Record in the state file at `path` what the alerts have told."""
    from bot.state.store import Store

    store = Store.open(path)
    try:
        store.alert_log().replace(seen_keys(seen))
    finally:
        store.close()
