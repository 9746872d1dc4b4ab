"""Talking with people on Telegram: the bot that answers, and the admin alerts.

The bot: /start, /help and /latest for anyone; /status, /digest and /release for the admin
chats of the config. `run_chat(config, actions, stop)` is a companion of the service: it
answers until `stop` is set, then shuts down. `service_actions(config, digest_now)` builds
the `ChatActions` a running service offers. The alerts (`bot.chat.alerts`) are another
companion, fed by what each job did.
"""

from bot.chat.actions import ChatActions, service_actions
from bot.chat.run import run_chat

__all__ = ["ChatActions", "run_chat", "service_actions"]
