"""The bot's answers as pure functions, its config keys, and the read-only state it reads."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.chat.latest import read_latest
from bot.chat.replies import (
    MAX_LATEST,
    NO_DIGEST,
    channel_link,
    help_message,
    latest_messages,
    preformatted,
)
from bot.config import Config, FeedConfig, TelegramConfig, load_config
from bot.core.errors import ConfigError, StoreError
from bot.state.records import DeliveryStatus, Message
from bot.state.store import Store
from tests.support.telegram_html import telegram_html_problems


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def shown(html: str) -> str:
    """The text Telegram displays for our <pre> messages."""
    from html import unescape

    return unescape(html.removeprefix("<pre>").removesuffix("</pre>"))


def test_help_escapes_the_configured_texts_and_hides_loopback_sites():
    config = Config(feed=FeedConfig(title="A <b> & C", description="x < y",
                                    site_url="http://127.0.0.1:8000/"),
                    telegram=TelegramConfig(chat_id="-1001234"))
    text = help_message(config, admin=False)
    assert "A &lt;b&gt; &amp; C" in text and "x &lt; y" in text
    assert "127.0.0.1" not in text and "no public address" in text
    assert telegram_html_problems(text) == []


def test_channel_link_only_for_public_channel_names():
    assert channel_link("@news_ja") == "https://t.me/news_ja"
    assert channel_link("-1001234567") == "" and channel_link("@") == ""


def test_latest_sends_a_few_messages_then_links_the_rest():
    config = Config(feed=FeedConfig(site_url="https://example.org/d/"))
    bodies = [f"<b>part {n}</b>" for n in range(1, MAX_LATEST + 4)]
    out = latest_messages(bodies, 12, config)
    assert out[:MAX_LATEST] == bodies[:MAX_LATEST] and len(out) == MAX_LATEST + 1
    assert "3 more message(s)" in out[-1] and "https://example.org/d/digests/12.html" in out[-1]
    assert latest_messages([], 0, config) == [NO_DIGEST]


@pytest.mark.parametrize("seed", range(20))
def test_status_lines_fit_telegram_messages_whatever_they_hold(seed: int):
    rng = random.Random(seed)
    alphabet = "ab <>&\"'日本語𝕏😀\t"
    lines = ["".join(rng.choice(alphabet) for _ in range(rng.choice([0, 5, 80, 5000])))
             for _ in range(rng.randint(0, 400))]
    messages = preformatted(lines)
    assert 1 <= len(messages) <= 4
    for message in messages:
        assert telegram_html_problems(message) == []
        assert utf16_units(shown(message)) <= 4096
    if len(messages) < 4 and all(utf16_units(line) <= 3800 for line in lines):
        assert "\n".join(shown(m) for m in messages) == "\n".join(lines)
    else:
        assert len(messages) == 4 or any("…" in shown(m) for m in messages)


def test_too_many_status_lines_say_how_many_were_left_out():
    messages = preformatted([f"line {n} " + "x" * 90 for n in range(400)])
    assert len(messages) == 4
    assert "more line(s): run 'kakehashi status' on the server" in messages[-1]
    kept = sum(shown(m).count("\n") + 1 for m in messages[:3])
    assert f"… {400 - kept} more line(s)" in messages[-1]


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "k.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_admin_ids_are_numbers_written_either_way(tmp_path: Path):
    path = write_config(tmp_path, '[telegram]\nadmin_ids = [12345, "-100987", 6]\n')
    assert load_config(path, {}).telegram.admin_ids == ("12345", "-100987", "6")


@pytest.mark.parametrize(("text", "message"), [
    ('admin_ids = ["@someone"]', "'@someone' is not a numeric chat id"),
    ("admin_ids = [true]", "admin_ids must be a list of strings"),
    ('admin_ids = "12345"', "admin_ids must be a list of strings"),
    ('webhook_url = "bot.example.org/hook"', "webhook_url must be an absolute https URL"),
    ("webhook_port = 0", "webhook_port must be a port number"),
    ("webhook_port = 70000", "webhook_port must be a port number"),
    ('webhook_secret = "x"', "unknown key telegram.webhook_secret"),
])
def test_bad_bot_settings_are_one_line_errors(tmp_path: Path, text: str, message: str):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")) as caught:
        load_config(write_config(tmp_path, f"[telegram]\n{text}\n"), {})
    assert "\n" not in str(caught.value)


def test_latest_reads_the_newest_digest_sent_without_writing(tmp_path: Path):
    state = tmp_path / "state.sqlite3"
    assert read_latest(state) == (0, []) and not state.exists()
    store = Store.open(state)
    outbox = store.outbox()
    with store.transaction():
        for digest in (1, 2, 3):
            assert store.create_digest(datetime(2026, 11, 26, tzinfo=UTC), []) == digest
            outbox.queue(digest, "telegram", [f"d{digest} p1", f"d{digest} p2", f"d{digest} p3"])
    sent, preview, rejected = DeliveryStatus.SENT, DeliveryStatus.PREVIEW, DeliveryStatus.REJECTED
    for digest, part, status in [(1, 1, sent), (1, 2, sent), (2, 1, preview), (2, 2, rejected),
                                 (2, 3, preview)]:
        outbox.record(Message(digest, part, ""), "telegram", status)
    store.close()  # digest 3 is still pending: not published yet
    before = state.read_bytes()
    assert read_latest(state) == (2, ["d2 p1", "d2 p3"])
    assert state.read_bytes() == before


def test_read_only_open_refuses_what_it_cannot_read(tmp_path: Path):
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"\x00not sqlite" * 50)
    with pytest.raises(StoreError, match="cannot read"):
        Store.open_read_only(garbage)
    with pytest.raises(StoreError, match="cannot read"):
        Store.open_read_only(tmp_path / "absent.sqlite3")
    assert not (tmp_path / "absent.sqlite3").exists()
    old = tmp_path / "old.sqlite3"
    import sqlite3

    sqlite3.connect(old).execute("PRAGMA user_version=1").connection.close()
    with pytest.raises(StoreError, match="older schema"):
        Store.open_read_only(old)

