"""The stories and merges tables: the MinHash signature of each stored entry, so that a later
run can tell a reprint of it (bot/text/neardup.py), and each article merged into an entry
(with which, how similar), for `kakehashi status`. Written inside the store's transactions.

Signatures are kept as bytes: reading them (status) needs no numpy."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from bot.core.model import SourceInfo
from bot.state.backend import Backend, insert_ignore, upsert


@dataclass(frozen=True)
class StoredStory:
    """An entry's signature as the stories table keeps it."""

    guid: str
    title: str
    values: bytes
    shingles: int
    figures: str  # the numbers its text states, space-separated


@dataclass(frozen=True)
class Merge:
    """An article that became another source of an entry instead of an entry of its own."""

    key: str  # the article's key (bot.run.pipeline.article_key)
    guid: str  # the entry it joined
    name: str  # its document or feed link
    title: str  # its own Japanese title
    similarity: float
    at: str  # ISO time of the run
    kept_title: str = ""  # the entry's own title (read back, never written here)


class StoryLog:
    """Queries over the stories and merges tables of one open state database."""

    def __init__(self, conn: Backend) -> None:
        self._conn = conn

    def add(self, story: StoredStory, created: datetime) -> None:
        self._conn.execute(
            insert_ignore("stories", "guid, created, title, shingles, signature, figures"),
            (story.guid, created.isoformat(), story.title,
                                      story.shingles, story.values, story.figures))

    def since(self, start: datetime) -> list[StoredStory]:
        """Stories stored at or after `start`, oldest first."""
        rows = self._conn.execute(
            "SELECT guid, title, signature, shingles, figures FROM stories WHERE created >= ?"
            " ORDER BY created, rowid", (start.isoformat(),))
        return [StoredStory(g, t, bytes(v), n, f) for g, t, v, n, f in rows]

    def record_merge(self, merge: Merge) -> None:
        self._conn.execute(
            upsert("merges", "key, guid, name, title, similarity, at", "key"),
            (merge.key, merge.guid, merge.name, merge.title, merge.similarity, merge.at))

    def merges(self, limit: int = 50) -> list[Merge]:
        """The newest merges, newest first."""
        rows = self._conn.execute(
            "SELECT m.key, m.guid, m.name, m.title, m.similarity, m.at, coalesce(s.title, '')"
            " FROM merges m LEFT JOIN stories s ON s.guid = m.guid"
            " ORDER BY m.at DESC, m.rowid DESC LIMIT ?", (limit,))
        return [Merge(*row) for row in rows]

    def add_source(self, guid: str, source: SourceInfo) -> None:
        """List `source` among a stored entry's other sources (once): its archive page and
        feed item show it from the next publish on."""
        row = self._conn.execute("SELECT data FROM entries WHERE guid=?", (guid,)).fetchone()
        if row is None:
            return
        data = json.loads(row[0])
        also = data.setdefault("also", [])
        if asdict(source) not in also and asdict(source) != data.get("source"):
            also.append(asdict(source))
            self._conn.execute("UPDATE entries SET data=? WHERE guid=?",
                               (json.dumps(data, ensure_ascii=False), guid))
