"""Publishing one edition: its digest of what its filter chose, its Telegram messages queued
on its own channel, its feed file and its archive section, all from the store.

The default edition reads and writes what a single-channel config always did (the digests
table, channel "telegram", OUT/feed.xml, the archive at OUT/); a named one its own rows
(bot/state/editions.py), OUT/NAME/ and its feed_file."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from bot.config import Config, FeedConfig
from bot.core.editions import Edition
from bot.core.model import Digest, Entry
from bot.publish.files import remove_stale_temps
from bot.publish.preview import PREVIEW_DIR
from bot.publish.render import DIGEST_TITLE, public_site, render_telegram, site_root
from bot.publish.rss import write_feed
from bot.publish.search import update_search
from bot.publish.web import INDEX_NAME, WEB_DIRS, write_web
from bot.run.digest import build_digest
from bot.state.store import Store


@dataclass(frozen=True)
class Published:
    """What publishing one edition made: its digest's number (None: nothing was pending)
    and how many articles that digest holds."""

    edition: str
    digest_id: int | None
    articles: int


def pending_of(store: Store, edition: Edition) -> list[Entry]:
    """The edition's entries waiting for its next digest."""
    return store.pending_entries() if edition.default else store.editions().pending(
        edition.key)


def recent_of(store: Store, edition: Edition, limit: int) -> list[Digest]:
    """The edition's newest digests (newest first), as its feed and archive show them."""
    if edition.default:
        return store.recent_digests(limit)
    return store.editions().recent_digests(edition.key, limit)


def last_number(store: Store, edition: Edition) -> int:
    """The number of the edition's newest digest (0: none yet)."""
    if edition.default:
        newest = store.recent_digests(1)
        return newest[0].id if newest else 0
    return store.editions().last_number(edition.key)


def feed_of(config: Config, edition: Edition) -> FeedConfig:
    """The [feed] settings as the edition's feed and archive use them: its title, and its
    section of the site as the site's address."""
    if edition.default:
        return config.feed
    return replace(config.feed, title=edition.title,
                   site_url=f"{site_root(config.feed.site_url)}{edition.folder}/")


def make_digest(config: Config, store: Store, edition: Edition, now: datetime) -> Published:
    """The edition's next digest of what it has pending, its messages queued."""
    pending = pending_of(store, edition)
    if not pending:
        return Published(edition.name, None, 0)
    guids = [e.guid for e in pending]
    with store.transaction():
        number = (store.create_digest(now, guids) if edition.default
                  else store.editions().create_digest(edition.key, now, guids))
        if edition.queues_telegram:
            digest = build_digest(number, pending, now)
            site = public_site(feed_of(config, edition).site_url)
            # The default edition's header is what it always was; another names itself.
            title = DIGEST_TITLE if edition.default else edition.title
            feed_url = public_site(config.feed.site_url) + edition.feed_file if site else ""
            store.outbox().queue(number, edition.channel, render_telegram(
                digest, site=site, show_checks=config.digest.show_checks, title=title,
                feed_url=feed_url))
    return Published(edition.name, number, len(pending))


def remove_temps(config: Config, edition: Edition) -> None:
    """Temp files of ours in the edition's folders: a killed run's (the job lock is held)."""
    out = config.paths.out / edition.folder
    for name in ("", PREVIEW_DIR, *WEB_DIRS):
        remove_stale_temps(out / name)
    feed_folder = (config.paths.out / edition.feed_file).parent
    if feed_folder != out:
        remove_stale_temps(feed_folder)


def write_outputs(config: Config, store: Store, edition: Edition,
                  now: datetime) -> tuple[list[Path], str]:
    """The edition's feed file and archive pages brought up to date, then its search index;
    (the files written, a line about the search index or "")."""
    feed = feed_of(config, edition)
    out = config.paths.out / edition.folder
    recent = recent_of(store, edition, config.feed.max_items)
    checks = config.digest.show_checks
    outputs: list[Path] = []
    path = config.paths.out / edition.feed_file
    written = write_feed(path.parent, recent, feed, now, show_checks=checks, name=path.name,
                         href=site_root(config.feed.site_url) + edition.feed_file)
    if written is not None:
        outputs.append(written)
    # The archive's pages: named by the index alone, which any change reaches.
    # Its pages link its feed file wherever feed_file put it, relative to its section.
    feed_link = posixpath.relpath(edition.feed_file, edition.folder or ".")
    if write_web(out, recent, feed, show_checks=checks, feed_link=feed_link):
        outputs.append(out / INDEX_NAME)
    # Its search index, rebuilt when an article page changed; without it, a warning only.
    if not feed.search:
        return outputs, ""
    return outputs, update_search(out, config.paths.pagefind)
