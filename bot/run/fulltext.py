"""The hook of full_text feeds in ingest: a new entry's teaser gives way to its page's text.

The entry keeps its feed title, link and guid: the feed is the record of what was published
(and the guid, from it, is what dedupes the entry), where a page's <title> often carries the
site's name and its canonical URL may be another edition. The page's date fills in only a date
the feed did not give. A page that cannot be read leaves the teaser, with a warning in the
run's lines and its reason kept for `kakehashi status`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.config import SourcesConfig
from bot.config.times import load_zone
from bot.sources.feeds import FeedItem
from bot.state.records import SavedPage

if TYPE_CHECKING:
    from bot.run.job import Ingest


def with_page_text(job: Ingest, item: FeedItem) -> FeedItem:
    """`item` with its page's article as its text, or as it was (with a warning) when the
    page cannot be read or says less than the teaser."""
    if not item.link:
        job.progress(f"warning: teaser only for {item.guid}: the entry has no link")
        return item
    feeds = job.store.feeds()
    saved = feeds.page(item.link)
    # Validators only with a text to fall back on: a 304 must have something to reuse.
    known = saved if saved is not None and saved.text else None
    result = job.pages.fetch(item.link, known.etag if known else "",
                             known.modified if known else "")
    if result.not_modified and known is not None:
        page = replace(known, etag=result.etag, modified=result.modified)
    else:
        page = SavedPage(result.etag, result.modified, result.text, result.published,
                         result.reason)
    if not page.reason and len(page.text) < len(item.text):
        page = replace(page, reason="the page says less than the teaser (no article found)")
    with job.store.transaction():
        feeds.save_page(item.link, page, job.now.timestamp())
    if page.reason:
        job.progress(f"warning: teaser only for {item.link}: {page.reason}")
        return item
    return replace(item, text=page.text,
                   published=item.published or _page_date(page.published, job.config.sources))


def _page_date(published: str, sources: SourcesConfig) -> datetime | None:
    try:
        date = datetime.fromisoformat(published) if published else None
    except ValueError:
        return None
    if date is not None and date.tzinfo is None:  # a bare date or time: the sources' zone
        date = date.replace(tzinfo=load_zone(sources.timezone))
    return date
