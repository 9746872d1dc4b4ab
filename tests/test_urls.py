"""Credentials in URLs: removed by one helper wherever a URL is shown or published."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.chat.alerts import AlertKind, Event, format_batch
from bot.core.model import Entry, Pair, SourceInfo
from bot.state.entry_json import dump_entry, load_entry
from bot.text.urls import shown_source, without_credentials


@pytest.mark.parametrize(("text", "shown"), [
    ("https://user:pass@host.example/feed", "https://host.example/feed"),
    ("http://token@h.example", "http://h.example"),
    ("https://u:p@ss@h.example:8080/f?x=a@b", "https://h.example:8080/f?x=a@b"),  # @ in it
    ("failing: HTTP://A:B@h.example/x (3) and https://c:d@e.example/",
     "failing: HTTP://h.example/x (3) and https://e.example/"),
    ("write to me@example.org or see https://h.example/a@b", None),  # nothing to remove
    ("https://h.example/path@x?q=1#y@z", None),
])
def test_credentials_go_and_everything_else_stays(text: str, shown: str | None) -> None:
    assert without_credentials(text) == (text if shown is None else shown)


def test_an_entry_stored_with_credentials_comes_back_without_them() -> None:
    entry = Entry("g", "https://u:secret@feeds.example/a/1", "見出し", "Title",
                  (Pair("文。", "S."),), (), (),
                  SourceInfo("feeds.example", "https://u:secret@feeds.example/a/1"),
                  datetime(2026, 11, 26, tzinfo=UTC))
    raw = dump_entry(entry)
    assert "secret" in json.loads(raw)["document"]  # as an older version stored it
    loaded = load_entry(raw)
    assert loaded.document == loaded.source.url == "https://feeds.example/a/1"
    assert shown_source(entry.source).url == "https://feeds.example/a/1"


def test_an_alert_shows_a_feed_without_its_credentials() -> None:
    text = format_batch([Event(AlertKind.FEED, "https://u:secret@f.example/rss: HTTP 500")], 0, "")
    assert "secret" not in text and "https://f.example/rss: HTTP 500" in text
