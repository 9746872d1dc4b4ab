"""The digests of the editions besides the default one (tables edition_digests and
edition_entries): which entries each edition took, and its own digest numbers.

The default edition keeps the original tables (digests, entries.digest_id), so a state file
of a single-channel config reads and numbers as it always did. Reached through
`Store.editions()`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.core.model import Digest, Entry
from bot.state.backend import Backend, insert_ignore
from bot.state.entry_json import load_entry


class EditionLog:
    """Queries over one state file's edition tables."""

    def __init__(self, conn: Backend) -> None:
        self._conn = conn

    def assign(self, edition: str, guids: Iterable[str]) -> None:
        """The entries `edition`'s filter chose: pending for its next digest."""
        self._conn.executemany(
            insert_ignore("edition_entries", "edition, guid"),
            [(edition, guid) for guid in guids])

    def pending(self, edition: str) -> list[Entry]:
        """Its entries not yet in one of its digests (held ones wait), oldest first."""
        rows = self._conn.execute(
            "SELECT e.data FROM edition_entries x JOIN entries e ON e.guid = x.guid"
            " WHERE x.edition=? AND x.number IS NULL AND e.held=0 ORDER BY e.created, e.rowid",
            (edition,))
        return [load_entry(data) for (data,) in rows]

    def pending_count(self, edition: str) -> int:
        row = self._conn.execute(
            "SELECT count(*) FROM edition_entries x JOIN entries e ON e.guid = x.guid"
            " WHERE x.edition=? AND x.number IS NULL AND e.held=0", (edition,)).fetchone()
        return int(row[0])

    def last_number(self, edition: str) -> int:
        """The number of its newest digest (0: none yet)."""
        row = self._conn.execute("SELECT max(number) FROM edition_digests WHERE edition=?",
                                 (edition,)).fetchone()
        return int(row[0] or 0)

    def create_digest(self, edition: str, now: datetime, guids: Iterable[str]) -> int:
        """Its next digest, numbered after its last, holding `guids`; the number."""
        number = self.last_number(edition) + 1
        self._conn.execute("INSERT INTO edition_digests(edition, number, created) VALUES"
                           " (?,?,?)", (edition, number, now.isoformat()))
        self._conn.executemany(
            "UPDATE edition_entries SET number=? WHERE edition=? AND guid=?",
            [(number, edition, guid) for guid in guids])
        return number

    def recent_digests(self, edition: str, limit: int) -> list[Digest]:
        """Its digests holding its newest `limit` published entries, newest first."""
        rows = self._conn.execute(
            "SELECT d.number, d.created, e.data FROM edition_entries x"
            " JOIN entries e ON e.guid = x.guid"
            " JOIN edition_digests d ON d.edition = x.edition AND d.number = x.number"
            " WHERE x.edition=? AND d.number >= (SELECT coalesce(min(number), 0) FROM"
            " (SELECT x2.number FROM edition_entries x2 JOIN entries e2 ON e2.guid = x2.guid"
            " WHERE x2.edition=? AND x2.number IS NOT NULL"
            " ORDER BY e2.created DESC, e2.rowid DESC LIMIT ?))"
            " ORDER BY d.number DESC, e.created, e.rowid",
            (edition, edition, limit))
        created: dict[int, datetime] = {}
        entries: dict[int, list[Entry]] = {}
        for number, when, data in rows:
            created.setdefault(number, datetime.fromisoformat(when))
            entries.setdefault(number, []).append(load_entry(data))
        return [Digest(number, when, tuple(entries[number])) for number, when in created.items()]
