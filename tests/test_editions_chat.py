"""The bot answers /start and /latest per edition: the chat a command comes from (an
edition's group) decides, else the command's first word (`/start rail`), else the default."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.chat.latest import read_latest
from bot.chat.replies import edition_for, help_message, latest_messages
from bot.config import Config, load_config
from bot.state.records import DeliveryStatus, Message
from bot.state.store import Store

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def configured(tmp_path: Path) -> Config:
    path = tmp_path / "k.toml"
    path.write_text('[feed]\nsite_url = "https://news.example/"\ntitle = "All news"\n'
                    '[telegram]\nchat_id = "@all_news"\n'
                    '[[editions]]\nname = "rail"\nchat_id = "-1001"\ntitle = "Rail"\n'
                    '[[editions]]\nname = "asia"\nchat_id = "@asia_news"\n'
                    'feed_file = "central-asia.xml"\n', encoding="utf-8")
    return load_config(path, {})


def test_the_chat_or_the_first_word_decides_the_edition(tmp_path: Path) -> None:
    config = configured(tmp_path)
    assert edition_for(config, -1001, []).name == "rail"  # the rail edition's group
    assert edition_for(config, 42, ["asia"]).name == "asia"  # /start asia in a private chat
    assert edition_for(config, 42, ["nothing"]).name == "default"
    assert edition_for(config, 42, []).name == "default"


def test_start_tells_the_editions_own_channel_feed_and_archive(tmp_path: Path) -> None:
    config = configured(tmp_path)
    asia = help_message(config, False, edition_for(config, 42, ["asia"]))
    assert "https://t.me/asia_news" in asia and "https://news.example/central-asia.xml" in asia
    assert "https://news.example/asia/index.html" in asia and "All news · asia" in asia
    assert "/start default" in asia and "/start rail" in asia
    rail = help_message(config, False, edition_for(config, -1001, []))
    assert "<b>Rail</b>" in rail and "https://news.example/rail/feed.xml" in rail
    default = help_message(config, False)
    assert "https://t.me/all_news" in default and "https://news.example/feed.xml" in default
    assert "https://news.example/index.html" in default


def test_latest_reads_the_editions_own_channel(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    store = Store.open(state)
    outbox = store.outbox()
    with store.transaction():
        store.create_digest(NOW, [])
        outbox.queue(1, "telegram", ["<b>all</b>"])
        outbox.queue(4, "telegram.rail", ["<b>rail</b>"])
    outbox.record(Message(1, 1, "<b>all</b>"), "telegram", DeliveryStatus.SENT)
    outbox.record(Message(4, 1, "<b>rail</b>"), "telegram.rail", DeliveryStatus.SENT)
    store.close()
    assert read_latest(state) == (1, ["<b>all</b>"])
    assert read_latest(state, "telegram.rail") == (4, ["<b>rail</b>"])
    assert read_latest(state, "telegram.asia") == (0, [])
    config = configured(tmp_path)
    rail = edition_for(config, -1001, [])
    many = latest_messages(["x"] * 8, 4, config, rail)
    assert "https://news.example/rail/digests/4.html" in many[-1]


def test_an_editions_section_is_served_as_the_top_level_is() -> None:
    from bot.publish.served import PAGE_POLICY, SEARCH_POLICY, is_served, page_policy

    for parts in (["rail", "index.html"], ["rail", "feed.xml"], ["rail", "digests", "2.html"],
                  ["rail", "pagefind", "index", "x.pf_index"], ["central-asia.xml"]):
        assert is_served(parts), parts
    for parts in (["rail", "telegram", "001.html"], ["rail", "x", "y", "z.html"],
                  ["telegram", "001.html"], ["rail", ".feed.xml.tmp"], ["Rail", "index.html"],
                  ["rail", "state.sqlite3"]):
        assert not is_served(parts), parts
    assert page_policy(["rail", "search.html"]) == SEARCH_POLICY
    assert page_policy(["rail", "index.html"]) == PAGE_POLICY
