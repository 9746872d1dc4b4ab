"""The delivery lane: the outbox sent to Telegram on a thread of its own, apart from the jobs.

A job writes the feed and the archive and queues a digest's messages; the lane sends them. So
a Telegram outage (5xx answers retried for `telegram.retry_budget_seconds`, a long flood wait)
holds up the lane only: files dropped meanwhile reach the feed and the archive as fast as
ever. The lane takes no job lock: each message is claimed and recorded under the send lock
(bot/state/sendlock.py), which is let go while a failed send waits to be tried again, and a
`once` beside the service sends through the same claims. Nothing is sent twice or lost.

A pass (open the store, send what is pending, close it) runs when the lane is woken: at
start (what an earlier run left queued), after a job that queued messages, after any other
job unless the lane is waiting out a failure (messages released by `kakehashi release`), and
on its own timer while messages stay queued: at the end of Telegram's flood wait, or
`telegram.retry_max_seconds` after a pass that failed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
import time
from collections.abc import Callable

from bot.config import Config
from bot.core.channels import TELEGRAM
from bot.core.errors import KakehashiError
from bot.core.redact import redact
from bot.run.worker import deliver
from bot.service.clock import SHARED_LOOK_SECONDS
from bot.state.store import Store

Say = Callable[[str], None]


class DeliveryLane:
    """Sends what the outbox holds until the service stops (`run` is its task)."""

    def __init__(self, config: Config, say: Say, stopping: threading.Event,
                 publishes: Callable[[], bool] = lambda: True) -> None:
        self.config = config
        # On a shared state only its publisher sends (bot/run/wiring.py); the others look
        # again every SHARED_LOOK_SECONDS, so that one of them takes over a publisher gone,
        # even while its jobs are busy translating.
        self._publishes = publishes
        self._say = say
        self._stopping = stopping  # checked between messages, as the jobs check it
        self._wake = asyncio.Event()
        self._failed = False  # the last pass failed: its timer, not every job, brings the next
        # Why the last pass failed, in one line ("" once one worked): the admin alerts tell it.
        self.error = ""
        self._executor = concurrent.futures.ThreadPoolExecutor(1, "kakehashi-send")

    def use(self, config: Config) -> None:
        """Send with `config` from the next pass on (a reload)."""
        self.config = config

    def nudge(self, queued: bool) -> None:
        """A job ended (event loop thread); `queued`: it put messages in the outbox."""
        if queued or not self._failed:
            self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Run passes as woken until `stop`; the message in hand is finished first."""
        loop = asyncio.get_running_loop()
        self._wake.set()
        retry_in: float | None = None
        try:
            while not stop.is_set():
                await _first(stop, self._wake, retry_in)
                if stop.is_set():
                    break
                self._wake.clear()
                retry_in = await loop.run_in_executor(self._executor, self._pass)
                self._failed = retry_in is not None
        finally:
            self._executor.shutdown(wait=True)

    def _pass(self) -> float | None:
        """Send what is queued (lane thread); seconds until the next try while messages stay
        queued, None when none waits."""
        config = self.config
        try:
            if not self._publishes():
                return SHARED_LOOK_SECONDS
            store = Store.open(config.paths.store)
            try:
                deliver(config, store, self._say, self._stopping.is_set)
                self.error = ""
                return None if self._stopping.is_set() else _retry_in(config, store)
            finally:
                store.close()
        except KakehashiError as exc:
            error = str(exc)
        except Exception as exc:  # a bug: one line, and the lane tries again later
            error = f"internal error: {type(exc).__name__}: {exc}"
        wait = config.telegram.retry_max_seconds
        self.error = redact(error, config.telegram.token)
        self._say(f"error: {self.error}")
        self._say(f"telegram: sending again in {wait:g} s")
        return wait


def _retry_in(config: Config, store: Store) -> float | None:
    """When to try again what a pass left queued: at the end of a flood wait, else after
    retry_max_seconds; None when nothing is queued."""
    outbox = store.outbox()
    if not outbox.pending(TELEGRAM):
        return None
    flood = outbox.flood_wait_until(TELEGRAM) - time.time()
    return flood + 0.5 if flood > 0 else config.telegram.retry_max_seconds


async def _first(stop: asyncio.Event, wake: asyncio.Event, timeout: float | None) -> None:
    """Wait until `stop` or `wake` is set, or `timeout` seconds have passed (when given)."""
    waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waits:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*waits, return_exceptions=True)
