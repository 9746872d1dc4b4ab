"""Near-duplicate articles in a run become one entry listing every source (bot/run/merge.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from bot.cli.app import inspect_file
from bot.config import Config, DigestConfig, PathsConfig, SourcesConfig
from bot.glossary import Glossary
from bot.run.worker import RunReport, run_once
from bot.state.status import status_lines
from bot.state.store import Store
from bot.translate.translator import WholeBatches
from tests.support.pages import parse_html5
from tests.test_neardup import REPRINT, SAME_TOPIC, STORY

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
WIRE = "https://wire-a.example/rail/record"
PAPER = "https://paper-b.example/news/123"


class Model(WholeBatches):
    """Stands in for the model: records every text it is asked to translate."""

    identity = "counting-echo"

    def __init__(self) -> None:
        self.texts: list[str] = []

    def translate(self, sentences: Sequence[str]) -> list[str]:
        self.texts += sentences
        return [f"EN({len(s)})" for s in sentences]


def page(text: str, url: str, original: str) -> str:
    """A web copy: the article, then its source as a `Reference(s):` footer."""
    return f"{text}\nReference(s):\n{original}\n{url}\n"


def config_for(tmp_path: Path, database: str = "", **digest: float) -> Config:
    """A config over tmp_path; its state on the PostgreSQL `database` when given."""
    database = database if database.startswith("postgresql://") else ""
    return Config(paths=PathsConfig(seeds=tmp_path / "seeds", out=tmp_path / "out",
                                    state=tmp_path / "state.sqlite3", database=database),
                  sources=SourcesConfig(settle_seconds=0),
                  digest=replace(DigestConfig(), **digest))


def drop(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / "seeds").mkdir(exist_ok=True)
    (tmp_path / "seeds" / name).write_text(text, encoding="utf-8")


def run(config: Config, model: Model, now: datetime = NOW) -> RunReport:
    store = Store.open(config.paths.store)
    try:
        return run_once(config, store, Glossary(), model, now=now)
    finally:
        store.close()


def stored(config: Config) -> list[tuple[str, tuple[str, ...]]]:
    """(the source URL, the other sources' URLs) of every entry."""
    store = Store.open(config.paths.store)
    try:
        return [(e.source.url, tuple(s.url for s in e.also))
                for e in store.recent_entries(100)]
    finally:
        store.close()


def test_two_near_identical_files_make_one_entry_with_both_sources(tmp_path: Path,
                                                                  state_target: str):
    config = config_for(tmp_path, state_target)
    drop(tmp_path, "a.txt", page(STORY, WIRE, "Xi'an trains hit a record"))
    drop(tmp_path, "b.txt", page(REPRINT, PAPER, "Record year for Xi'an freight"))
    model = Model()
    report = run(config, model)
    assert report.entries == 1 and report.published == 1
    assert stored(config) == [(WIRE, (PAPER,))]
    # Translated once: the reprint's title and sentences never reach the model.
    assert "中欧班列「長安号」、年間運行本数が過去最多に" in model.texts
    assert not [t for t in model.texts if "西安発の欧州向け" in t or "陝西省" in t]
    assert len(model.texts) == len(set(model.texts))
    [(name, reason)] = report.skipped
    assert name == "b.txt" and reason.startswith("same story as kakehashi-")
    # Every output lists both sources.
    out = config.paths.out
    [message] = sorted((out / "telegram").glob("*.html"))
    telegram = message.read_text(encoding="utf-8")
    assert WIRE in telegram and f'Also from: <a href="{PAPER}">paper-b.example</a>' in telegram
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert WIRE in feed and PAPER in feed and "Also from" in feed
    [article] = sorted((out / "articles").glob("*.html"))
    html = article.read_text(encoding="utf-8")
    assert f'href="{WIRE}"' in html and f'href="{PAPER}"' in html
    # Still valid: strict HTML5 pages, a feed that parses cleanly.
    for path in [article, *(out / "digests").glob("*.html")]:
        parse_html5(path)
    parsed = feedparser.parse(feed)
    assert parsed.bozo == 0 and PAPER in parsed.entries[0].description
    # status says what was merged into what, and how alike they were.
    lines = status_lines(config)
    merged = lines[lines.index(next(x for x in lines if x.startswith("stories merged"))) + 1]
    assert "b.txt" in merged and "similarity 0." in merged and "kakehashi-" in merged
    assert "「西安発の欧州向け貨物列車" in merged and "「中欧班列「長安号」" in merged


def test_a_different_story_on_the_same_topic_is_its_own_entry(tmp_path: Path):
    config = config_for(tmp_path)
    drop(tmp_path, "a.txt", page(STORY, WIRE, "Xi'an"))
    drop(tmp_path, "b.txt", page(SAME_TOPIC, PAPER, "Chongqing"))
    assert run(config, Model()).entries == 2
    assert sorted(stored(config)) == [(PAPER, ()), (WIRE, ())]


def test_threshold_zero_turns_merging_off(tmp_path: Path):
    config = config_for(tmp_path, merge_threshold=0)
    drop(tmp_path, "a.txt", page(STORY, WIRE, "Xi'an"))
    drop(tmp_path, "b.txt", page(REPRINT, PAPER, "Xi'an again"))
    assert run(config, Model()).entries == 2
    assert sorted(stored(config)) == [(PAPER, ()), (WIRE, ())]
    with sqlite3.connect(config.paths.state) as conn:
        assert conn.execute("SELECT count(*) FROM stories").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM merges").fetchone() == (0,)


@pytest.mark.slow
def test_reprint_of_an_earlier_run_within_the_window_is_not_published_again(
        tmp_path: Path, state_target: str):
    config = config_for(tmp_path, state_target)
    drop(tmp_path, "a.txt", page(STORY, WIRE, "Xi'an"))
    assert run(config, Model()).published == 1
    drop(tmp_path, "b.txt", page(REPRINT, PAPER, "Xi'an again"))
    model = Model()
    report = run(config, model, NOW + timedelta(days=2))
    assert report.entries == 0 and report.published == 0 and model.texts == []
    [(name, reason)] = report.skipped
    assert name == "b.txt" and "same story as kakehashi-" in reason
    assert "not published again" in reason
    # The published entry lists it from now on (archive and feed; its message is sent).
    assert stored(config) == [(WIRE, (PAPER,))]
    assert any("same story as" in line for line in status_lines(config))
    # inspect tells the same for the file, reading the state without changing it.
    found = inspect_file(replace(config, digest=replace(config.digest, merge_window_days=3650)),
                         tmp_path / "seeds" / "b.txt")["articles"][0]["same_story"]
    assert found["guid"].startswith("kakehashi-") and found["similarity"] >= 0.6
    json.dumps(found)


@pytest.mark.slow
def test_reprint_outside_the_window_is_published(tmp_path: Path):
    config = config_for(tmp_path, merge_window_days=3)
    drop(tmp_path, "a.txt", page(STORY, WIRE, "Xi'an"))
    run(config, Model())
    drop(tmp_path, "b.txt", page(REPRINT, PAPER, "Xi'an again"))
    report = run(config, Model(), NOW + timedelta(days=4))
    assert report.entries == 1 and report.skipped == ()
    assert sorted(stored(config)) == [(PAPER, ()), (WIRE, ())]


def test_an_exact_copy_of_a_merged_reprint_is_known_later(tmp_path: Path):
    config = config_for(tmp_path, merge_window_days=0)
    drop(tmp_path, "a.txt", page(STORY, WIRE, "Xi'an"))
    drop(tmp_path, "b.txt", page(REPRINT, PAPER, "Xi'an again"))
    run(config, Model())
    drop(tmp_path, "c.txt", page(REPRINT, "https://other-c.example/1", "Copy"))
    report = run(config, Model(), NOW + timedelta(days=30))
    assert report.entries == 0
    assert [reason for _, reason in report.skipped] == [
        "every article in it was published before (same title and text)"]


def test_signatures_and_merges_are_kept_in_the_state(tmp_path: Path):
    config = config_for(tmp_path)
    drop(tmp_path, "a.txt", page(STORY, WIRE, "Xi'an"))
    drop(tmp_path, "b.txt", page(REPRINT, PAPER, "Xi'an again"))
    run(config, Model())
    with sqlite3.connect(config.paths.state) as conn:
        stories = conn.execute("SELECT guid, length(signature) FROM stories").fetchall()
        merges = conn.execute("SELECT name, guid, similarity FROM merges").fetchall()
    assert [length for _, length in stories] == [128 * 8]  # 128 least 64-bit hashes
    assert [(name, guid) for name, guid, _ in merges] == [("b.txt", stories[0][0])]
    assert 0.6 <= merges[0][2] < 1.0


def test_a_story_with_many_sources_names_five_in_telegram_and_all_on_its_page(tmp_path: Path):
    from bot.core.model import Digest, Entry, Pair, SourceInfo
    from bot.publish.render import render_page, render_telegram

    also = tuple(SourceInfo(site=f"paper{n}.example", url=f"https://paper{n}.example/a")
                 for n in range(8))
    entry = Entry("kakehashi-0", "a.txt", "題", "Title", (Pair("文。", "Text."),), (), (),
                  SourceInfo(site="wire.example", url=WIRE), NOW, also)
    [message] = render_telegram(Digest(1, NOW, (entry,)))
    assert "paper4.example" in message and "paper5.example" not in message
    assert "and 3 more" in message
    html = render_page("article.html.j2", entry=entry, digest_id=1, feed=Config().feed,
                       show_checks=False, site="")
    assert all(source.url in html for source in also)


def test_inspect_names_an_earlier_article_of_the_same_file(tmp_path: Path):
    config = config_for(tmp_path)  # no state file yet: only the file's own articles
    drop(tmp_path, "both.txt", page(STORY, WIRE, "Xi'an") + page(REPRINT, PAPER, "Again"))
    articles = inspect_file(config, tmp_path / "seeds" / "both.txt")["articles"]
    assert [a["same_story"] is None for a in articles] == [True, False]
    assert articles[1]["same_story"]["article"] == 0
    assert articles[1]["same_story"]["title"] == articles[0]["title"]
    assert not config.paths.state.exists()
    off = replace(config, digest=replace(config.digest, merge_threshold=0))
    assert [a["same_story"] for a in inspect_file(off, tmp_path / "seeds" / "both.txt")[
        "articles"]] == [None, None]
