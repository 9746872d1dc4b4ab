"""The web archive in OUT/: index.html, digests/N.html, articles/GUID.html, one page per
source site (sources/NAME-HASH.html), robots.txt, and search.html with its script search.js
(the index it reads, OUT/pagefind/, is bot/publish/search.py's).

Regenerated from the store like the feed, and a page is written only when its text changed,
so a run that published nothing rewrites nothing (a web server's caches stay valid).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.config import FeedConfig
from bot.core.model import Digest, Entry
from bot.core.resources import resource_dir
from bot.publish.files import write_if_changed
from bot.publish.render import (
    FEED_LINK,
    article_path,
    digest_path,
    public_site,
    render_page,
    source_path,
)
from bot.publish.render_feed import source_name

INDEX_NAME = "index.html"
ROBOTS_NAME = "robots.txt"
SEARCH_PAGE = "search.html"
SEARCH_SCRIPT = "search.js"
WEB_DIRS = ("digests", "articles", "sources")
# Every page may be indexed; the Telegram previews are the operator's dry run, and not served,
# and the search index is data for search.html, not pages.
ROBOTS = "User-agent: *\nDisallow: /telegram/\nDisallow: /pagefind/\n"


def write_web(out_dir: Path, digests: Sequence[Digest], feed: FeedConfig,
              show_checks: bool = False, feed_link: str = FEED_LINK) -> list[Path]:
    """Bring the archive's pages up to date with `digests` (newest first); the pages written.

    Each digest's page links the one before and after it among those shown (the pages of
    older ones may be gone); `show_checks` opens the editors' checks to every reader;
    `feed_link`: the feed file as a link from OUT_DIR (an edition's may lie outside it)."""
    shown = list(digests)
    common = {"feed": feed, "site": public_site(feed.site_url), "show_checks": show_checks,
              "feed_link": feed_link}
    sources = _by_source(shown)
    pages = {INDEX_NAME: render_page("index.html.j2", digests=shown, **common),
             ROBOTS_NAME: ROBOTS}
    if feed.search:
        pages[SEARCH_PAGE] = render_page("search.html.j2", sources=sorted(sources), **common)
        pages[SEARCH_SCRIPT] = _search_script()
    for place, digest in enumerate(shown):
        newer = shown[place - 1].id if place > 0 else None
        older = shown[place + 1].id if place + 1 < len(shown) else None
        pages[digest_path(digest.id)] = render_page(
            "digest.html.j2", digest=digest, newer=newer, older=older, **common)
        for entry in digest.entries:
            pages[article_path(entry.guid)] = render_page(
                "article.html.j2", entry=entry, digest_id=digest.id, **common)
    for source, items in sources.items():
        pages[source_path(source)] = render_page("source.html.j2", source=source, items=items,
                                                 **common)
    written = (write_if_changed(out_dir / name, text) for name, text in pages.items())
    return [path for path in written if path is not None]


def _search_script() -> str:
    return (resource_dir("templates") / "web" / SEARCH_SCRIPT).read_text(encoding="utf-8")


def _by_source(digests: list[Digest]) -> dict[str, list[tuple[Entry, int]]]:
    """Each source site's entries with their digest, newest digest first."""
    found: dict[str, list[tuple[Entry, int]]] = {}
    for digest in digests:
        for entry in digest.entries:
            if source := source_name(entry):
                found.setdefault(source, []).append((entry, digest.id))
    return found
