"""The bot's commands as python-telegram-bot handlers.

Who gets what:
- Only `message` updates are handled (never channel posts, never edits), and never in the
  configured channel itself, even when it is a group: the bot does not talk where it publishes.
- /start, /help and /latest answer anyone.
- /status, /digest and /release answer only the chats in `telegram.admin_ids`. From any other
  chat they get no answer at all: nothing private, and nothing an outsider could probe.
- Unknown commands get that pointer in private chats, and in groups only when addressed to
  this bot by name (/cmd@thisbot): a group's commands for other bots are not ours to answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from telegram import LinkPreviewOptions, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot.chat.actions import ChatActions
from bot.chat.latest import read_latest
from bot.chat.replies import (
    RELEASE_USAGE,
    UNKNOWN,
    edition_for,
    escape,
    help_message,
    latest_messages,
    preformatted,
)
from bot.config import Config
from bot.core.editions import Edition
from bot.core.errors import KakehashiError
from bot.core.redact import redact
from bot.telegram.flood import call_with_flood_waits

Context = ContextTypes.DEFAULT_TYPE
ADMIN_COMMANDS = ("status", "digest", "release")
# Longest flood wait a reply waits out; a longer one drops the reply (reported).
MAX_REPLY_WAIT = 10.0
T = TypeVar("T")


class Commands:
    """The handlers of one bot, bound to its config and the service's actions."""

    def __init__(self, config: Config, actions: ChatActions) -> None:
        self._config = config
        self._actions = actions
        self._admins = {int(chat) for chat in config.telegram.admin_ids}

    def install(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Add the handlers, in the order they are tried, and the error handler."""
        here = filters.UpdateType.MESSAGE & ~filters.ChatType.CHANNEL
        channel = _channel_filter(self._config.telegram.chat_id)
        if channel is not None:
            here = here & ~channel
        application.add_handler(CommandHandler(["start", "help"], self.help, filters=here))
        application.add_handler(CommandHandler("latest", self.latest, filters=here))
        if self._admins:
            admin = here & filters.Chat(chat_id=self._admins)
            application.add_handler(CommandHandler("status", self.status, filters=admin))
            application.add_handler(CommandHandler("digest", self.digest, filters=admin))
            application.add_handler(CommandHandler("release", self.release, filters=admin))
        # Anyone else's admin command ends here, unanswered (not as an unknown command).
        application.add_handler(CommandHandler(list(ADMIN_COMMANDS), self.ignore, filters=here))
        # Tried last: whatever command is left, and plain text in a private chat.
        rest = here & (filters.COMMAND | (filters.ChatType.PRIVATE & filters.TEXT))
        application.add_handler(MessageHandler(rest, self.unknown))
        application.add_error_handler(self.on_error)

    async def help(self, update: Update, context: Context) -> None:
        admin = self._is_admin(update)
        edition = self._edition(update, context)
        await _send(update, context, [help_message(self._config, admin, edition)])

    async def latest(self, update: Update, context: Context) -> None:
        edition = self._edition(update, context)
        try:
            digest_id, bodies = await asyncio.to_thread(read_latest, self._config.paths.store,
                                                        edition.channel)
        except KakehashiError as exc:
            self._say(f"telegram bot: /latest: {exc}")
            await _send(update, context, ["The last digest cannot be read right now; "
                                          "please try again later."])
            return
        await _send(update, context, latest_messages(bodies, digest_id, self._config, edition))

    def _edition(self, update: Update, context: Context) -> Edition:
        """The edition the chat (or the command's first word) names (replies.edition_for)."""
        chat = update.effective_chat
        return edition_for(self._config, chat.id if chat else "", list(context.args or []))

    async def status(self, update: Update, context: Context) -> None:
        lines = await self._call(update, context, "/status", self._actions.status)
        if lines is not None:
            await _send(update, context, preformatted(lines))

    async def digest(self, update: Update, context: Context) -> None:
        line = await self._call(update, context, "/digest", self._actions.publish_now)
        if line is not None:
            await _send(update, context, [_html(line)])

    async def release(self, update: Update, context: Context) -> None:
        args = list(context.args or [])
        if not args:
            await _send(update, context, [_html(RELEASE_USAGE)])
            return
        guids = None if [a.lower() for a in args] == ["all"] else args
        line = await self._call(update, context, "/release", lambda: self._actions.release(guids))
        if line is not None:
            await _send(update, context, [_html(line)])

    async def ignore(self, update: Update, context: Context) -> None:
        return None

    async def unknown(self, update: Update, context: Context) -> None:
        chat, message = update.effective_chat, update.effective_message
        if chat is None or message is None:
            return
        if chat.type != ChatType.PRIVATE:
            first = (message.text or "").split(maxsplit=1)[0] if message.text else ""
            if first.lower().partition("@")[2] != (context.bot.username or "").lower():
                return
        await _send(update, context, [_html(UNKNOWN)])

    async def on_error(self, update: object, context: Context) -> None:
        error = context.error
        self._say(f"telegram bot: {type(error).__name__}: {error}")

    async def _call(self, update: Update, context: Context, command: str,
                    action: Callable[[], T]) -> T | None:
        """Run an admin action in a worker thread; report it; None (and a reply) if it failed."""
        chat = update.effective_chat
        where = f"{command} from admin chat {chat.id if chat else '?'}"
        try:
            result = await asyncio.to_thread(action)
        except KakehashiError as exc:
            self._say(f"telegram bot: {where}: {exc}")
            await _send(update, context, [_html(f"failed: {exc}")])
            return None
        self._say(f"telegram bot: {where}"
                  + (f": {result}" if isinstance(result, str) else ""))
        return result

    def _is_admin(self, update: Update) -> bool:
        return update.effective_chat is not None and update.effective_chat.id in self._admins

    def _say(self, line: str) -> None:
        self._actions.say(redact(line, self._config.telegram.token))


async def _send(update: Update, context: Context, texts: list[str]) -> None:
    if update.effective_chat is None:
        return
    for text in texts:
        await _send_one(context, update.effective_chat.id, text)


async def _send_one(context: Context, chat_id: int, text: str) -> None:
    """One reply; a short flood wait is waited out (the reader is waiting for it)."""
    await call_with_flood_waits(
        lambda: context.bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True)),
        MAX_REPLY_WAIT)


def _html(line: str) -> str:
    return escape(line)


def _channel_filter(chat_id: str) -> filters.MessageFilter | None:
    """Matches the configured channel (or group), whichever form its id is written in."""
    name = chat_id.strip()
    if name.startswith("@") and len(name) > 1:
        return filters.Chat(username=name[1:])
    if name.lstrip("-").isdigit():
        return filters.Chat(chat_id=int(name))
    return None
