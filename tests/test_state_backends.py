"""Each table's queries give the same answers on a state file and on PostgreSQL (the
`state_target` fixture runs every test once per backend): feeds and pages, alerts told, stories
and merges, editions, the translation memory, the stat index, holds and releases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.model import Entry, Pair, SourceInfo, Term
from bot.state.records import DeliveryStatus, FailingFeed, FeedWarning, SavedFeed, SavedPage
from bot.state.records import MessageRef as Ref
from bot.state.store import Store
from bot.state.storylog import Merge, StoredStory

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def entry(guid: str, minutes: int = 0, failed: bool = False) -> Entry:
    terms = (Term("一帯一路", "BRI", "failed"),) if failed else ()
    return Entry(guid, "a.txt", "見出し", "Headline", (Pair("文。", "S."),), terms, (),
                 SourceInfo(url=f"https://x.example/{guid}"), NOW + timedelta(minutes=minutes))


def test_feeds_and_pages(state_target: str) -> None:
    store = Store.open(state_target)
    feeds = store.feeds()
    with store.transaction():
        feeds.save("https://b.example/feed", "e1", "m1", 0, 1.5, "")
        feeds.save("https://b.example/feed", "e2", "m2", 2, 2.5, "HTTP 503")  # replaced
        feeds.save("https://a.example/feed", "", "", 0, 0.0, "malformed XML")
        feeds.save_page("https://a.example/1", SavedPage("t", "", "本文", "", ""), 1000.0)
        feeds.save_page("https://a.example/2", SavedPage("", "", "", "", "HTTP 404"), 2000.0)
    assert feeds.state("https://b.example/feed") == SavedFeed("e2", "m2", 2, 2.5, "HTTP 503")
    assert feeds.state("https://none.example/") is None
    assert feeds.failing() == [FailingFeed("https://b.example/feed", 2, "HTTP 503")]
    assert feeds.warnings() == [FeedWarning("https://a.example/feed", "malformed XML")]
    assert feeds.page("https://a.example/1") == SavedPage("t", "", "本文", "", "")
    assert [t.url for t in feeds.teasers()] == ["https://a.example/2"]
    store.close()


def test_alerts_told_are_replaced_whole(state_target: str) -> None:
    store = Store.open(state_target)
    store.alert_log().replace(["b", "a", "a"])
    assert store.alert_log().told() == ["a", "b"]
    store.alert_log().replace(["c"])
    assert store.alert_log().told() == ["c"]
    store.close()


def test_stories_and_merges_in_the_order_stored(state_target: str) -> None:
    store = Store.open(state_target)
    log = store.stories()
    signature = bytes(range(256)) * 2
    with store.transaction():
        store.add_entries([entry("g2"), entry("g1")])
        log.add(StoredStory("g2", "二", signature, 40, "1 2"), NOW)
        log.add(StoredStory("g1", "一", b"\x00\xff", 3, ""), NOW)
        log.add(StoredStory("g1", "dup", b"", 0, ""), NOW)  # kept as first stored
        log.record_merge(Merge("k1", "g2", "b.txt", "別", 0.75, NOW.isoformat()))
        log.add_source("g2", SourceInfo(url="https://y.example/"))
    stories = log.since(NOW - timedelta(days=1))
    assert [(s.guid, s.title, s.values) for s in stories] == [
        ("g2", "二", signature), ("g1", "一", b"\x00\xff")]
    assert log.merges() == [Merge("k1", "g2", "b.txt", "別", 0.75, NOW.isoformat(), "二")]
    assert [e.also for e in store.pending_entries() if e.guid == "g2"] == [
        (SourceInfo(url="https://y.example/"),)]
    store.close()


def test_editions_number_their_own_digests(state_target: str) -> None:
    store = Store.open(state_target)
    log = store.editions()
    with store.transaction():
        store.add_entries([entry("g1", 1), entry("g2", 2), entry("g3", 3)])
        log.assign("rail", ["g1", "g3"])
        log.assign("rail", ["g1"])  # once
    assert [e.guid for e in log.pending("rail")] == ["g1", "g3"]
    with store.transaction():
        assert log.create_digest("rail", NOW, ["g1", "g3"]) == 1
        store.outbox().queue(1, "telegram.rail", ["one"])
    assert log.pending_count("rail") == 0 and log.last_number("rail") == 1
    digests = log.recent_digests("rail", 10)
    assert [(d.id, [e.guid for e in d.entries]) for d in digests] == [(1, ["g1", "g3"])]
    store.close()


def test_memory_files_holds_and_digests(state_target: str) -> None:
    store = Store.open(state_target)
    with store.transaction():
        store.put_translations({"k1": "one", "k2": "two"})
        store.put_translations({"k1": "uno"})
        store.record_file("a.txt", 10, 1_764_000_000_123_456_789, "h")
        store.add_entries([entry("g1", 1, failed=True), entry("g2", 2)], hold_failed=True)
        store.record_articles([("key1", "g1"), ("key1", "g9")])
    assert store.cached_translations(["k1", "k2", "k3"]) == {"k1": "uno", "k2": "two"}
    assert store.file_index() == {"a.txt": (10, 1_764_000_000_123_456_789)}
    assert store.known_articles(["key1", "key2"]) == {"key1"}
    assert store.holds(["g1", "g2", "gx"]) == {"g1": True, "g2": False}
    assert [e.guid for e in store.pending_entries()] == ["g2"]
    assert store.release(["g1"]) == 1 and store.release(None) == 0
    with store.transaction():
        first = store.create_digest(NOW, ["g1"])
        second = store.create_digest(NOW, ["g2"])
        store.outbox().queue(second, "telegram", ["a", "b"])
    assert second == first + 1
    assert [d.id for d in store.recent_digests(10)] == [second, first]
    outbox = store.outbox()
    assert outbox.claim_next("telegram", "pid 1", NOW) is not None
    assert outbox.settle_uncertain("telegram", DeliveryStatus.HELD, "uncertain") == 1
    assert outbox.statuses([Ref("telegram", second, 1)]) == {
        Ref("telegram", second, 1): DeliveryStatus.HELD}
    assert outbox.release_held(None) == 1
    counts = store.counts()
    assert (counts.entries, counts.digests, counts.undelivered, counts.held) == (2, 2, 2, 0)
    store.close()
