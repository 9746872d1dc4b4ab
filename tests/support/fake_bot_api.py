"""A small fake Telegram Bot API server on 127.0.0.1 for tests.

Speaks enough of the Bot API for python-telegram-bot: getMe and sendMessage, with Telegram's
HTML checks (allowed tags, balance, 4096 characters) and scripted faults; and, for the bot that
answers, getUpdates (long polling over updates the test queues in `updates`), setWebhook and
deleteWebhook (tests/support/fake_updates.py), with every reply readable per chat.

For the fault suite it also counts every message it accepted per (chat, text) -- a message
counted twice was delivered twice --, can hold sendMessage behind a gate (the message is
counted, the answer waits until `release()`), and plays scripted faults per call: an error
status (429 with retry_after, 500, 400), an answer later than the client's timeout, or a
dropped connection (before or after the message counts as delivered).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.support.fake_updates import FakeUpdates
from tests.support.telegram_html import telegram_html_problems


@dataclass(frozen=True)
class Fault:
    """What the server does with one sendMessage call instead of answering it normally.

    kind: "status" (answer `status` with `description`, and `retry_after` if given; nothing
    delivered), "delay" (deliver, then answer after `seconds`), "drop" (close the connection
    without delivering), "drop_after" (deliver, then close the connection without an answer).
    """

    kind: str
    status: int = 0
    description: str = ""
    retry_after: int | None = None
    seconds: float = 0.0

    @classmethod
    def error(cls, status: int, description: str, retry_after: int | None = None) -> Fault:
        return cls("status", status, description, retry_after)


class _Server(ThreadingHTTPServer):
    # The standard backlog of 5 resets connections when a bot answers many chats at once.
    request_queue_size = 128


class _DroppedError(Exception):
    """Raised inside the handler: close the connection without writing an answer."""


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
    # Played one per sendMessage call, after `faults` is empty.
    script: list[Fault] = field(default_factory=list)
    # Every accepted message, per (chat id as text, text): more than 1 is a duplicate delivery.
    received: Counter[tuple[str, str]] = field(default_factory=Counter)
    attempts: int = 0  # sendMessage calls, whatever their outcome
    # When each sendMessage call arrived (time.monotonic()), to measure a client's backoff.
    attempt_times: list[float] = field(default_factory=list)
    # Answer every request (getMe included) with this HTTP status, e.g. 404 or 500.
    fail_all: int | None = None
    failed_all: int = 0  # requests answered with fail_all so far
    # Error descriptions quote the request's path, as some proxies and servers do: the path
    # holds the token, so the client must not repeat a description as it is.
    echo_path: bool = False
    # What the bot is sent (messages to it, channel posts) and the webhook it set.
    updates: FakeUpdates = field(default_factory=FakeUpdates)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _gate: threading.Event = field(default_factory=threading.Event)
    _held: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    _hold_after: int = 0

    def __post_init__(self) -> None:
        self._gate.set()

    def hold(self, after: int = 0) -> None:
        """Once `after` messages have been accepted, each sendMessage is counted as delivered
        but not answered until release()."""
        self._hold_after = after
        self._gate.clear()

    def release(self) -> None:
        """Answer every held sendMessage (and those that come later) again."""
        self._gate.set()

    def wait_held(self, timeout: float = 60.0, alive: Callable[[], bool] = lambda: True) -> None:
        """Block until one more sendMessage has been counted and is held at the gate
        (AssertionError after `timeout`, or as soon as `alive()` says the sender is gone)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._held.acquire(timeout=0.1):
                return
            if not alive():
                raise AssertionError("the sender ended before a sendMessage reached the gate")
        raise AssertionError(f"no sendMessage reached the gate within {timeout} s")

    def duplicates(self) -> dict[tuple[str, str], int]:
        """Messages delivered more than once, with their counts."""
        return {key: count for key, count in self.received.items() if count > 1}

    def sent_to(self, chat: str) -> list[str]:
        """The texts accepted for one chat, in the order they arrived."""
        return [str(m.get("text", "")) for m in list(self.messages)
                if str(m.get("chat_id", "")) == chat]

    def texts(self) -> list[str]:
        """The distinct texts delivered, in no particular order."""
        return [text for _chat, text in self.received]

    def replies(self, chat_id: int | str) -> list[str]:
        """The texts sent to one chat, in order."""
        with self._lock:
            return [str(m.get("text", "")) for m in self.messages
                    if str(m.get("chat_id")) == str(chat_id)]

    def wait_replies(self, chat_id: int | str, count: int = 1,
                     timeout: float = 60.0) -> list[str]:
        """The texts sent to one chat once there are at least `count` (AssertionError after
        `timeout`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.replies(chat_id)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{chat_id} got {self.replies(chat_id)} within {timeout} s, "
                             f"not {count} message(s)")

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def env(self, chat: str) -> dict[str, str]:
        """The environment that points Kakehashi at this server, publishing to `chat`."""
        return {"TELEGRAM_BOT_TOKEN": self.token, "TELEGRAM_CHAT_ID": chat,
                "TELEGRAM_API_BASE_URL": self.base_url}

    def start(self) -> FakeBotApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length).decode("utf-8")
                try:
                    status, body = api.handle(self.path, self.headers.get("Content-Type", ""),
                                              raw)
                except _DroppedError:
                    self.close_connection = True
                    return
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # The client may be gone (killed while it waited): nothing to answer then.
                with contextlib.suppress(OSError):
                    self.wfile.write(data)

            def handle_one_request(self) -> None:
                try:
                    super().handle_one_request()
                except OSError:
                    self.close_connection = True  # the client was killed mid-request

            def log_message(self, *args: object) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def counts(self) -> Counter[str]:
        """How many times each text was received."""
        return Counter(str(m.get("text", "")) for m in list(self.messages))

    def stop(self) -> None:
        self.release()
        self.updates.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def handle(self, path: str, content_type: str, raw: str) -> tuple[int, dict[str, Any]]:
        status, body = self._handle(path, content_type, raw)
        if self.echo_path and not body.get("ok"):
            body["description"] = f"{body.get('description', '')} (POST {path})"
        return status, body

    def _handle(self, path: str, content_type: str, raw: str) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if self.fail_all is not None:
            self.failed_all += 1
            return self.fail_all, {"ok": False, "error_code": self.fail_all,
                                   "description": f"Scripted failure {self.fail_all}"}
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
        if method == "getUpdates":
            return self.updates.get_updates(params)
        if method == "setWebhook":
            return self.updates.set_webhook(params)
        if method == "deleteWebhook":
            return self.updates.delete_webhook(params)
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def _send_message(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.attempts += 1
            self.attempt_times.append(time.monotonic())
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
        fault = self.script.pop(0) if self.script else None
        if fault is not None and fault.kind == "status":
            return self._send_message_fault(fault)
        if fault is not None and fault.kind == "drop":
            raise _DroppedError
        answer = self._deliver(params)
        if answer[0] != 200:
            return answer
        if fault is not None and fault.kind == "drop_after":
            raise _DroppedError
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.seconds)
        if not self._gate.is_set() and answer[1]["result"]["message_id"] > self._hold_after:
            self._held.release()
            self._gate.wait()
        return answer

    def _send_message_fault(self, fault: Fault) -> tuple[int, dict[str, Any]]:
        error: dict[str, Any] = {"ok": False, "error_code": fault.status,
                                 "description": fault.description}
        if fault.retry_after is not None:
            error["parameters"] = {"retry_after": fault.retry_after}
        return fault.status, error

    def _deliver(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        text = str(params.get("text", ""))
        if params.get("parse_mode") == "HTML":
            problems = telegram_html_problems(text)
            if problems:
                return 400, {"ok": False, "error_code": 400,
                             "description": f"Bad Request: can't parse entities: {problems[0]}"}
        with self._lock:
            self.messages.append(params)
            self.received[(str(params.get("chat_id", "")), text)] += 1
            message_id = len(self.messages)
        if self.stalls:
            time.sleep(self.stalls.pop(0))
        return 200, {"ok": True, "result": {
            "message_id": message_id, "date": 1_700_000_000, "text": text,
            "chat": {"id": -1001234567890, "type": "channel", "title": "Digest"}}}
