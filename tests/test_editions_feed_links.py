"""An edition's own feed_file, wherever it lies under OUT/, is what its archive pages and its
Telegram header link to: the "RSS feed" links, the page heads' alternate link and the
header's feed address all reach the file the edition really writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.config.editions import editions_of
from bot.core.editions import Edition
from bot.publish.served import is_served
from bot.run.editions import make_digest, write_outputs
from bot.state.store import Store
from tests.support.pages import broken_links, parse_html5
from tests.support.site import NOW, SITE, news_entry, report_entry

EDITIONS = """
[[editions]]
name = "rail"
chat_id = "-1001"
feed_file = "rail.xml"

[[editions]]
name = "asia"
chat_id = "-1002"
feed_file = "feeds/central-asia.xml"
"""


def configure(root: Path) -> Config:
    path = root / "k.toml"
    path.write_text(f'[paths]\nseeds = "seeds"\nout = "out"\nstate = "state.sqlite3"\n'
                    f'[feed]\nsite_url = "{SITE}"\nsearch = true\n{EDITIONS}',
                    encoding="utf-8")
    return load_config(path, {})


def publish(config: Config, store: Store, edition: Edition) -> None:
    entries = [news_entry(), report_entry()]
    store.add_entries(entries)
    store.editions().assign(edition.key, [e.guid for e in entries])
    assert make_digest(config, store, edition, NOW).digest_id == 1
    write_outputs(config, store, edition, NOW)


def feed_links(page: Path) -> list[str]:
    """The page's links to a feed: its alternate link and its "RSS feed" anchors."""
    tree = parse_html5(page)
    return [e.get("href", "") for e in tree.iter()
            if e.get("type") == "application/rss+xml" or "".join(e.itertext()) == "RSS feed"]


@pytest.mark.parametrize(("name", "feed_file"), [("rail", "rail.xml"),
                                                  ("asia", "feeds/central-asia.xml")])
def test_an_editions_pages_and_messages_link_its_own_feed_file(
        tmp_path: Path, name: str, feed_file: str) -> None:
    config = configure(tmp_path)
    assert is_served(feed_file.split("/"))  # `kakehashi serve` serves it where it lies
    edition = next(e for e in editions_of(config) if e.name == name)
    assert edition.feed_file == feed_file
    store = Store.open(config.paths.state)
    try:
        publish(config, store, edition)
        messages = store.outbox().pending(edition.channel)
    finally:
        store.close()
    out = config.paths.out
    feed = (out / feed_file).resolve()
    assert feed.is_file()
    pages = sorted((out / name).rglob("*.html"))
    kinds = {p.relative_to(out / name).parts[0] for p in pages}
    assert {"index.html", "search.html", "digests", "articles", "sources"} <= kinds
    for page in pages:
        links = feed_links(page)
        assert links, page  # every page heads with its feed
        for link in links:
            assert (page.parent / link).resolve() == feed, (page, link)
    assert broken_links(out) == []
    assert messages and f'href="{SITE}{feed_file}"' in messages[0].body
    assert f'href="{SITE}{name}/feed.xml"' not in messages[0].body
