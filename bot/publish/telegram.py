"""Send messages to a Telegram chat with python-telegram-bot (any Bot API server).

Failures are sorted by what can be done about them: a short flood wait is waited out; a
message Telegram rejects (400) is set aside so it cannot block the ones after it; anything
else stops the delivery and leaves the rest in the outbox for the next run.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from urllib.parse import quote

from bot.config import TelegramConfig
from bot.errors import PublishError

DEFAULT_API = "https://api.telegram.org/bot"
# Longer flood waits are left to the next run rather than holding up the worker.
MAX_WAIT_SECONDS = 60
SENT, REJECTED = "sent", "rejected"
REDACTED = "<TELEGRAM_BOT_TOKEN>"

Report = Callable[[int, str, str], None]  # (index, status, detail)


def send_messages(telegram: TelegramConfig, bodies: list[str], report: Report) -> None:
    """Send `bodies` in order; `report` after each, so a failure loses no progress."""
    if not telegram.chat_id:
        raise PublishError("telegram: TELEGRAM_BOT_TOKEN is set but no chat: set "
                           "TELEGRAM_CHAT_ID or telegram.chat_id in the config")
    # Opt in to PTB's durations as timedelta (its announced default): otherwise every flood
    # wait prints a deprecation warning to the user.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    asyncio.run(_send_all(telegram, bodies, report))


async def _send_all(telegram: TelegramConfig, bodies: list[str], report: Report) -> None:
    from telegram import Bot
    from telegram.error import TelegramError

    bot = Bot(telegram.token, base_url=telegram.api_base_url or DEFAULT_API)
    try:
        async with bot:
            for index, body in enumerate(bodies):
                status, detail = await _send_one(bot, telegram.chat_id, body)
                report(index, status, redact(detail, telegram.token))
    except TelegramError as exc:
        raise PublishError(redact(_explain(exc, telegram.chat_id), telegram.token)) from None


async def _send_one(bot: object, chat_id: str, body: str) -> tuple[str, str]:
    from telegram import Bot, LinkPreviewOptions
    from telegram.constants import ParseMode
    from telegram.error import BadRequest, RetryAfter

    assert isinstance(bot, Bot)
    for _ in range(3):
        try:
            await bot.send_message(chat_id, body, parse_mode=ParseMode.HTML,
                                   link_preview_options=LinkPreviewOptions(is_disabled=True))
            return SENT, ""
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            if wait > MAX_WAIT_SECONDS:
                raise
            await asyncio.sleep(wait)
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                raise
            return REJECTED, exc.message  # this message is bad, not the channel
    raise PublishError("telegram: still rate-limited after waiting; the rest stays queued")


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
                "the rest stays queued for the next run")
    if isinstance(exc, ChatMigrated):
        return (f"telegram: the chat became a supergroup; set TELEGRAM_CHAT_ID to "
                f"{exc.new_chat_id}")
    if isinstance(exc, Forbidden):
        return f"telegram: Forbidden: the bot may not post to {chat_id} ({exc.message})"
    if isinstance(exc, InvalidToken):
        return "telegram: TELEGRAM_BOT_TOKEN was rejected by the Bot API server"
    if isinstance(exc, TimedOut):
        # It may have arrived: the next run sends it again rather than risk losing it.
        return "telegram: timed out; undelivered messages stay queued for the next run"
    return f"telegram: {type(exc).__name__}: {exc}"
