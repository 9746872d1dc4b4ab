"""What the feed says of each item beyond its text: its date and its categories. Pure.

Readers sort a feed by pubDate, newest first. Items that share one date come out in
whatever order the reader likes (often the file's order reversed), so every item gets its
own: the digest's time less one second per place in the digest, and never the same as or
later than the item above it. Readers then list a digest in the order Telegram and the
archive show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from bot.core.model import Digest, Entry

STEP = timedelta(seconds=1)  # RFC 822 dates count whole seconds


def digest_order(digests: Sequence[Digest], limit: int) -> tuple[list[Entry], list[datetime]]:
    """The newest `limit` entries of `digests` (newest digest first, each in its own order)
    with their pubDates."""
    entries: list[Entry] = []
    times: list[datetime] = []
    for digest in digests:
        for place, entry in enumerate(digest.entries):
            entries.append(entry)
            times.append(digest.created - place * STEP)
    return entries[:limit], distinct_times(times[:limit])


def distinct_times(times: Sequence[datetime]) -> list[datetime]:
    """`times` made strictly decreasing, each moved only earlier (a second below the one
    above it), so that readers keep the order they are given in."""
    out: list[datetime] = []
    for time in times:
        out.append(min(time, out[-1] - STEP) if out else time)
    return out


def source_name(entry: Entry) -> str:
    """The entry's source as readers know it: the site's name, else its link's host."""
    return entry.source.site or (urlsplit(entry.source.url).hostname or "")


def categories(entry: Entry) -> tuple[str, ...]:
    """The item's categories: its source site (bot.publish.render_feed.source_name).

    The glossary has no categories of its own (glossary/README.md), so topic or country
    categories cannot be told from it."""
    site = source_name(entry)
    return (site,) if site else ()


def other_sources(entry: Entry) -> list[tuple[str, str]]:
    """(label, link) of each other source of a merged story (Entry.also): its site, else its
    link, else its own title; a source with none of these is "another document" (a file's
    name is never shown). The link is checked again where it is rendered (`uri`)."""
    shown = []
    for source in entry.also:
        label = source.site or source.url or source.original_title or "another document"
        shown.append((label, source.url))
    return shown
