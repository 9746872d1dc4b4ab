"""Flood control: Telegram's "429 Too Many Requests, retry after N s" (PTB's RetryAfter).

`flood_wait` reads how long Telegram asks us to wait; `call_with_flood_waits` makes a Bot API
call, waits out a short flood wait and makes it again. A longer wait is the caller's to
handle: delivery stores it for the next run, a reply is dropped and reported.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from telegram.error import RetryAfter

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[object]]

# Calls made in all: a server that asks for a wait again and again is left for later.
ATTEMPTS = 3


def flood_wait(exc: RetryAfter) -> float:
    """The seconds a flood wait asks for (PTB gives a timedelta, or an int when PTB_TIMEDELTA
    is off)."""
    wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


async def call_with_flood_waits(call: Callable[[], Awaitable[T]], max_wait: float, *,
                                attempts: int = ATTEMPTS,
                                sleep: Sleep = asyncio.sleep) -> T:
    """`call()`; after a flood wait of at most `max_wait` s it is waited out and the call
    made again, `attempts` calls in all. A longer wait, or one after the last call, is
    raised: the RetryAfter, which names the wait (`flood_wait`)."""
    from telegram.error import RetryAfter

    made = 0
    while True:
        made += 1
        try:
            return await call()
        except RetryAfter as exc:
            wait = flood_wait(exc)
            if wait > max_wait or made >= attempts:
                raise
            await sleep(wait)
