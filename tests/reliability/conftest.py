"""Fixtures of the fault suite: a fake Bot API server and the environment that points at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_bot_api import FakeBotApi

TOKEN = "123456:SECRET-TOKEN-abc"  # distinctive, so a leak is found by a plain search


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi(token=TOKEN).start()
    yield server
    server.stop()


def telegram_env(api: FakeBotApi, chat: str = "@kakehashi_faults") -> dict[str, str]:
    return api.env(chat)
