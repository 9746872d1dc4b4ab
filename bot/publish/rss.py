"""The RSS feed file: regenerated from the store, so it always matches what was published."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.config import FeedConfig
from bot.model import Entry
from bot.publish.files import write_if_changed
from bot.render import render_feed

FEED_NAME = "feed.xml"


def write_feed(out_dir: Path, entries: list[Entry], feed: FeedConfig,
               now: datetime) -> Path | None:
    """Bring OUT/feed.xml up to date with `entries` (newest first); None if it already was.

    The document depends on the entries only (its build date is the newest entry's), so
    rendering it on every run rewrites the file exactly when something changed, including
    after a run that failed between creating a digest and writing the feed.
    """
    path = out_dir / FEED_NAME
    built = max((e.created for e in entries), default=now)
    text = render_feed(entries, feed, built)
    return write_if_changed(path, text)
