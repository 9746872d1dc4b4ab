"""Send messages to a Telegram chat with python-telegram-bot (any Bot API server).

Messages are taken one at a time from the outbox (`claim`), so a message is claimed before it
is sent and at most one is ever in flight. Failures are sorted by what can be done about them:
a short flood wait is waited out; a message Telegram rejects (400) is set aside so it cannot
block the ones after it; a transient failure (a 5xx answer, a network error, a timeout) is
recorded (not sent, or uncertain: it may have arrived) and the message is claimed again after
a backoff, until the run's retry budget is spent; anything else stops the delivery.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from bot.config import TelegramConfig
from bot.core.errors import PublishError
from bot.core.redact import redact
from bot.state.records import DeliveryStatus, Message

DEFAULT_API = "https://api.telegram.org/bot"
# Longer flood waits are left to a later run rather than holding up the worker.
MAX_WAIT_SECONDS = 60
# Besides the outbox's SENT and REJECTED: not sent (retry later), and maybe sent.
UNSENT, UNCERTAIN = "unsent", "uncertain"


@dataclass(frozen=True)
class Outcome:
    """What became of one message: SENT, REJECTED, UNSENT (retry) or UNCERTAIN."""

    status: str
    detail: str = ""
    not_before: float = 0.0  # epoch seconds before which Telegram asked us not to send


Claim = Callable[[], Message | None]
Record = Callable[[Message, Outcome], None]
Say = Callable[[str], None]


def send_messages(telegram: TelegramConfig, claim: Claim, record: Record,
                  progress: Say = lambda _: None) -> None:
    """Send claimed messages in order until none is left; `record` each outcome at once."""
    if not telegram.chat_id:
        raise PublishError("telegram: TELEGRAM_BOT_TOKEN is set but no chat: set "
                           "TELEGRAM_CHAT_ID or telegram.chat_id in the config")
    asyncio.run(_send_all(telegram, claim, record, progress))


def backoff_delay(failures: int, base: float, cap: float,
                  rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait after `failures` failures in a row: base doubling up to cap, of which
    a random half ("equal jitter": senders that failed together do not retry together)."""
    ceiling = min(cap, base * 2.0 ** min(failures - 1, 60))
    return ceiling / 2 + rand() * ceiling / 2


def open_bot(telegram: TelegramConfig, limiter: Any = None) -> Any:
    """A PTB bot for the configured server, throttled by PTB's AIORateLimiter (30 messages/s
    overall, 20/min per group or channel). The limiter never retries a flood wait itself:
    those are ours to handle (a claimed message, a wait stored for the next run)."""
    from telegram.ext import AIORateLimiter, ExtBot

    # Opt in to PTB's durations as timedelta (its announced default): otherwise every flood
    # wait prints a deprecation warning to the user.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    logger = logging.getLogger("telegram.ext.AIORateLimiter")
    if _quiet_flood_waits not in logger.filters:
        logger.addFilter(_quiet_flood_waits)
    return ExtBot(telegram.token, base_url=telegram.api_base_url or DEFAULT_API,
                  rate_limiter=limiter or AIORateLimiter(max_retries=0))


def _quiet_flood_waits(record: logging.LogRecord) -> bool:
    """Drop the limiter's traceback for a flood wait it passes on to us (we report it)."""
    from telegram.error import RetryAfter

    return not (record.exc_info and isinstance(record.exc_info[1], RetryAfter))


@dataclass
class _Retries:
    """The run's retrying so far: consecutive failures set the backoff; the budget counts
    from the first transient failure; one uncertain send is retried past, not two."""

    budget: float
    base: float
    cap: float
    failures: int = 0
    attempts: int = 0
    started: float | None = None
    uncertain: int = 0

    def wait_after(self, uncertain: bool) -> float | None:
        """Seconds to wait before the next try; None when this run should stop trying."""
        now = time.monotonic()
        self.started = now if self.started is None else self.started
        self.failures += 1
        self.attempts += 1
        self.uncertain += uncertain
        wait = backoff_delay(self.failures, self.base, self.cap)
        if self.uncertain > 1 or now + wait > self.started + self.budget:
            return None
        return wait

    def summary(self) -> str:
        if self.started is None:
            return ""
        spent = time.monotonic() - self.started
        return (f"; {self.attempts} failed attempt(s) in {spent:.0f} s, the rest stays "
                "queued for the next run")


async def _send_all(telegram: TelegramConfig, claim: Claim, record: Record,
                    progress: Say) -> None:
    from telegram.error import TelegramError

    retries = _Retries(telegram.retry_budget_seconds, telegram.retry_base_seconds,
                       telegram.retry_max_seconds)
    bot = open_bot(telegram)
    try:
        try:
            # getMe first: a wrong token fails before anything is claimed.
            await _retrying(bot.initialize, retries, telegram, progress)
            while (message := claim()) is not None:
                failure = await _deliver(bot, telegram, message, record)
                if failure is None:
                    retries.failures = 0
                    continue
                await _pause(failure, retries, telegram, progress)
        finally:
            await bot.shutdown()
    except TelegramError as exc:
        raise PublishError(redact(_explain(exc, telegram.chat_id) + retries.summary(),
                                  telegram.token)) from None


