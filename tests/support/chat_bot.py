"""Run the real bot (`bot.chat.run_chat`) in a thread with its own event loop, for tests.

The thread plays the service: it owns the loop, hands the bot a stop Event, and collects what
the bot says. `stop()` sets the Event from the test's thread and waits for the bot to return.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.chat import ChatActions
from bot.config import Config, FeedConfig, PathsConfig, TelegramConfig, validated
from tests.support.fake_bot_api import FakeBotApi

CHANNEL = "@kakehashi_test"
ADMIN = 4242
READER = 1001


def chat_config(api: FakeBotApi, state: Path, **telegram: object) -> Config:
    """A config for the bot against the fake server: one admin chat, a public site."""
    section = TelegramConfig(token=api.token, chat_id=CHANNEL, api_base_url=api.base_url,
                             admin_ids=(str(ADMIN),))
    return validated(Config(
        paths=PathsConfig(seeds=state.parent / "seeds", out=state.parent / "out", state=state),
        feed=FeedConfig(site_url="https://digest.example.org/news/"),
        telegram=replace(section, **telegram),  # type: ignore[arg-type]
    ))


@dataclass
class Calls:
    """Admin actions that record their calls (the service is not under test here)."""

    status: list[int] = field(default_factory=list)
    publish: list[int] = field(default_factory=list)
    release: list[list[str] | None] = field(default_factory=list)

    def actions(self, say: Callable[[str], None]) -> ChatActions:
        def status() -> list[str]:
            self.status.append(1)
            return ["state: secret/path/state.sqlite3", "documents: 3"]

        def publish() -> str:
            self.publish.append(1)
            return "digest #7 queued: 2 article(s)"

        def release(guids: list[str] | None) -> str:
            self.release.append(guids)
            return f"released {len(guids or [])} held entries"

        return ChatActions(status=status, publish_now=publish, release=release, say=say)


class BotThread:
    """The bot running in a thread until stop(); `said` holds its report lines."""

    def __init__(self, config: Config, actions: Callable[[Callable[[str], None]], ChatActions]):
        self.said: list[str] = []
        self.error: BaseException | None = None
        self._config = config
        self._actions = actions(self.said.append)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self, ready: str = "answers", timeout: float = 120.0) -> BotThread:
        """Start the bot and wait until it says a line containing `ready`."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(ready in line for line in self.said) or not self._thread.is_alive():
                break
            time.sleep(0.02)
        else:
            raise AssertionError(f"the bot did not start within {timeout} s: {self.said}")
        return self

    def _run(self) -> None:
        from bot.chat import run_chat

        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            await run_chat(self._config, self._actions, self._stop)

        try:
            asyncio.run(main())
        except BaseException as exc:  # kept for the test to assert on
            self.error = exc

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 120.0) -> None:
        """Set the stop Event and wait for run_chat to return."""
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError(f"the bot did not stop within {timeout} s")
