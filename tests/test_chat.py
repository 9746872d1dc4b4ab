"""The bot that answers: the real python-telegram-bot Application, long polling the fake Bot API."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.chat.replies import UNKNOWN
from tests.support.chat_bot import ADMIN, READER, BotThread, Calls, chat_config
from tests.support.fake_bot_api import FakeBotApi


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def bot(api: FakeBotApi, calls: Calls, tmp_path: Path) -> Iterator[BotThread]:
    running = BotThread(chat_config(api, tmp_path / "state.sqlite3"), calls.actions).start()
    yield running
    running.stop()
    assert running.error is None, running.error


def settle(api: FakeBotApi) -> None:
    """Let the bot fetch and handle everything queued so far: a private /help sent last is
    answered after the updates before it were handled."""
    before = len(api.replies(9999))
    api.updates.message(9999, "/help")
    api.wait_replies(9999, before + 1)
    time.sleep(0.2)


def test_start_tells_how_to_subscribe(api: FakeBotApi, bot: BotThread):
    api.updates.message(READER, "/start")
    (reply,) = api.wait_replies(READER)
    assert "https://digest.example.org/news/feed.xml" in reply
    assert "https://digest.example.org/news/index.html" in reply
    assert "https://t.me/kakehashi_test" in reply
    assert "/latest" in reply and "/status" not in reply
    sent = next(m for m in api.messages if str(m["chat_id"]) == str(READER))
    assert sent["parse_mode"] == "HTML"


def test_help_in_an_admin_chat_lists_the_admin_commands(api: FakeBotApi, bot: BotThread):
    api.updates.message(ADMIN, "/help")
    (reply,) = api.wait_replies(ADMIN)
    assert "/status" in reply and "/digest" in reply and "/release" in reply


def test_admin_status_is_answered_with_the_status_lines(api: FakeBotApi, bot: BotThread,
                                                        calls: Calls):
    api.updates.message(ADMIN, "/status")
    (reply,) = api.wait_replies(ADMIN)
    assert reply == "<pre>state: secret/path/state.sqlite3\ndocuments: 3</pre>"
    assert calls.status == [1]
    assert any(f"/status from admin chat {ADMIN}" in line for line in bot.said)


def test_admin_commands_from_other_chats_reveal_nothing(api: FakeBotApi, bot: BotThread,
                                                        calls: Calls):
    # A reader's user id is not an admin chat, even in a private chat of their own; nor is a
    # group the admin writes in.
    api.updates.message(READER, "/status")
    api.updates.message(READER, "/digest")
    api.updates.message(READER, "/release all")
    api.updates.message(-100777, "/status", user_id=ADMIN, chat_type="supergroup")
    api.updates.message(READER, "/frobnicate")  # handled after them: they were all seen
    settle(api)
    assert api.wait_replies(READER) == [UNKNOWN]
    assert api.replies(-100777) == []
    assert calls.status == calls.publish == [] and calls.release == []
    assert not any("secret" in text for text in api.texts())


def test_digest_calls_the_service_and_says_what_it_did(api: FakeBotApi, bot: BotThread,
                                                       calls: Calls):
    api.updates.message(ADMIN, "/digest")
    (reply,) = api.wait_replies(ADMIN)
    assert calls.publish == [1]
    assert reply == "digest #7 queued: 2 article(s)"


def test_release_takes_guids_or_all(api: FakeBotApi, bot: BotThread, calls: Calls):
    api.updates.message(ADMIN, "/release")
    usage = api.wait_replies(ADMIN)[0]
    assert "/release all" in usage and calls.release == []
    api.updates.message(ADMIN, "/release kakehashi-a kakehashi-b")
    api.wait_replies(ADMIN, 2)
    api.updates.message(ADMIN, "/release ALL")
    replies = api.wait_replies(ADMIN, 3)
    assert calls.release == [["kakehashi-a", "kakehashi-b"], None]
    assert replies[1] == "released 2 held entries"


def test_unknown_commands_get_a_pointer_to_help_only_when_meant_for_us(api: FakeBotApi,
                                                                      bot: BotThread):
    api.updates.message(READER, "/frobnicate")
    api.updates.message(READER, "hello?")
    api.updates.message(-100888, "/frobnicate", user_id=READER, chat_type="group")
    api.updates.message(-100888, "/frobnicate@other_bot", user_id=READER, chat_type="group")
    api.updates.message(-100888, "/frobnicate@kk_bot now", user_id=READER, chat_type="group")
    settle(api)
    assert api.replies(READER) == [UNKNOWN, UNKNOWN]
    assert api.replies(-100888) == [UNKNOWN]


def test_the_bot_never_answers_in_its_channel(api: FakeBotApi, calls: Calls, tmp_path: Path):
    # The configured chat as a numeric id, and as a group its members can write in.
    config = chat_config(api, tmp_path / "state.sqlite3", chat_id="-100555")
    running = BotThread(config, calls.actions).start()
    try:
        api.updates.channel_post(-100555, "/start")
        api.updates.message(-100555, "/start", user_id=READER, chat_type="supergroup")
        api.updates.message(-100555, "/latest@kk_bot", user_id=READER, chat_type="supergroup")
        api.updates.message(-100555, "/nonsense@kk_bot", user_id=READER, chat_type="supergroup")
        api.updates.channel_post(-100666, "/start", username="kakehashi_test")
        settle(api)
    finally:
        running.stop()
    assert api.replies(-100555) == [] and api.replies(-100666) == []
    assert api.updates.allowed == ["message"]


def test_the_channel_named_by_username_is_left_alone_too(api: FakeBotApi, bot: BotThread):
    api.updates.message(-100999, "/start", user_id=READER, chat_type="supergroup",
                        username="kakehashi_test")
    settle(api)
    assert api.replies(-100999) == []


def test_stop_shuts_the_bot_down_promptly_while_a_poll_is_open(api: FakeBotApi,
                                                               calls: Calls, tmp_path: Path):
    running = BotThread(chat_config(api, tmp_path / "state.sqlite3"), calls.actions).start()
    api.updates.message(READER, "/start")
    api.wait_replies(READER)
    deadline = time.monotonic() + 120
    while api.updates.waiting == 0:  # the next long poll (25 s) is now open
        assert time.monotonic() < deadline, "no long poll was opened"
        time.sleep(0.02)
    running.stop()
    assert running.error is None
    assert api.updates.waiting == 1, "the bot waited out its long poll instead of stopping"
    assert running.said[-1] == "telegram bot: stopped"
    # The last poll confirmed what was fetched: a restart does not answer /start again.
    assert api.updates.pending == []


def test_rejected_token_ends_the_bot_with_a_clear_error(api: FakeBotApi, calls: Calls,
                                                        tmp_path: Path):
    from bot.core.errors import PublishError

    config = chat_config(api, tmp_path / "state.sqlite3", token="999999:WRONG-secret-token")
    running = BotThread(config, calls.actions)
    running.start()
    running.stop()
    assert isinstance(running.error, PublishError)
    assert "rejected" in str(running.error)
    assert "WRONG-secret-token" not in str(running.error) + "".join(running.said)


def test_unreachable_server_is_retried_until_stop(api: FakeBotApi, calls: Calls,
                                                  tmp_path: Path):
    config = chat_config(api, tmp_path / "state.sqlite3", api_base_url="http://127.0.0.1:9/bot")
    running = BotThread(config, calls.actions).start(ready="trying again")
    running.stop()
    assert running.error is None
    assert "cannot start" in running.said[0] and api.token not in running.said[0]


def test_a_short_flood_wait_delays_the_reply_but_does_not_lose_it(api: FakeBotApi,
                                                                  bot: BotThread):
    api.faults.append((429, "Too Many Requests: retry after 1", 1))
    began = time.monotonic()
    api.updates.message(READER, "/start")
    (reply,) = api.wait_replies(READER)
    assert "feed.xml" in reply and api.attempts == 2
    assert time.monotonic() - began >= 0.9


def test_a_reply_telegram_refuses_is_reported_and_the_bot_goes_on(api: FakeBotApi,
                                                                  bot: BotThread):
    api.faults.append((403, "Forbidden: bot was blocked by the user", None))
    api.updates.message(READER, "/start")
    deadline = time.monotonic() + 10
    while api.attempts < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    api.updates.message(READER + 1, "/start")
    api.wait_replies(READER + 1)
    assert api.replies(READER) == []
    assert any("Forbidden: bot was blocked by the user" in line for line in bot.said)


def test_generated_messages_from_other_chats_never_reach_the_admin_actions(api: FakeBotApi,
                                                                          bot: BotThread,
                                                                          calls: Calls):
    rng = random.Random(11)
    words = ["/status", "/STATUS", "/digest@kk_bot", "/release@KK_BOT all", "/release",
             "/status@other_bot", "/start", "/latest", "/help", "/", "//", "/x" * 300,
             "/digest\u202e", "/release <b>all</b> &amp;", "/ステータス", "🙂 /status", "",
             "/status " + "A" * 4000]
    chats = [(READER, "private"), (-100123, "group"), (-100456, "supergroup"),
             (-100555, "channel")]
    for _ in range(60):
        chat, kind = rng.choice(chats)
        text = rng.choice(words)
        if kind == "channel":
            api.updates.channel_post(chat, text or "/status")
        else:
            api.updates.message(chat, text or "/status", user_id=ADMIN if rng.random() < 0.5
                                else READER, chat_type=kind)
    settle(api)
    assert calls.status == calls.publish == [] and calls.release == []
    assert api.replies(-100555) == []
    assert not any("secret" in text or "digest #7" in text for text in api.texts())
    assert bot.alive and not any("Error" in line for line in bot.said)