async def _retrying(call: Callable[[], Awaitable[object]], retries: _Retries,
                    telegram: TelegramConfig, progress: Say) -> None:
    """`call()` until it works, pausing after each transient failure as the budget allows."""
    while True:
        try:
            await call()
            return
        except Exception as exc:
            if not _transient(exc):
                raise
            await _pause(exc, retries, telegram, progress, uncertain=False)


async def _pause(failure: Exception, retries: _Retries, telegram: TelegramConfig,
                 progress: Say, uncertain: bool | None = None) -> None:
    """Wait out the backoff after a transient failure, or re-raise it when the run is done
    trying. Nothing is claimed while we wait: a process stopped now leaves no doubt."""
    if uncertain is None:
        uncertain = _failed(failure).status == UNCERTAIN
    wait = retries.wait_after(uncertain)
    if wait is None:
        raise failure
    progress(redact(f"telegram: {type(failure).__name__}: {failure}; trying again in "
                    f"{wait:.1f} s", telegram.token))
    await asyncio.sleep(wait)


async def _deliver(bot: Any, telegram: TelegramConfig, message: Message,
                   record: Record) -> Exception | None:
    """Send one claimed message and record what became of it; return a transient error
    (worth another try), raise any other that stops the delivery."""
    from telegram.error import BadRequest, TelegramError

    try:
        await _send_one(bot, telegram.chat_id, message.body)
    except BadRequest as exc:
        if "chat not found" in exc.message.lower():
            record(message, Outcome(UNSENT, redact(exc.message, telegram.token)))
            raise
        # This message is bad, not the channel: set it aside, go on.
        record(message, Outcome(DeliveryStatus.REJECTED, redact(exc.message, telegram.token)))
        return None
    except TelegramError as exc:
        failed = _failed(exc)
        record(message, replace(failed, detail=redact(failed.detail, telegram.token)))
        if _transient(exc):
            return exc
        raise
    record(message, Outcome(DeliveryStatus.SENT))
    return None


async def _send_one(bot: Any, chat_id: str, body: str) -> None:
    from telegram import LinkPreviewOptions
    from telegram.constants import ParseMode
    from telegram.error import RetryAfter

    for attempt in range(3):
        try:
            await bot.send_message(chat_id, body, parse_mode=ParseMode.HTML,
                                   link_preview_options=LinkPreviewOptions(is_disabled=True))
            return
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            if wait > MAX_WAIT_SECONDS or attempt == 2:
                raise
            await asyncio.sleep(wait)


def _transient(exc: Exception) -> bool:
    """A failure that may pass within the run: a 5xx answer, a network error, a timeout.
    (BadRequest is a NetworkError subclass in PTB; flood waits are handled apart.)"""
    from telegram.error import BadRequest, NetworkError

    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


def _failed(exc: Exception) -> Outcome:
    """The outcome of a send that raised: not sent (retry later) or uncertain."""
    import httpx
    from telegram.error import NetworkError, RetryAfter, TimedOut

    if isinstance(exc, RetryAfter):
        wait = _seconds(exc.retry_after)
        return Outcome(UNSENT, f"flood wait {wait:.0f} s", time.time() + wait)
    cause = exc.__cause__
    # No connection was made (refused, or none in time): the request never left.
    if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return Outcome(UNSENT, str(exc))
    if isinstance(exc, TimedOut):
        return Outcome(UNCERTAIN, "the send timed out")
    # A connection broken after the request left may have delivered it. (An error answer
    # from the server, a 5xx, has no transport cause: the server says it did not send it.)
    if type(exc) is NetworkError and cause is not None:
        return Outcome(UNCERTAIN, f"the connection failed during the send ({exc})")
    return Outcome(UNSENT, str(exc))


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]


def _explain(exc: Exception, chat_id: str) -> str:
    """One line saying what went wrong and what to do about it."""
    from telegram.error import ChatMigrated, Forbidden, InvalidToken, RetryAfter, TimedOut

    if isinstance(exc, RetryAfter):
        return (f"telegram: rate-limited for {_seconds(exc.retry_after):.0f} s; "
                "nothing more is sent until then")
    if isinstance(exc, ChatMigrated):
        return (f"telegram: the chat became a supergroup; set TELEGRAM_CHAT_ID to "
                f"{exc.new_chat_id}")
    if isinstance(exc, Forbidden):
        return f"telegram: Forbidden: the bot may not post to {chat_id} ({exc.message})"
    if isinstance(exc, InvalidToken):
        return "telegram: TELEGRAM_BOT_TOKEN was rejected by the Bot API server"
    if isinstance(exc, TimedOut):
        return ("telegram: timed out; the message being sent may have arrived (telegram."
                "uncertain decides whether it is sent again)")
    return f"telegram: {type(exc).__name__}: {exc}"
