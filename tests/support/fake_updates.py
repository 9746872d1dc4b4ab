"""The incoming side of the fake Bot API: updates for getUpdates, and the webhook settings.

Updates are kept as Telegram keeps them: a getUpdates call returns those at or after its
`offset` and forgets the ones before it (confirmed), and waits up to its `timeout` when there
are none (long polling). `allowed_updates` is remembered from the last call that gave it, and
getUpdates answers 409 while a webhook is set, as Telegram does.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

# Longest a getUpdates call is held open here, whatever timeout the client asks for.
MAX_POLL_SECONDS = 30.0


@dataclass
class FakeUpdates:
    pending: list[dict[str, Any]] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)  # the last setWebhook's parameters
    allowed: list[str] | None = None
    polls: int = 0  # getUpdates calls answered
    waiting: int = 0  # getUpdates calls being held open (long polls) right now
    _next_update: int = 1
    _next_message: int = 1
    _closed: bool = False
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def message(self, chat_id: int, text: str, user_id: int | None = None,
                chat_type: str = "private", username: str = "") -> dict[str, Any]:
        """Queue a message written in a chat (by `user_id`, or the chat's own user)."""
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        chat.update({"first_name": "Reader"} if chat_type == "private" else {"title": "A chat"})
        if username:
            chat["username"] = username
        user = {"id": user_id if user_id is not None else chat_id, "is_bot": False,
                "first_name": "Reader"}
        return self.add("message", {**self._body(chat, text), "from": user})

    def channel_post(self, chat_id: int, text: str, username: str = "") -> dict[str, Any]:
        """Queue a post in a channel (no sender: channels post as themselves)."""
        chat = {"id": chat_id, "type": "channel", "title": "A channel"}
        if username:
            chat["username"] = username
        return self.add("channel_post", self._body(chat, text))

    def _body(self, chat: dict[str, Any], text: str) -> dict[str, Any]:
        with self._cond:
            message_id = self._next_message
            self._next_message += 1
        body: dict[str, Any] = {"message_id": message_id, "date": int(time.time()),
                                "chat": chat, "text": text}
        if text.startswith("/"):
            command = text.split()[0]
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return body

    def add(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        """Queue one update of `kind` (message, channel_post, ...) and wake a waiting poll."""
        with self._cond:
            update = {"update_id": self._next_update, kind: body}
            self._next_update += 1
            self.pending.append(update)
            self._cond.notify_all()
        return update

    def get_updates(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.webhook.get("url"):
            return 409, {"ok": False, "error_code": 409, "description": "Conflict: can't use "
                         "getUpdates method while webhook is active; use deleteWebhook to "
                         "delete the webhook first"}
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), MAX_POLL_SECONDS)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with self._cond:
            self._set_allowed(params)
            self.waiting += 1
            try:
                while True:
                    self.pending = [u for u in self.pending if u["update_id"] >= offset]
                    found = [u for u in self.pending if self._allowed(u)][:limit]
                    left = deadline - time.monotonic()
                    if found or left <= 0 or self._closed:
                        self.polls += 1
                        return 200, {"ok": True, "result": found}
                    self._cond.wait(left)
            finally:
                self.waiting -= 1

    def set_webhook(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._cond:
            self._set_allowed(params)
            self.webhook = dict(params)
            self._cond.notify_all()
        return 200, {"ok": True, "result": True}

    def delete_webhook(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._cond:
            self.webhook = {}
            if str(params.get("drop_pending_updates", "")).lower() == "true":
                self.pending.clear()
        return 200, {"ok": True, "result": True}

    def close(self) -> None:
        """Answer every waiting poll now (the server is stopping)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _set_allowed(self, params: dict[str, Any]) -> None:
        allowed = params.get("allowed_updates")
        if isinstance(allowed, str):
            allowed = json.loads(allowed)
        if allowed is not None:
            self.allowed = list(allowed) or None  # an empty list means "all but a few"

    def _allowed(self, update: dict[str, Any]) -> bool:
        return self.allowed is None or any(kind in update for kind in self.allowed)
