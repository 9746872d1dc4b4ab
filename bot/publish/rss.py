"""The RSS feed file: regenerated from the store, so it always matches what was published."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.config import FeedConfig
from bot.model import Entry
from bot.publish.files import write_atomic
from bot.render import render_feed

FEED_NAME = "feed.xml"


def write_feed(out_dir: Path, entries: list[Entry], feed: FeedConfig, now: datetime) -> Path:
    """Write OUT/feed.xml with `entries` (newest first)."""
    path = out_dir / FEED_NAME
    write_atomic(path, render_feed(entries, feed, now))
    return path
