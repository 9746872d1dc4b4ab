"""The RSS feed file: regenerated from the store, so it always matches what was published."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.config import FeedConfig
from bot.core.model import Digest
from bot.publish.files import write_if_changed
from bot.publish.render import render_feed
from bot.publish.render_feed import digest_order

FEED_NAME = "feed.xml"


def write_feed(out_dir: Path, digests: Sequence[Digest], feed: FeedConfig,
               now: datetime, show_checks: bool = False, name: str = FEED_NAME,
               href: str = "") -> Path | None:
    """Bring OUT_DIR/NAME (OUT/feed.xml) up to date with `digests` (newest first, as the
    archive shows them); None if it already was.

    The items are the newest `feed.max_items` articles in the digests' order, each dated
    from its digest (bot.publish.render_feed). The document depends on the digests only (its build
    date is the newest digest's), so rendering it on every run rewrites the file exactly
    when something changed, including after a run that failed between creating a digest
    and writing the feed. `href`: the feed's own address ("": SITE/feed.xml).
    """
    path = out_dir / name
    built = max((digest.created for digest in digests), default=now)
    entries, published = digest_order(digests, feed.max_items)
    text = render_feed(entries, feed, built, published, show_checks, href)
    return write_if_changed(path, text)
