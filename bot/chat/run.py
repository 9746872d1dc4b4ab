"""Run the bot inside the service's event loop: start, answer until told to stop, shut down.

python-telegram-bot's `run_polling` owns the loop and the signals, so its parts are called
one by one instead (initialize, start, updater.start_polling or start_webhook; then stop and
shutdown in reverse), which is how the library documents running beside other asyncio code.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from bot.chat.actions import ChatActions
from bot.chat.logs import token_hidden_in_logs
from bot.config import Config
from bot.core.backoff import backoff_delay
from bot.core.errors import ConfigError, PublishError
from bot.core.redact import redact
from bot.telegram.api import application_builder

# A long poll stays open this long when nothing comes; stopping cancels it at once.
POLL_TIMEOUT = timedelta(seconds=25)
# Starting again after a failed start (Telegram unreachable): after 1 s, doubling up to a
# minute; no jitter (one bot, nothing to spread out).
RETRY_BASE_SECONDS, MAX_RETRY_SECONDS = 1.0, 60.0
# Only messages written to the bot: channel posts, edits, joins etc. are never even fetched.
ALLOWED_UPDATES = ["message"]

# Messages handled at once.
CONCURRENT_UPDATES = 4

App = Any  # telegram.ext.Application with its six type parameters


async def run_chat(config: Config, actions: ChatActions, stop: asyncio.Event) -> None:
    """Answer commands until `stop` is set, then shut down (a companion of the service).

    A start that fails for a reason that may pass (Telegram unreachable) is tried again until
    `stop`; a rejected token (PublishError) or an unusable webhook address (ConfigError) ends it.
    """
    token = config.telegram.token
    if not token:
        raise ConfigError("telegram: the bot needs TELEGRAM_BOT_TOKEN")
    from telegram.error import InvalidToken, TelegramError

    failures = 0
    with token_hidden_in_logs(token):
        while not stop.is_set():
            try:
                await _serve(config, actions, stop)
                return
            except InvalidToken:
                raise PublishError("telegram: TELEGRAM_BOT_TOKEN was rejected by the Bot API "
                                   "server; the bot is not answering") from None
            except TelegramError as exc:
                failures += 1
                delay = backoff_delay(failures, RETRY_BASE_SECONDS, MAX_RETRY_SECONDS)
                actions.say(redact(f"telegram bot: cannot start ({type(exc).__name__}: {exc}); "
                                   f"trying again in {delay:.0f} s", token))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)


async def _serve(config: Config, actions: ChatActions, stop: asyncio.Event) -> None:
    """One life of the bot: answer until `stop`; whatever happens, everything is closed."""
    application = build_application(config, actions)
    async with application:  # initialize (getMe: the token is checked) ... shutdown
        await application.start()
        try:
            how = await _receive(application, config, actions)
            actions.say(f"telegram bot: @{application.bot.username} answers ({how})")
            await stop.wait()
        finally:
            if application.updater.running:
                await application.updater.stop()
            await application.stop()
    actions.say("telegram bot: stopped")


def build_application(config: Config, actions: ChatActions) -> App:
    """A python-telegram-bot Application with the bot's handlers, not yet started."""
    from bot.chat.handlers import Commands

    application = (
        application_builder(config.telegram)
        .job_queue(None)  # the service schedules; the bot has no timed jobs of its own
        # A slow /status must not hold up another chat's /start; a burst of chats must not
        # become a burst of sends beyond Telegram's ~30 messages a second.
        .concurrent_updates(CONCURRENT_UPDATES)
        .build()
    )
    Commands(config, actions).install(application)
    return application


async def _receive(application: App, config: Config, actions: ChatActions) -> str:
    """Start fetching messages: long polling, or a webhook when a public URL is set."""
    t = config.telegram
    if not t.webhook_url:
        await application.updater.start_polling(
            timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES,
            error_callback=_once_per_cause(actions, t.token))
        return "long polling"
    # Before setWebhook: Telegram is not sent to an address nothing can listen on.
    _check_listen(t.webhook_listen, t.webhook_port)
    try:
        # A new secret at every start: setWebhook hands it to Telegram, which sends it with
        # each update; posts without it are refused (403). Nothing to configure or leak.
        await application.updater.start_webhook(
            listen=t.webhook_listen, port=t.webhook_port,
            url_path=urlsplit(t.webhook_url).path or "/", webhook_url=t.webhook_url,
            allowed_updates=ALLOWED_UPDATES, secret_token=secrets.token_urlsafe(32))
    except OSError as exc:
        raise ConfigError(f"telegram: cannot listen on {t.webhook_listen}:{t.webhook_port} "
                          f"for the webhook ({exc.strerror or exc})") from None
    return f"webhook {t.webhook_url}, listening on {t.webhook_listen}:{t.webhook_port}"


def _check_listen(host: str, port: int) -> None:
    """ConfigError unless `host:port` can be listened on now (in use, no such address)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        with socket.socket(family, kind, proto) as probe:
            # As the webhook server itself does: a port left in TIME_WAIT is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise ConfigError(f"telegram: cannot listen on {host}:{port} for the webhook "
                          f"({exc.strerror or exc})") from None


def _once_per_cause(actions: ChatActions, token: str) -> Callable[[Exception], None]:
    """Report polling errors (the library retries them), one line per new cause, not per try."""
    last = [""]

    def report(exc: Exception) -> None:
        line = redact(f"telegram bot: fetching messages failed ({type(exc).__name__}: {exc}); "
                      "retrying", token)
        if line != last[0]:
            actions.say(line)
            last[0] = line

    return report
