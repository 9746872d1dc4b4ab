"""The state file's schema as ordered migrations, keyed on PRAGMA user_version.

Append only: an entry, once released, is never edited, so an older state file is upgraded in
place by running the entries it has not seen, in order.

Each migration is a tuple of statements, run one by one: never a script split on ";", which
would cut a statement with a ";" inside a string literal or a trigger's body.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

Migration = tuple[str, ...]

MIGRATIONS: tuple[Migration, ...] = (
    (
        """
    CREATE TABLE documents (
        hash TEXT PRIMARY KEY, name TEXT NOT NULL, seen_at TEXT NOT NULL,
        status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', articles INTEGER NOT NULL DEFAULT 0
    )""",
        """
    CREATE TABLE entries (
        guid TEXT PRIMARY KEY, document TEXT NOT NULL, created TEXT NOT NULL,
        digest_id INTEGER REFERENCES digests(id), data TEXT NOT NULL
    )""",
        "CREATE INDEX entries_pending ON entries(digest_id, created)",
        "CREATE TABLE digests (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL)",
        """
    CREATE TABLE deliveries (
        digest_id INTEGER NOT NULL REFERENCES digests(id), channel TEXT NOT NULL,
        part INTEGER NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (digest_id, channel, part)
    )""",
        "CREATE TABLE translations (key TEXT PRIMARY KEY, output TEXT NOT NULL)",
    ),
    # The stat index: files already handled are skipped on (size, mtime) without a read.
    (
        """
    CREATE TABLE files (
        name TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
        hash TEXT NOT NULL
    )""",
    ),
    # Glossary terms that could not be rendered, and entries held back for an editor.
    (
        "ALTER TABLE entries ADD COLUMN failed_terms TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE entries ADD COLUMN held INTEGER NOT NULL DEFAULT 0",
    ),
    # Feeds: conditional-GET validators and backoff between polls.
    (
        """
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY, etag TEXT NOT NULL DEFAULT '', modified TEXT NOT NULL DEFAULT '',
        failures INTEGER NOT NULL DEFAULT 0, next_poll REAL NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT ''
    )""",
    ),
    # The outbox claims a message before sending it (who, when) and remembers a flood wait.
    (
        "ALTER TABLE deliveries ADD COLUMN claimed_by TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE deliveries ADD COLUMN claimed_at TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE deliveries ADD COLUMN not_before REAL NOT NULL DEFAULT 0",
    ),
    # Articles already stored, by their normalised text: never published under another guid.
    ("CREATE TABLE article_keys (key TEXT PRIMARY KEY, guid TEXT NOT NULL)",),
    # What the admin alerts have told, so that a restart does not tell it again.
    ("CREATE TABLE alerts_told (key TEXT PRIMARY KEY)",),
    # Article pages of full_text feeds: conditional-GET validators and the text read from the
    # page (a 304 reuses it), or why the entry kept its teaser.
    (
        """
    CREATE TABLE pages (
        url TEXT PRIMARY KEY, etag TEXT NOT NULL DEFAULT '', modified TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '', published TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '', fetched_at REAL NOT NULL DEFAULT 0
    )""",
    ),
    # Near-duplicate merging: each stored entry's MinHash signature (compared with the next
    # runs' articles within digest.merge_window_days), and each article merged into one.
    (
        """
    CREATE TABLE stories (
        guid TEXT PRIMARY KEY, created TEXT NOT NULL, title TEXT NOT NULL,
        shingles INTEGER NOT NULL, signature BLOB NOT NULL, figures TEXT NOT NULL DEFAULT ''
    )""",
        "CREATE INDEX stories_created ON stories(created)",
        """
    CREATE TABLE merges (
        key TEXT PRIMARY KEY, guid TEXT NOT NULL, name TEXT NOT NULL, title TEXT NOT NULL,
        similarity REAL NOT NULL, at TEXT NOT NULL
    )""",
    ),
    # Editions besides the default one (whose digests are the tables above): each numbers
    # its own digests and takes the entries its filter chose. The outbox's digest_id is then
    # the edition's number (its channel names the edition), so it loses its foreign key.
    (
        """
    CREATE TABLE edition_digests (
        edition TEXT NOT NULL, number INTEGER NOT NULL, created TEXT NOT NULL,
        PRIMARY KEY (edition, number)
    )""",
        """
    CREATE TABLE edition_entries (
        edition TEXT NOT NULL, guid TEXT NOT NULL REFERENCES entries(guid), number INTEGER,
        PRIMARY KEY (edition, guid)
    )""",
        "CREATE INDEX edition_entries_pending ON edition_entries(edition, number)",
        """
    CREATE TABLE deliveries_by_channel (
        digest_id INTEGER NOT NULL, channel TEXT NOT NULL,
        part INTEGER NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '', claimed_by TEXT NOT NULL DEFAULT '',
        claimed_at TEXT NOT NULL DEFAULT '', not_before REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (digest_id, channel, part)
    )""",
        "INSERT INTO deliveries_by_channel SELECT digest_id, channel, part, body, status, detail,"
        " claimed_by, claimed_at, not_before FROM deliveries",
        "DROP TABLE deliveries",
        "ALTER TABLE deliveries_by_channel RENAME TO deliveries",
    ),
    # Several workers on one PostgreSQL state (bot/state/workers.py): who is alive, and what
    # each has claimed. Made in a state file too, so both schemas keep the same steps; one
    # process per file never writes them.
    (
        """
    CREATE TABLE workers (
        id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, command TEXT NOT NULL,
        started REAL NOT NULL, seen REAL NOT NULL, holds TEXT NOT NULL DEFAULT '',
        session INTEGER NOT NULL DEFAULT 0
    )""",
        "CREATE TABLE claims (key TEXT PRIMARY KEY, worker TEXT NOT NULL, taken REAL NOT NULL)",
        "CREATE INDEX claims_worker ON claims(worker)",
    ),
)


def apply_migrations(conn: sqlite3.Connection, migrations: Sequence[Migration],
                     version: int) -> None:
    """Run the migrations after `version`, each statement whole and on its own, recording
    each migration's number as it lands. The caller holds the transaction: a statement that
    fails leaves the file as it was."""
    for number, statements in enumerate(migrations[version:], start=version + 1):
        for statement in statements:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version={number}")
