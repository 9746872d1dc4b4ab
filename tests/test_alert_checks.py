"""Editors' checks (numbers changed in translation) reach the admin chat once, not the
subscribers: told once per entry, also across a restart, and not twice when the entry's
glossary failure is told already."""

from __future__ import annotations

from bot.chat.alerts import AlertKind, Event, StoreState, tick_events
from bot.chat.told import Seen, seen_from_keys, seen_keys
from bot.state.records import EditorCheck, TermFailure

NUMBER = EditorCheck("g1", "report.pdf", "number 4300 missing in translation")
TERM = EditorCheck("g2", "memo.txt", "glossary: 中欧班列 not rendered as agreed")


def test_a_changed_number_is_told_once_and_survives_a_restart():
    state = StoreState(checks=(NUMBER,))
    events, seen = tick_events(None, None, state, Seen())
    assert events == [Event(AlertKind.CHECK, "report.pdf: number 4300 missing in translation")]
    assert tick_events(None, None, state, seen)[0] == []
    restarted = seen_from_keys(seen_keys(seen))  # what the state file keeps
    assert restarted.checks == {"g1"}
    assert tick_events(None, None, state, restarted)[0] == []


def test_an_entry_told_as_a_glossary_failure_is_not_told_again_as_a_check():
    state = StoreState(failed_terms=(TermFailure("g2", "memo.txt", "中欧班列", False),),
                       checks=(TERM, NUMBER))
    events, _ = tick_events(None, None, state, Seen())
    assert [e.kind for e in events] == [AlertKind.GLOSSARY, AlertKind.CHECK]
    assert "report.pdf" in events[1].text


def test_keys_of_an_older_worker_still_read():
    old = seen_from_keys(["feed\thttps://x.example/feed", "term\tg9"])
    assert old.checks == frozenset() and old.terms == {"g9"}
