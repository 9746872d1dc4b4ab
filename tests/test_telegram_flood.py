"""Flood control written once (bot/telegram/flood.py): a Bot API call that meets "429, retry
after N s" is made again after the wait, within a budget; past the budget the flood wait
itself is raised, naming the wait. Real python-telegram-bot against the fake Bot API server;
the waits are recorded, not slept."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.config import TelegramConfig
from bot.telegram.api import open_bot, use_timedelta_durations
from bot.telegram.flood import call_with_flood_waits, flood_wait
from tests.support.fake_bot_api import FakeBotApi

CHAT = "@kakehashi_flood"


class Waits:
    """A stand-in for asyncio.sleep: records each wait and how many calls came before it."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.seen: list[tuple[float, int]] = []

    async def __call__(self, seconds: float) -> None:
        self.seen.append((seconds, self.api.attempts))
        await asyncio.sleep(0)


def send(api: FakeBotApi, max_wait: float, waits: Waits) -> Any:
    """sendMessage through `call_with_flood_waits`, with a bot opened as delivery opens it."""
    async def main() -> Any:
        async with open_bot(TelegramConfig(token=api.token, api_base_url=api.base_url)) as bot:
            return await call_with_flood_waits(
                lambda: bot.send_message(CHAT, "hello"), max_wait, sleep=waits)

    return asyncio.run(main())


def test_a_flood_wait_within_the_budget_is_waited_out_then_the_call_made_again(
        api: FakeBotApi) -> None:
    api.faults.append((429, "Too Many Requests: retry after 1", 1))
    waits = Waits(api)
    message = send(api, 10.0, waits)
    assert waits.seen == [(1.0, 1)]  # the one second asked for, after the first call
    assert api.attempts == 2
    assert api.sent_to(CHAT) == ["hello"] and message.text == "hello"


def test_a_flood_wait_beyond_the_budget_is_raised_naming_the_wait(api: FakeBotApi) -> None:
    api.faults.append((429, "Too Many Requests: retry after 120", 120))
    waits = Waits(api)
    with pytest.raises(RetryAfter) as raised:
        send(api, 60.0, waits)
    assert flood_wait(raised.value) == 120.0
    assert waits.seen == [] and api.attempts == 1 and api.sent_to(CHAT) == []


def test_flood_waits_again_and_again_give_up_after_the_last_call(api: FakeBotApi) -> None:
    api.faults.extend([(429, "Too Many Requests: retry after 1", 1)] * 3)
    waits = Waits(api)
    with pytest.raises(RetryAfter):
        send(api, 10.0, waits)
    assert waits.seen == [(1.0, 1), (1.0, 2)]
    assert api.attempts == 3 and api.sent_to(CHAT) == []


def test_flood_wait_reads_seconds_whichever_way_ptb_gives_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    assert flood_wait(RetryAfter(7)) == 7.0
    monkeypatch.setenv("PTB_TIMEDELTA", "false")
    with pytest.warns(PTBDeprecationWarning):
        assert flood_wait(RetryAfter(7)) == 7.0


def test_the_timedelta_switch_is_set_once_and_a_users_choice_kept(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PTB_TIMEDELTA", raising=False)
    use_timedelta_durations()
    assert os.environ["PTB_TIMEDELTA"] == "true"
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    use_timedelta_durations()
    assert os.environ["PTB_TIMEDELTA"] == "1"
