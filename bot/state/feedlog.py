"""The feeds table: what each polled feed said last (HTTP validators, failures in a row,
when to poll it next, its last error or warning); and the pages table: what the article pages
of full_text feeds gave. Written inside the store's transactions."""

from __future__ import annotations

from bot.state.backend import Backend, upsert
from bot.state.records import FailingFeed, FeedWarning, SavedFeed, SavedPage, TeaserOnly

# Days an article page's validators, text or reason are kept.
PAGE_DAYS = 30


class FeedLog:
    """Queries over the feeds table of one open state database."""

    def __init__(self, conn: Backend) -> None:
        self._conn = conn

    def state(self, url: str) -> SavedFeed | None:
        """What the last poll of a feed polled before left; None if never polled."""
        row = self._conn.execute(
            "SELECT etag, modified, failures, next_poll, last_error FROM feeds WHERE url=?",
            (url,),
        ).fetchone()
        return None if row is None else SavedFeed(*row)

    def save(self, url: str, etag: str, modified: str, failures: int,
             next_poll: float, last_error: str) -> None:
        self._conn.execute(
            upsert("feeds", "url, etag, modified, failures, next_poll, last_error", "url"),
            (url, etag, modified, failures, next_poll, last_error),
        )

    def failing(self) -> list[FailingFeed]:
        """Feeds whose last poll failed."""
        rows = self._conn.execute(
            "SELECT url, failures, last_error FROM feeds WHERE failures > 0 ORDER BY url"
        )
        return [FailingFeed(*row) for row in rows]

    def warnings(self) -> list[FeedWarning]:
        """Feeds whose last poll worked only in part (malformed XML)."""
        rows = self._conn.execute(
            "SELECT url, last_error FROM feeds WHERE failures = 0 AND last_error != ''"
            " ORDER BY url"
        )
        return [FeedWarning(*row) for row in rows]

    def page(self, url: str) -> SavedPage | None:
        """What the last fetch of an article page left; None if never fetched."""
        row = self._conn.execute(
            "SELECT etag, modified, text, published, reason FROM pages WHERE url=?", (url,),
        ).fetchone()
        return None if row is None else SavedPage(*row)

    def save_page(self, url: str, page: SavedPage, fetched_at: float) -> None:
        """Keep what a page's fetch gave, and forget pages fetched PAGE_DAYS before it: an
        entry's page is rarely asked for again after its day, and each row holds a text."""
        self._conn.execute("DELETE FROM pages WHERE fetched_at < ?",
                           (fetched_at - PAGE_DAYS * 86_400,))
        self._conn.execute(
            upsert("pages", "url, etag, modified, text, published, reason, fetched_at", "url"),
            (url, page.etag, page.modified, page.text, page.published, page.reason, fetched_at),
        )

    def teasers(self, limit: int = 20) -> list[TeaserOnly]:
        """The latest article pages that could not be read (their entries kept the teaser)."""
        rows = self._conn.execute(
            "SELECT url, reason, fetched_at FROM pages WHERE reason != ''"
            " ORDER BY fetched_at DESC, url LIMIT ?", (limit,),
        )
        return [TeaserOnly(*row) for row in rows]
