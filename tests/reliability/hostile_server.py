"""Feeds that attack the reader, served from 127.0.0.1 (no network): one path per attack."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.reliability.helpers import GoodDoc

Answer = Callable[[BaseHTTPRequestHandler, threading.Event], None]


def rss(items: list[GoodDoc], encoding: str = "utf-8", prefix: str = "feed",
        codec: str = "") -> bytes:
    """A small valid RSS 2.0 document holding `items`, declared in `encoding` and encoded
    with `codec` (default: the same), e.g. Shift_JIS declared, Windows-31J written."""
    body = "".join(
        f"<item><title>{doc.title}</title><link>http://127.0.0.1/{prefix}/{doc.number}</link>"
        f"<guid>{prefix}-{doc.number}</guid><description>{_body(doc)}</description></item>"
        for doc in items)
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
            f"<title>t</title><link>http://127.0.0.1/</link><description>d</description>"
            f"{body}</channel></rss>").encode(codec or encoding)


def _body(doc: GoodDoc) -> str:
    return "".join(doc.text.splitlines(keepends=True)[1:])


def fixed(body: bytes, content_type: str = "application/rss+xml; charset=utf-8",
          status: int = 200) -> Answer:
    def answer(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    return answer


def redirect(location: str) -> Answer:
    def answer(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return answer


def streamed(chunk: bytes, total: int | None, delay: float = 0.0) -> Answer:
    """`chunk` repeated up to `total` bytes (None: forever), no Content-Length."""
    def answer(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>')
        sent = 0
        while (total is None or sent < total) and not stop.is_set():
            handler.wfile.write(chunk)
            sent += len(chunk)
            if delay:
                time.sleep(delay)
    return answer


@dataclass
class HostileServer:
    routes: dict[str, Answer] = field(default_factory=dict)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def serve(routes: dict[str, Answer]) -> Iterator[HostileServer]:
    state = HostileServer(routes)
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = state.routes.get(self.path.split("?")[0], fixed(b"not found", "text/plain",
                                                                     404))
            with contextlib.suppress(OSError):  # the reader hung up: that is its right
                answer(self, stop)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield state
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
