"""`kakehashi status` and the bot's /status: what the state file holds, as lines to read.

Never waits for the job lock (SQLite's WAL lets it read while a job writes), and never writes:
the file is opened read-only, so an older state file is shown, not upgraded.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TypeVar

from bot.config import Config, editions_of
from bot.core.channels import TELEGRAM
from bot.state.edition_status import EditionStatus, edition_lines, edition_statuses
from bot.state.heartbeat import worker_lines
from bot.state.opening import state_exists
from bot.state.records import Delivery, DeliveryStatus, DocumentStatus, EditorCheck
from bot.state.store import Store
from bot.state.workers import LEASE_SECONDS, WorkerSeen
from bot.text.urls import without_credentials

T = TypeVar("T")


def status_lines(config: Config) -> list[str]:
    """What the state file holds, for `kakehashi status` (never waits for the job lock)."""
    worker = worker_lines(config.paths.state)
    if not state_exists(config.paths.store):
        return [f"no state yet at {config.paths.store} (run 'kakehashi once' first)",
                *map(without_credentials, worker)]
    # Read only: an older state file is shown as far as its schema goes, never upgraded here.
    store = Store.open_read_only(config.paths.store, older=True)
    try:
        behind = store.schema_behind()
        counts = _read(store.counts, behind)
        documents = _read(store.documents, behind) or []
        failed = _read(store.entries_with_failed_terms, behind) or []
        checked = _read(lambda: editor_checks(store), behind) or []
        feeds = _read(store.feeds().failing, behind) or []
        warned = _read(store.feeds().warnings, behind) or []
        teasers = _read(store.feeds().teasers, behind) or []
        merges = _read(store.stories().merges, behind) or []
        outbox = store.outbox()
        deliveries = _read(outbox.attention, behind) or []  # of every channel
        flood_wait = _read(lambda: outbox.flood_wait_until(TELEGRAM), behind) or 0.0
        editions = _read(lambda: edition_statuses(store, editions_of(config)), behind) or []
        members = _read(store.workers, behind) or []
    finally:
        store.close()
    lines = [f"state: {config.paths.store}"]
    if behind:
        lines.append(f"schema: older by {behind} step(s), shown as far as it goes; the next "
                     "'kakehashi once' (or job of 'run') upgrades it")
    lines += worker + _member_lines(members)
    lines += [f"{key.replace('_', ' ')}: {value}"
              for key, value in (asdict(counts) if counts else {}).items()]
    if config.editions and editions:  # one edition alone: the counts above are its own
        lines += edition_lines(editions)
    problems = [d for d in documents if d.status != DocumentStatus.DONE]
    if problems:
        lines.append("skipped documents:")
        lines += [f"  {d.name} ({d.seen_at[:19]}): {d.reason}" for d in problems]
    if feeds:
        lines.append("failing feeds:")
        lines += [f"  {f.url} ({f.failures} failure(s) in a row): {f.last_error}" for f in feeds]
    if warned:
        lines.append("feeds read in part:")
        lines += [f"  {w.url}: {w.warning}" for w in warned]
    if teasers:
        lines.append("feed entries published from their teaser (full_text page not read):")
        lines += [f"  {t.url} ({_when(t.fetched_at)}): {t.reason}" for t in teasers]
    if failed:
        lines.append("entries with glossary terms not rendered as agreed:")
        lines += [f"  {f.guid} {'HELD ' if f.held else ''}{f.document}: {f.terms}"
                  for f in failed]
    if merges:
        lines.append("stories merged (near-duplicates listed as other sources of an entry, "
                     "newest first):")
        lines += [f"  {m.at[:19]} {m.name} 「{m.title}」 → {m.guid} 「{m.kept_title}」 "
                  f"(similarity {m.similarity:.2f})" for m in merges]
    if checked:
        lines.append("checks for editors (recent entries; subscribers see them only with "
                     "digest.show_checks):")
        lines += [f"  {c.guid} {c.document}: {c.notes}" for c in checked]
    # Feed URLs, documents and Telegram's reasons may quote a URL that carries credentials.
    return [without_credentials(line) for line in lines + _delivery_lines(deliveries,
                                                                            flood_wait)]


def status_data(config: Config) -> dict[str, object]:
    """`status --json`: the state file's totals, each edition's standing, and the stories
    merged as near-duplicates and the feed entries published from their teaser (as the
    text form lists them)."""
    if not state_exists(config.paths.store):
        return {"state": str(config.paths.store), "exists": False, "editions": [],
                "merges": [], "teasers": []}
    store = Store.open_read_only(config.paths.store, older=True)
    try:
        behind = store.schema_behind()
        counts = _read(store.counts, behind)
        editions: list[EditionStatus] = _read(
            lambda: edition_statuses(store, editions_of(config)), behind) or []
        merges = _read(store.stories().merges, behind) or []
        teasers = _read(store.feeds().teasers, behind) or []
        members = _read(store.workers, behind) or []
    finally:
        store.close()
    return {"state": str(config.paths.store), "exists": True, "schema_behind": behind,
            "counts": asdict(counts) if counts else {},
            "workers": [{**asdict(m), "alive": m.alive} for m in members],
            "editions": [asdict(e) for e in editions],
            # A feed link or a page's reason may quote a URL that carries credentials.
            "merges": [{**asdict(m), "name": without_credentials(m.name)} for m in merges],
            "teasers": [{"url": without_credentials(t.url),
                         "reason": without_credentials(t.reason),
                         "fetched_at": datetime.fromtimestamp(t.fetched_at, UTC).isoformat(
                             timespec="seconds")} for t in teasers]}


# Recent entries looked through for checks: the editors' list, not the archive.
CHECKED_ENTRIES = 50
_NOTES_SHOWN = 3


def editor_checks(store: Store) -> list[EditorCheck]:
    """Recent entries with checks an editor should look at (status and the admin alerts)."""
    found = []
    for entry in store.recent_entries(CHECKED_ENTRIES):
        notes = list(entry.warnings)
        if notes:
            more = f" (+{len(notes) - _NOTES_SHOWN} more)" if len(notes) > _NOTES_SHOWN else ""
            found.append(EditorCheck(entry.guid, entry.document,
                                     "; ".join(notes[:_NOTES_SHOWN]) + more))
    return found


def _read(query: Callable[[], T], behind: int) -> T | None:
    """What `query` reads; None when an older schema lacks a table or column it needs."""
    try:
        return query()
    except sqlite3.OperationalError as exc:
        if behind and "no such" in str(exc):
            return None
        raise


def _member_lines(members: list[WorkerSeen]) -> list[str]:
    """The workers of a shared state (none for a state file), the publisher marked."""
    if not members:
        return []
    alive = [m for m in members if m.alive]
    lines = [f"workers: {len(alive)} alive ({len(members) - len(alive)} gone: silent over "
             f"{LEASE_SECONDS:g} s, their claims free)"]
    for m in members:
        role = [m.holds] if m.holds and m.alive else []
        role += [f"{m.claims} claim(s)"] if m.claims else []
        lines.append(f"  {m.host} pid {m.pid} ({m.command}): up {_span(m.up_seconds)}, last "
                     f"heartbeat {_span(m.silent_seconds)} ago"
                     + (", gone" if not m.alive else "")
                     + (f"; {', '.join(role)}" if role else ""))
    return lines


def _span(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def _when(unix: float) -> str:
    return datetime.fromtimestamp(unix, UTC).isoformat(timespec="seconds")[:19]


def _delivery_lines(deliveries: list[Delivery], flood_wait: float) -> list[str]:
    lines = []
    if flood_wait > time.time():
        until = datetime.fromtimestamp(flood_wait, UTC).isoformat(timespec="seconds")
        lines.append(f"telegram asked us to wait: nothing is sent before {until}")
    titles = {
        DeliveryStatus.REJECTED: "messages Telegram rejected (not sent; the rest went on):",
        DeliveryStatus.HELD: "messages held: they may have arrived ('kakehashi release "
                             "--messages' with the names below sends them again):",
        DeliveryStatus.SENDING: "messages being sent (or whose sender stopped mid-send):",
    }
    for status, title in titles.items():
        chosen = [d for d in deliveries if d.status == status]
        if chosen:
            lines.append(title)
        lines += [_delivery_line(d) for d in chosen]
    return lines


def _delivery_line(d: Delivery) -> str:
    """A held message's line starts with the name `release --messages` takes for it."""
    name = f"{d.ref} · " if d.status == DeliveryStatus.HELD else ""
    claim = (f" [{d.claimed_by}, {d.claimed_at[:19]}]" if d.status == DeliveryStatus.SENDING
             else "")
    where = "" if d.channel == TELEGRAM else f" ({d.channel})"
    return f"  {name}digest #{d.digest_id} part {d.part}{where}{claim}: {d.detail}".rstrip()
