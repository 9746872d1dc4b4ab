"""The bot inside `kakehashi run`: a real subprocess with a token answers commands through the
real python-telegram-bot against the fake Bot API, beside the worker publishing digests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.helpers import Paths, normalized, write_config, write_good
from tests.support.fake_bot_api import FakeBotApi
from tests.test_service import NO_RESCAN, running, stop, telegram_env

pytestmark = pytest.mark.usefixtures("installed_model")
ADMIN, READER = 4242, 5151


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi().start()
    yield server
    server.stop()


def test_the_running_worker_answers_readers_and_only_admins_get_status(
        tmp_path: Path, api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    doc = write_good(paths.seeds, 3700)
    config = write_config(tmp_path / "run.toml", NO_RESCAN
                          + f"[telegram]\nadmin_ids = [{ADMIN}]\n"
                          + '[feed]\nsite_url = "https://digest.example.org/"\n')
    with running(paths, config, telegram_env(api), "digest #1 published") as (process, lines):
        api.updates.message(READER, "/start")
        (welcome,) = api.wait_replies(READER, 1, timeout=30)
        assert "https://digest.example.org/feed.xml" in welcome
        api.updates.message(READER, "/latest")
        latest = api.wait_replies(READER, 2, timeout=30)[1]
        assert normalized(doc.title) in normalized(latest)

        api.updates.message(READER, "/status")
        api.updates.message(READER, "/digest")
        api.updates.message(ADMIN, "/status")
        (status,) = api.wait_replies(ADMIN, 1, timeout=30)
        assert "documents: 1" in status
        api.updates.message(READER, "/help")  # handled after the reader's /status and /digest
        replies = api.wait_replies(READER, 3, timeout=30)
        time.sleep(0.3)
        assert api.replies(READER) == replies[:3], "a reader's admin command was answered"
        assert "state:" not in "".join(replies)

        api.updates.message(ADMIN, "/digest")  # everything went out at start
        answer = api.wait_replies(ADMIN, 2, timeout=60)[1]
        assert answer == "nothing pending: no digest published"
        stop(process, lines)
    # The channel got each digest message once (the reader's /start and /help are alike).
    assert [chat for chat, _ in api.duplicates() if chat == "@kakehashi_service"] == []
    assert len(api.replies("@kakehashi_service")) >= 1
