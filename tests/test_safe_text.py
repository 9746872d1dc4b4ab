"""Characters no output can carry: removed where text enters, and again when rendering."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from bot.config import FeedConfig
from bot.core.model import Digest, Entry, Pair, SourceInfo, Term
from bot.publish.render import render_feed, render_telegram
from bot.state.store import Store
from bot.text.safe import display_name, is_lossless, safe_text
from tests.support.telegram_html import telegram_html_problems

# Every class of character XML 1.0 or Telegram cannot carry, plus the harmful legal ones
# (the surrogates in the order that can never make a pair).
BAD = ("\x00\x01\x07\x08\x0b\x0c\x0e\x1b\x1f\x7f\x80\x85\x9f\udfff\ud800\ufdd0\ufffe\uffff"
       "\U0001fffe\U0010ffff\u202a\u202e\u2066\u2069")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_safe_text_removes_each_bad_character_and_keeps_text():
    # Vertical tab, form feed and NEL end a line; the rest vanish.
    assert safe_text(f"中国{BAD}と\tカザフ\r\nスタン") == "中国\n\n\nと\tカザフ\r\nスタン"
    for char in BAD:
        cleaned = safe_text(f"a{char}b")
        assert cleaned in ("ab", "a\nb"), repr(char)


def test_safe_text_keeps_every_legal_character():
    legal = "日本語テキスト「引用」①㈱髙 ＡＢＣ abc \t\n\r é ñ 😀 \u200e\u200f \u00a0 ～"
    assert safe_text(legal) is legal


@pytest.mark.parametrize("raw, shown", [
    (os.fsdecode(b"bad\xff.md"), "bad\\xff.md"),
    (os.fsdecode("報告".encode("shift_jis") + b".txt"), "\\x95\\xf1\\x8d\\x90.txt"),
    ("two\nlines.txt", "two\\x0alines.txt"),
    ("esc\x1b[31m.txt", "esc\\x1b[31m.txt"),
    ("evil\u202etxt.md", "evil\\u202etxt.md"),
    ("普通の名前.txt", "普通の名前.txt"),
])
def test_display_name_is_one_safe_line(raw: str, shown: str):
    assert display_name(raw) == shown
    assert safe_text(shown) == shown and "\n" not in shown
    shown.encode("utf-8")  # storable and printable


def test_undecodable_names_are_not_lossless():
    assert not is_lossless(os.fsdecode(b"bad\xff.md"))
    assert is_lossless("普通の名前.txt")


def hostile_entry(guid: str) -> Entry:
    dirty = f"中国{BAD}カザフスタン"
    return Entry(
        guid=guid, document=f"doc{BAD}.txt", title_ja=dirty, title_en=f"China{BAD}",
        pairs=(Pair(f"文{BAD}。", f"Sentence{BAD}."),), terms=(Term("中国", "China"),),
        warnings=(f"number{BAD} changed",),
        source=SourceInfo(site=f"example{BAD}.org", url=f"https://example.org/{BAD}",
                          original_title=f"Title{BAD}", published="2026-11-25T00:00:00"),
        created=NOW,
    )


def store_hostile_entries(path: Path) -> list[Entry]:
    """An older state file's rows: written without any cleaning, lone surrogates included
    (as JSON escapes, which is how they can sit in a state file at all)."""
    store = Store.open(path)
    store.close()
    entries = [hostile_entry("kakehashi-hostile-1"), hostile_entry("kakehashi-hostile-2")]
    conn = sqlite3.connect(path)
    with conn:
        for entry in entries:
            data = json.loads(json.dumps({
                "guid": entry.guid, "document": entry.document, "title_ja": entry.title_ja,
                "title_en": entry.title_en, "pairs": [vars(p) for p in entry.pairs],
                "terms": [vars(t) for t in entry.terms], "warnings": list(entry.warnings),
                "source": vars(entry.source), "created": entry.created.isoformat()}))
            conn.execute("INSERT INTO entries(guid, document, created, data) VALUES (?,?,?,?)",
                         (entry.guid, "doc", entry.created.isoformat(),
                          json.dumps(data, ensure_ascii=True)))
    conn.close()
    store = Store.open(path)
    try:
        with store.transaction():
            store.create_digest(NOW, [e.guid for e in entries])
        return store.recent_entries(10)
    finally:
        store.close()


def test_a_stored_entry_with_every_bad_character_still_gives_a_valid_feed(tmp_path: Path):
    entries = store_hostile_entries(tmp_path / "state.sqlite3")
    assert len(entries) == 2 and "\x1b" in entries[0].title_ja and "\ud800" in entries[0].title_ja

    xml = render_feed(entries, FeedConfig(), NOW).encode("utf-8")

    root = etree.fromstring(xml)
    assert len(root.findall("channel/item")) == 2
    parsed = feedparser.parse(xml)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert "中国カザフスタン" in "".join(parsed.entries[0].title.split())
    assert "Sentence." in "".join(parsed.entries[0].description.split())


def test_a_stored_entry_with_every_bad_character_gives_valid_telegram_html(tmp_path: Path):
    entries = store_hostile_entries(tmp_path / "state.sqlite3")

    messages = render_telegram(Digest(1, NOW, tuple(entries)))

    assert messages
    for message in messages:
        message.encode("utf-8")
        assert telegram_html_problems(message) == []
        assert safe_text(message) == message
        assert "中国カザフスタン" in "".join(message.split())


def test_terminal_colour_codes_go_whole():
    assert safe_text("赤\x1b[31;1m字\x1b[0mです\x9b2J。") == "赤字です。"
