"""A fake LibreTranslate server on 127.0.0.1, speaking its documented API.

    POST /translate        {"q": text or [texts], "source", "target", "format", "api_key"}
                           (JSON, or form fields with q a single text) → {"translatedText": …}
    GET  /languages        [{"code", "name", "targets"}]
    GET  /frontend/settings {"charLimit", "batchLimit" (when set), "apiKeys", "keyRequired", …}

Errors come as LibreTranslate's `{"error": "..."}` with its statuses and wording: 400 for a bad
request or one over the limits (checked as the real server does: the characters of all texts
together, the count of a list), 403 for a wrong key, 400 for a missing one when keys are
required, 429 and 500 when scripted. The translation is `translate` (default: each run of
Japanese becomes a word, ASCII such as placeholders kept as it is; the benchmark plugs an
engine in). `die_after` stops the server for good after that many answered translations, the
next request dropped unanswered (a killed server); `restart()` brings it back on its port.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

Translate = Callable[[list[str]], list[str]]
LANGUAGES = [{"code": "en", "name": "English", "targets": ["ja"]},
             {"code": "ja", "name": "Japanese", "targets": ["en"]}]
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def stand_in(texts: list[str]) -> list[str]:
    """A deterministic "translation": Japanese runs become words, the rest is kept."""
    return [" ".join(_NOT_ASCII.sub(" word ", text).split()) for text in texts]


class _DroppedError(Exception):
    """Close the connection without an answer."""


@dataclass
class FakeLibreTranslate:
    translate: Translate = stand_in
    char_limit: int = -1
    batch_limit: int = -1
    announce_batch_limit: bool = True  # say batchLimit in /frontend/settings
    api_keys: tuple[str, ...] = ()  # when set, a key is required and must be one of these
    fail_with: tuple[int, str] | None = None  # every /translate answered so
    script: list[tuple[int, str]] = field(default_factory=list)  # one per /translate first
    die_after: int | None = None
    # Every /translate body received (parsed), and the texts of each answered one.
    received: list[dict[str, Any]] = field(default_factory=list)
    answered: list[list[str]] = field(default_factory=list)
    settings_reads: int = 0
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeLibreTranslate:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(*fake.get(self.path))

            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(size).decode("utf-8")
                try:
                    self._answer(*fake.post(self.path, self.headers.get_content_type(), raw))
                except _DroppedError:
                    self.close_connection = True

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def restart(self) -> FakeLibreTranslate:
        """Back on the same port, healthy (the scripted death and faults are over)."""
        self.stop()
        self.die_after, self.fail_with, self.script = None, None, []
        return self.start()

    @property
    def texts(self) -> list[str]:
        """Every text this server translated, in order."""
        return [text for batch in self.answered for text in batch]

    def get(self, path: str) -> tuple[int, Any]:
        if path == "/languages":
            return 200, LANGUAGES
        if path == "/frontend/settings":
            with self._lock:
                self.settings_reads += 1
            settings: dict[str, Any] = {
                "charLimit": self.char_limit, "frontendTimeout": 500,
                "apiKeys": bool(self.api_keys), "keyRequired": bool(self.api_keys),
                "suggestions": False, "supportedFilesFormat": [],
                "language": {"source": LANGUAGES[1], "target": LANGUAGES[0]},
            }
            if self.announce_batch_limit and self.batch_limit != -1:
                settings["batchLimit"] = self.batch_limit
            return 200, settings
        return 404, {"error": "Not Found"}

    def post(self, path: str, content_type: str, raw: str) -> tuple[int, Any]:
        if path != "/translate":
            return 404, {"error": "Not Found"}
        if content_type == "application/json":
            request = json.loads(raw)
            if not isinstance(request, dict):
                return 400, {"error": "Invalid JSON format"}
        else:
            request = {k: v[0] for k, v in parse_qs(raw).items()}
        with self._lock:
            self.received.append(request)
            if self.die_after is not None and len(self.answered) >= self.die_after:
                threading.Thread(target=self.stop, daemon=True).start()
                raise _DroppedError
            fault = self.script.pop(0) if self.script else self.fail_with
        if fault is not None:
            return fault[0], {"error": fault[1]}
        return self._translate(request)

    def _translate(self, request: dict[str, Any]) -> tuple[int, Any]:
        key = request.get("api_key")
        if self.api_keys and key and key not in self.api_keys:
            return 403, {"error": "Invalid API key"}
        if self.api_keys and not key:
            return 400, {"error": "Please contact the server operator to get an API key"}
        q = request.get("q")
        for name in ("q", "source", "target"):
            if not request.get(name):
                return 400, {"error": f"Invalid request: missing {name} parameter"}
        batch = isinstance(q, list)
        if batch and self.batch_limit != -1 and len(q) > self.batch_limit:
            return 400, {"error": f"Invalid request: request ({len(q)}) exceeds text limit "
                                  f"({self.batch_limit})"}
        chars = sum(len(t) for t in q) if batch else len(q)
        if self.char_limit != -1 and chars > self.char_limit:
            return 400, {"error": f"Invalid request: request ({chars}) exceeds text limit "
                                  f"({self.char_limit})"}
        codes = {lang["code"] for lang in LANGUAGES}
        for name in ("source", "target"):
            if request[name] not in codes:
                return 400, {"error": f"{request[name]} is not supported"}
        if request.get("format", "text") not in ("text", "html"):
            return 400, {"error": f"{request['format']} format is not supported"}
        texts = q if batch else [q]
        try:
            out = self.translate(texts)
        except Exception as exc:
            return 500, {"error": f"Cannot translate text: {exc}"}
        with self._lock:
            self.answered.append(list(texts))
        return 200, {"translatedText": out if batch else out[0]}


@contextlib.contextmanager
def running(fake: FakeLibreTranslate) -> Iterator[FakeLibreTranslate]:
    """`fake` started, and stopped after the block."""
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
