"""A small fake Telegram Bot API server on 127.0.0.1 for tests.

Speaks enough of the Bot API for python-telegram-bot: getMe and sendMessage, with Telegram's
HTML checks (allowed tags, balance, 4096 characters) and scripted faults.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.support.telegram_html import telegram_html_problems


@dataclass
class FakeBotApi:
    token: str = "123456:TEST-token"
    messages: list[dict[str, Any]] = field(default_factory=list)
    # Each scripted fault answers one sendMessage: (HTTP status, description, retry_after).
    faults: list[tuple[int, str, int | None]] = field(default_factory=list)
    migrate_to: int | None = None  # sent with the next fault, as Telegram does for upgrades
    # Seconds every sendMessage takes before it is accepted (lets two senders overlap).
    delay_seconds: float = 0.0
    # Each entry stalls one accepted sendMessage: the message is delivered (recorded) but
    # the answer comes that many seconds later, after the client has given up (a timeout).
    stalls: list[float] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def start(self) -> FakeBotApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length).decode("utf-8")
                status, body = api.handle(self.path, self.headers.get("Content-Type", ""), raw)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (a stalled answer) or was killed

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def counts(self) -> Counter[str]:
        """How many times each text was received."""
        return Counter(str(m.get("text", "")) for m in list(self.messages))

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def handle(self, path: str, content_type: str, raw: str) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix):]
        if content_type.startswith("application/json"):
            params = json.loads(raw or "{}")
        else:
            params = {k: v[0] for k, v in parse_qs(raw).items()}
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": 123456, "is_bot": True,
                                                "first_name": "Kakehashi", "username": "kk_bot"}}
        if method == "sendMessage":
            return self._send_message(params)
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def _send_message(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        if self.faults:
            status, description, retry_after = self.faults.pop(0)
            error: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
            if retry_after is not None:
                error["parameters"] = {"retry_after": retry_after}
            if self.migrate_to is not None:
                error["parameters"] = {"migrate_to_chat_id": self.migrate_to}
            return status, error
        text = str(params.get("text", ""))
        if params.get("parse_mode") == "HTML":
            problems = telegram_html_problems(text)
            if problems:
                return 400, {"ok": False, "error_code": 400,
                             "description": f"Bad Request: can't parse entities: {problems[0]}"}
        self.messages.append(params)
        if self.stalls:
            time.sleep(self.stalls.pop(0))
        return 200, {"ok": True, "result": {
            "message_id": len(self.messages), "date": 1_700_000_000, "text": text,
            "chat": {"id": -1001234567890, "type": "channel", "title": "Digest"}}}
