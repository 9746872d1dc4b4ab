"""The web archive in OUT/: index.html, digests/N.html and articles/GUID.html.

Regenerated from the store like the feed, and a page is written only when its text changed,
so a run that published nothing rewrites nothing (a web server's caches stay valid).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.config import FeedConfig
from bot.model import Digest, Entry
from bot.publish.files import write_if_changed
from bot.render import article_path, digest_path, render_page

INDEX_NAME = "index.html"
WEB_DIRS = ("digests", "articles")


def write_web(out_dir: Path, digests: list[tuple[int, datetime, list[Entry]]],
              feed: FeedConfig, show_checks: bool = False) -> list[Path]:
    """Bring the archive's pages up to date with `digests` (newest first); the pages written."""
    shown = [Digest(digest_id, created, tuple(entries)) for digest_id, created, entries in digests]
    pages = {INDEX_NAME: render_page("index.html.j2", digests=shown, feed=feed)}
    for digest in shown:
        pages[digest_path(digest.id)] = render_page("digest.html.j2", digest=digest, feed=feed)
        for entry in digest.entries:
            pages[article_path(entry.guid)] = render_page(
                "article.html.j2", entry=entry, digest_id=digest.id, feed=feed)
    written = (write_if_changed(out_dir / name, text) for name, text in pages.items())
    return [path for path in written if path is not None]
