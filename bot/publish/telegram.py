"""Send messages to a Telegram chat with python-telegram-bot (any Bot API server)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.config import TelegramConfig
from bot.errors import PublishError

DEFAULT_API = "https://api.telegram.org/bot"


def send_messages(
    telegram: TelegramConfig, bodies: list[str], on_sent: Callable[[int], None]
) -> None:
    """Send `bodies` in order; `on_sent(i)` after each, so a failure loses no progress."""
    if not telegram.chat_id:
        raise PublishError("telegram: TELEGRAM_BOT_TOKEN is set but no chat: set "
                           "TELEGRAM_CHAT_ID or telegram.chat_id in the config")
    asyncio.run(_send_all(telegram, bodies, on_sent))


async def _send_all(
    telegram: TelegramConfig, bodies: list[str], on_sent: Callable[[int], None]
) -> None:
    from telegram import Bot, LinkPreviewOptions
    from telegram.constants import ParseMode
    from telegram.error import TelegramError

    bot = Bot(telegram.token, base_url=telegram.api_base_url or DEFAULT_API)
    try:
        async with bot:
            for index, body in enumerate(bodies):
                await bot.send_message(
                    telegram.chat_id, body, parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
                on_sent(index)
    except TelegramError as exc:
        raise PublishError(f"telegram: {type(exc).__name__}: {exc}") from None
