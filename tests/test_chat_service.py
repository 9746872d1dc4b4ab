"""The bot over real state and real service actions, its webhook mode, and its logs."""

from __future__ import annotations

import logging
import shutil
import socket
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.chat import service_actions
from bot.chat.replies import NO_DIGEST
from bot.config import Config
from bot.core.model import Entry, Pair, SourceInfo, Term
from bot.state.status import status_lines
from bot.state.store import Store
from tests.conftest import ROOT, run_cli
from tests.support.chat_bot import ADMIN, CHANNEL, READER, BotThread, Calls, chat_config
from tests.support.fake_bot_api import FakeBotApi


def real_actions(config: Config, asked: list[int]) -> object:
    return lambda say: service_actions(config, lambda: asked.append(1), say)


def running(config: Config, actions: object) -> BotThread:
    return BotThread(config, actions).start()  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_latest_is_the_last_digest_as_published(api: FakeBotApi, tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(ROOT / "seeds" / "01_web_copy.txt", seeds)
    state = tmp_path / "state.sqlite3"
    config = chat_config(api, state)
    bot = running(config, real_actions(config, []))
    try:
        api.updates.message(READER, "/latest")
        assert api.wait_replies(READER) == [NO_DIGEST]
        result = run_cli("once", "--seeds", str(seeds), "--out", str(tmp_path / "out"),
                         "--state", str(state),
                         env={"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_CHAT_ID": CHANNEL,
                              "TELEGRAM_API_BASE_URL": api.base_url})
        assert result.returncode == 0, result.stderr
        published = api.replies(CHANNEL)
        assert published and "ホルゴス" in "".join(published)
        api.updates.message(READER, "/latest")
        replies = api.wait_replies(READER, 1 + len(published))
    finally:
        bot.stop()
    assert replies[1:] == published
    latest = [m for m in api.messages if str(m["chat_id"]) == str(READER)][1:]
    assert all(m["parse_mode"] == "HTML" for m in latest)


def test_latest_with_an_unreadable_state_file_says_so_and_changes_nothing(api: FakeBotApi,
                                                                         tmp_path: Path):
    state = tmp_path / "state.sqlite3"
    state.write_bytes(b"not a database " * 200)
    config = chat_config(api, state)
    bot = running(config, real_actions(config, []))
    try:
        api.updates.message(READER, "/latest")
        (reply,) = api.wait_replies(READER)
    finally:
        bot.stop()
    assert "cannot be read right now" in reply
    assert state.read_bytes() == b"not a database " * 200
    assert any("/latest" in line and "cannot read" in line for line in bot.said)


def held_entry(guid: str) -> Entry:
    return Entry(guid=guid, document="a.txt", title_ja="見出し", title_en="Headline",
                 pairs=(Pair("文。", "Sentence."),), terms=(Term("一帯一路", "BRI", "failed"),),
                 warnings=(), source=SourceInfo(site="example.com"),
                 created=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))


def test_admin_status_release_and_digest_act_on_the_real_state(api: FakeBotApi, tmp_path: Path):
    state = tmp_path / "state.sqlite3"
    store = Store.open(state)
    with store.transaction():
        store.add_entries([held_entry("kakehashi-held1"), held_entry("kakehashi-held2")],
                          hold_failed=True)
    store.close()
    config = chat_config(api, state)
    asked: list[int] = []
    bot = running(config, real_actions(config, asked))
    try:
        api.updates.message(ADMIN, "/status")
        status = api.wait_replies(ADMIN)[0]
        api.updates.message(ADMIN, "/release kakehashi-held1 kakehashi-nope")
        refused = api.wait_replies(ADMIN, 2)[1]
        api.updates.message(ADMIN, "/release kakehashi-held1")
        released = api.wait_replies(ADMIN, 3)[2]
        api.updates.message(ADMIN, "/digest")
        digest = api.wait_replies(ADMIN, 4)[3]
        api.updates.message(ADMIN, "/release all")
        released_all = api.wait_replies(ADMIN, 5)[4]
    finally:
        bot.stop()
    assert "held: 2" in status and "kakehashi-held1 HELD" in status
    assert status.startswith("<pre>") and "state: " in status
    # One unknown GUID releases nothing, as `kakehashi release` does, and names it.
    assert refused.startswith("failed: release: no entry kakehashi-nope")
    assert refused.endswith("nothing released")
    assert released == "released 1 held entry; the next digest publishes them"
    assert released_all.startswith("released 1 held entry")
    assert asked == [1] and "digest" in digest
    assert "held: 0" in "\n".join(status_lines(config))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_webhook_mode_answers_posted_updates_with_the_secret_only(api: FakeBotApi,
                                                                  tmp_path: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook/kakehashi"
    config = chat_config(api, tmp_path / "state.sqlite3", webhook_url=url,
                         webhook_port=port)
    bot = BotThread(config, Calls().actions).start()
    try:
        assert any("webhook" in line for line in bot.said)
        assert api.updates.webhook["url"] == url and api.updates.allowed == ["message"]
        secret = api.updates.webhook["secret_token"]
        update = {"update_id": 1, "message": {
            "message_id": 5, "date": 1_700_000_000, "text": "/start",
            "chat": {"id": READER, "type": "private", "first_name": "R"},
            "from": {"id": READER, "is_bot": False, "first_name": "R"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
        forged = httpx.post(url, json=update, headers={
            "X-Telegram-Bot-Api-Secret-Token": "guessed"})
        assert forged.status_code == 403
        answer = httpx.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert answer.status_code == 200
        (reply,) = api.wait_replies(READER)
        assert "https://digest.example.org/news/feed.xml" in reply
    finally:
        bot.stop()
    assert bot.error is None
    with pytest.raises(httpx.ConnectError):
        httpx.post(url, json={}, timeout=2)


def test_webhook_port_in_use_is_a_clear_config_error(api: FakeBotApi, tmp_path: Path):
    from bot.core.errors import ConfigError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        config = chat_config(api, tmp_path / "state.sqlite3",
                             webhook_url="https://bot.example.org/hook", webhook_port=port)
        bot = BotThread(config, Calls().actions)
        bot.start()
        bot.stop()
    assert isinstance(bot.error, ConfigError)
    assert f"cannot listen on 127.0.0.1:{port}" in str(bot.error)


def test_the_token_never_reaches_the_logs(api: FakeBotApi, tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    config = chat_config(api, tmp_path / "state.sqlite3")
    bot = BotThread(config, Calls().actions).start()
    try:
        api.updates.message(READER, "/start")
        api.wait_replies(READER)
    finally:
        bot.stop()
    wrong = replace(config, telegram=replace(config.telegram, token="123456:WRONG-secret-t0ken"))
    failing = BotThread(wrong, Calls().actions)
    failing.start()
    failing.stop()
    logged = "\n".join(f"{r.getMessage()}\n{r.exc_text or ''}" for r in caplog.records)
    assert "getUpdates" in logged  # the requests were logged, with their URLs
    for secret in (api.token, "TEST-token", "WRONG-secret-t0ken"):
        assert secret not in logged
