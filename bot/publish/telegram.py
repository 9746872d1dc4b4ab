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
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from bot.config import TelegramConfig
from bot.core.backoff import backoff_delay
from bot.core.errors import PublishError
from bot.core.redact import redact
from bot.state.records import DeliveryStatus, Message
from bot.telegram.api import open_bot
from bot.telegram.flood import call_with_flood_waits, flood_wait

# Longer flood waits are left to a later run rather than holding up the worker.
MAX_WAIT_SECONDS = 60
# Besides the outbox's SENT and REJECTED: not sent (retry later), and maybe sent.
UNSENT, UNCERTAIN = "unsent", "uncertain"
# Equal jitter: a retry waits between half and all of its backoff, so senders that failed
# together do not retry together.
RETRY_JITTER = 0.5


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


@dataclass
class _Retries:
    """The run's retrying so far: consecutive failures set the backoff; the budget counts
    from the first transient failure; one uncertain send is retried past, not two."""

    # The config's numbers (defaults 90, 1 and 30 s): the backoff is `base` after the first
    # failure, doubling at each one after it up to `cap`, less the jitter.
    budget: float  # telegram.retry_budget_seconds
    base: float  # telegram.retry_base_seconds
    cap: float  # telegram.retry_max_seconds
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
        wait = backoff_delay(self.failures, self.base, self.cap, jitter=RETRY_JITTER)
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

    await call_with_flood_waits(
        lambda: bot.send_message(chat_id, body, parse_mode=ParseMode.HTML,
                                 link_preview_options=LinkPreviewOptions(is_disabled=True)),
        MAX_WAIT_SECONDS)


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
        wait = flood_wait(exc)
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


def _explain(exc: Exception, chat_id: str) -> str:
    """One line saying what went wrong and what to do about it."""
    from telegram.error import ChatMigrated, Forbidden, InvalidToken, RetryAfter, TimedOut

    if isinstance(exc, RetryAfter):
        return (f"telegram: rate-limited for {flood_wait(exc):.0f} s; "
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
