"""Send messages to a Telegram chat with python-telegram-bot (any Bot API server).

Messages are taken one at a time from the outbox (`claim`), so a message is claimed before it
is sent and at most one is ever in flight. Failures are sorted by what can be done about them:
a short flood wait is waited out; a message Telegram rejects (400) is set aside so it cannot
block the ones after it; anything else stops the delivery, and the message in flight is
recorded as not sent (retried next run, after any flood wait) or as uncertain (a timeout or a
broken connection after the request left: it may have arrived).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from bot.config import TelegramConfig
from bot.errors import PublishError
from bot.outbox import REJECTED, SENT, Message

DEFAULT_API = "https://api.telegram.org/bot"
# Longer flood waits are left to a later run rather than holding up the worker.
MAX_WAIT_SECONDS = 60
# Besides the outbox's SENT and REJECTED: not sent (retry later), and maybe sent.
UNSENT, UNCERTAIN = "unsent", "uncertain"
REDACTED = "<TELEGRAM_BOT_TOKEN>"


@dataclass(frozen=True)
class Outcome:
    """What became of one message: SENT, REJECTED, UNSENT (retry) or UNCERTAIN."""

    status: str
    detail: str = ""
    not_before: float = 0.0  # epoch seconds before which Telegram asked us not to send


Claim = Callable[[], Message | None]
Record = Callable[[Message, Outcome], None]


def send_messages(telegram: TelegramConfig, claim: Claim, record: Record) -> None:
    """Send claimed messages in order until none is left; `record` each outcome at once."""
    if not telegram.chat_id:
        raise PublishError("telegram: TELEGRAM_BOT_TOKEN is set but no chat: set "
                           "TELEGRAM_CHAT_ID or telegram.chat_id in the config")
    # Opt in to PTB's durations as timedelta (its announced default): otherwise every flood
    # wait prints a deprecation warning to the user.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    asyncio.run(_send_all(telegram, claim, record))


async def _send_all(telegram: TelegramConfig, claim: Claim, record: Record) -> None:
    from telegram import Bot
    from telegram.error import BadRequest, TelegramError

    bot = Bot(telegram.token, base_url=telegram.api_base_url or DEFAULT_API)
    try:
        async with bot:  # getMe first: a wrong token fails before anything is claimed
            while (message := claim()) is not None:
                try:
                    await _send_one(bot, telegram.chat_id, message.body)
                except BadRequest as exc:
                    if "chat not found" in exc.message.lower():
                        record(message, Outcome(UNSENT, redact(exc.message, telegram.token)))
                        raise
                    # This message is bad, not the channel: set it aside, go on.
                    record(message, Outcome(REJECTED, redact(exc.message, telegram.token)))
                    continue
                except TelegramError as exc:
                    failed = _failed(exc)
                    record(message, replace(failed, detail=redact(failed.detail, telegram.token)))
                    raise
                record(message, Outcome(SENT))
    except TelegramError as exc:
        raise PublishError(redact(_explain(exc, telegram.chat_id), telegram.token)) from None


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


def _failed(exc: Exception) -> Outcome:
    """The outcome of a send that raised: not sent (retry later) or uncertain."""
    from telegram.error import NetworkError, RetryAfter, TimedOut

    if isinstance(exc, RetryAfter):
        wait = _seconds(exc.retry_after)
        return Outcome(UNSENT, f"flood wait {wait:.0f} s", time.time() + wait)
    if isinstance(exc, TimedOut):
        return Outcome(UNCERTAIN, "the send timed out")
    # Only a refused connection proves the request never left; a connection broken later
    # may have delivered it.
    if type(exc) is NetworkError and not str(exc).startswith("httpx.ConnectError"):
        return Outcome(UNCERTAIN, f"the connection failed during the send ({exc})")
    return Outcome(UNSENT, str(exc))


def redact(text: str, token: str) -> str:
    """`text` without the bot token: every Bot API URL holds it, and servers, proxies and
    HTTP errors may quote the URL in what they say (stored and shown to the user)."""
    if not token:
        return text
    # The secret half alone too: ':' may come back percent-encoded, or the id cut off.
    for form in (token, quote(token, safe=""), token.partition(":")[2]):
        if len(form) >= 8:  # shorter is no real token; replacing it would garble the text
            text = text.replace(form, REDACTED)
    return text


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
                "uncertain decides whether it is sent again); the rest stays queued")
    return f"telegram: {type(exc).__name__}: {exc}"
