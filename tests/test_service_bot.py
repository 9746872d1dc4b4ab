"""The bot inside `kakehashi run`: a real subprocess with a token answers commands through the
real python-telegram-bot against the fake Bot API, beside the worker publishing digests."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.reliability.helpers import Paths, normalized, write_config, write_good
from tests.support.fake_bot_api import FakeBotApi
from tests.support.http_server import Route, serve
from tests.test_service import NO_RESCAN, running, stop, telegram_env, wait_until

pytestmark = pytest.mark.usefixtures("installed_model")
ADMIN, READER = 4242, 5151



@pytest.mark.slow
def test_the_running_worker_answers_readers_and_only_admins_get_status(
        tmp_path: Path, api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    doc = write_good(paths.seeds, 3700)
    config = write_config(tmp_path / "run.toml", NO_RESCAN
                          + f"[telegram]\nadmin_ids = [{ADMIN}]\n"
                          + '[feed]\nsite_url = "https://digest.example.org/"\n')
    with running(paths, config, telegram_env(api), "digest #1 published") as (process, lines):
        # The channel's messages follow the feed on the delivery lane: /latest shows them sent.
        wait_until(lambda: bool(api.replies("@kakehashi_service")), 60,
                   "the digest in the channel", process, lines)
        api.updates.message(READER, "/start")
        (welcome,) = api.wait_replies(READER, 1, timeout=120)
        assert "https://digest.example.org/feed.xml" in welcome
        api.updates.message(READER, "/latest")
        latest = api.wait_replies(READER, 2, timeout=120)[1]
        assert normalized(doc.title) in normalized(latest)

        api.updates.message(READER, "/status")
        api.updates.message(READER, "/digest")
        api.updates.message(ADMIN, "/status")
        (status,) = api.wait_replies(ADMIN, 1, timeout=120)
        assert "documents: 1" in status
        api.updates.message(READER, "/help")  # handled after the reader's /status and /digest
        replies = api.wait_replies(READER, 3, timeout=120)
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


@pytest.mark.slow
def test_the_running_worker_alerts_the_admin_chat_and_never_the_channel(
        tmp_path: Path, api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    write_good(paths.seeds, 3710)
    (paths.seeds / "scan.txt").write_bytes(b"\x00\x01binary\x00" * 50)
    config = write_config(tmp_path / "run.toml", NO_RESCAN
                          + '[telegram]\nalert_chat_id = "-100999"\nalert_interval_seconds = 1\n')
    with running(paths, config, telegram_env(api), "digest #1 published") as (process, lines):
        (alert,) = api.wait_replies(-100999, 1, timeout=120)
        assert "scan.txt" in alert
        # The channel's messages go out on the delivery lane, beside the job: wait for them.
        api.wait_replies("@kakehashi_service", 1, timeout=120)
        stop(process, lines)
    told = api.replies(-100999)
    assert len(told) == 2 and "stopped" in told[1].lower(), told
    channel = "\n".join(api.replies("@kakehashi_service"))
    assert channel and "scan.txt" not in channel and "stopped" not in channel.lower()
    assert api.token.split(":", 1)[1] not in "".join(told)


@pytest.mark.slow
def test_a_restarted_worker_tells_the_admin_chat_nothing_it_told_before(
        tmp_path: Path, api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    write_good(paths.seeds, 3720)
    (paths.seeds / "scan.txt").write_bytes(b"\x00\x01binary\x00" * 50)
    with serve({"/feed": Route(b"down", 500)}) as feed_server:
        feed = feed_server.url("/feed")
        config = write_config(tmp_path / "run.toml", NO_RESCAN
                              + f'[sources]\nsettle_seconds = 0\nfeeds = ["{feed}"]\n'
                              + '[telegram]\nalert_chat_id = "-100999"\n'
                              + "alert_interval_seconds = 1\n")
        with running(paths, config, telegram_env(api), "digest #1 published") as (process,
                                                                                  lines):
            wait_until(lambda: all(what in "\n".join(api.replies(-100999))
                                   for what in ("scan.txt", feed)), 60, "both alerts",
                       process, lines)
            stop(process, lines)
        first = len(api.replies(-100999))
        with running(paths, config, telegram_env(api)) as (process, lines):
            # The start's tick reads the failing feed again; a later tick tells the new file.
            temp = paths.seeds / "late.txt.part"  # a new problem, told after the first tick
            temp.write_bytes(b"\x00\x02binary\x00" * 50)
            os.replace(temp, paths.seeds / "late.txt")
            wait_until(lambda: "late.txt" in "\n".join(api.replies(-100999)[first:]), 60,
                       "the new alert", process, lines)
            stop(process, lines)
    told = "\n".join(api.replies(-100999))
    assert told.count("scan.txt") == 1 and told.count(f"{feed}: ") == 1, told
    assert told.count("late.txt") == 1 and told.count("worker stopped") == 2, told
