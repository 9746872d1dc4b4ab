"""Opening python-telegram-bot against the configured Bot API server."""

from __future__ import annotations

import logging
import os
from typing import Any

from bot.config import TelegramConfig

DEFAULT_API = "https://api.telegram.org/bot"


def open_bot(telegram: TelegramConfig, limiter: Any = None) -> Any:
    """A PTB bot for the configured server, throttled by PTB's AIORateLimiter (30 messages/s
    overall, 20/min per group or channel). The limiter never retries a flood wait itself:
    those are ours to handle (a claimed message, a wait stored for the next run)."""
    from telegram.ext import AIORateLimiter, ExtBot

    use_timedelta_durations()
    logger = logging.getLogger("telegram.ext.AIORateLimiter")
    if _quiet_flood_waits not in logger.filters:
        logger.addFilter(_quiet_flood_waits)
    return ExtBot(telegram.token, base_url=telegram.api_base_url or DEFAULT_API,
                  rate_limiter=limiter or AIORateLimiter(max_retries=0))


def application_builder(telegram: TelegramConfig) -> Any:
    """A PTB ApplicationBuilder for the configured token and server, for the caller to
    finish (handlers, concurrency) and build."""
    from telegram.ext import ApplicationBuilder

    use_timedelta_durations()
    return (ApplicationBuilder().token(telegram.token)
            .base_url(telegram.api_base_url or DEFAULT_API))


def use_timedelta_durations() -> None:
    """Opt in to PTB's durations as datetime.timedelta (its announced default), before any
    bot is opened. Otherwise reading a duration, such as a flood wait's retry_after, gives a
    deprecation warning the user sees (and that our tests turn into an error). PTB's switch
    is the environment variable PTB_TIMEDELTA, read at each such read, so it is process-wide:
    this is the one place that sets it, and a value the user set stays as it is."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")


def _quiet_flood_waits(record: logging.LogRecord) -> bool:
    """Drop the limiter's traceback for a flood wait it passes on to us (we report it)."""
    from telegram.error import RetryAfter

    return not (record.exc_info and isinstance(record.exc_info[1], RetryAfter))
