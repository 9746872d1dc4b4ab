"""The web archive in OUT/: index.html, digests/N.html, articles/GUID.html, one page per
source site (sources/NAME-HASH.html) and robots.txt.

Regenerated from the store like the feed, and a page is written only when its text changed,
so a run that published nothing rewrites nothing (a web server's caches stay valid).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.config import FeedConfig
from bot.core.model import Digest, Entry
from bot.publish.files import write_if_changed
from bot.publish.render import article_path, digest_path, public_site, render_page, source_path
from bot.publish.render_feed import source_name

INDEX_NAME = "index.html"
ROBOTS_NAME = "robots.txt"
WEB_DIRS = ("digests", "articles", "sources")
# Every page may be indexed; the Telegram previews are the operator's dry run, and not served.
ROBOTS = "User-agent: *\nDisallow: /telegram/\n"


def write_web(out_dir: Path, digests: Sequence[Digest], feed: FeedConfig,
              show_checks: bool = False) -> list[Path]:
    """Bring the archive's pages up to date with `digests` (newest first); the pages written.

    Each digest's page links the one before and after it among those shown (the pages of
    older ones may be gone); `show_checks` opens the editors' checks to every reader."""
    shown = list(digests)
    common = {"feed": feed, "site": public_site(feed.site_url), "show_checks": show_checks}
    pages = {INDEX_NAME: render_page("index.html.j2", digests=shown, **common),
             ROBOTS_NAME: ROBOTS}
    for place, digest in enumerate(shown):
        newer = shown[place - 1].id if place > 0 else None
        older = shown[place + 1].id if place + 1 < len(shown) else None
        pages[digest_path(digest.id)] = render_page(
            "digest.html.j2", digest=digest, newer=newer, older=older, **common)
        for entry in digest.entries:
            pages[article_path(entry.guid)] = render_page(
                "article.html.j2", entry=entry, digest_id=digest.id, **common)
    for source, items in _by_source(shown).items():
        pages[source_path(source)] = render_page("source.html.j2", source=source, items=items,
                                                 **common)
    written = (write_if_changed(out_dir / name, text) for name, text in pages.items())
    return [path for path in written if path is not None]


def _by_source(digests: list[Digest]) -> dict[str, list[tuple[Entry, int]]]:
    """Each source site's entries with their digest, newest digest first."""
    found: dict[str, list[tuple[Entry, int]]] = {}
    for digest in digests:
        for entry in digest.entries:
            if source := source_name(entry):
                found.setdefault(source, []).append((entry, digest.id))
    return found
