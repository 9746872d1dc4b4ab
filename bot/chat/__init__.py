"""The bot that answers: /start, /help and /latest for anyone; /status, /digest and /release
for the admin chats of the config.

`run_chat(config, actions, stop)` is a companion of the service: it answers until `stop` is
set, then shuts down. `service_actions(config, digest_now)` builds the `ChatActions` a running
service offers.
"""

from bot.chat.actions import ChatActions, service_actions
from bot.chat.run import run_chat

__all__ = ["ChatActions", "run_chat", "service_actions"]
