"""Local servers that misbehave on purpose (silent, trickling, conditional GET), for feed tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def silent_server() -> Iterator[str]:
    """A URL whose server accepts the connection (in the kernel) but never answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # never accept(): the request is queued and no byte ever comes back
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"
    finally:
        listener.close()


@contextmanager
def _run(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # A short poll interval: shutdown() waits for it, once per test.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def stream_server(chunks: Callable[[], Iterable[bytes]], delay: float = 0.0,
                  content_type: str = "application/rss+xml") -> Iterator[str]:
    """Answer 200 without Content-Length, then send `chunks()` with `delay` before each one."""

    class Handler(_QuietHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for chunk in chunks():
                    time.sleep(delay)
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, which is what the tests expect

    with _run(Handler) as url:
        yield url


@dataclass
class ConditionalLog:
    """What a conditional-GET server saw: one dict of request headers per request."""

    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""


@contextmanager
def conditional_server(body: bytes, etag: str, last_modified: str) -> Iterator[ConditionalLog]:
    """Serve `body` with validators; answer 304 when the request's validators match."""
    log = ConditionalLog()

    class Handler(_QuietHandler):
        def do_GET(self) -> None:
            log.requests.append({k.lower(): v for k, v in self.headers.items()})
            fresh = (self.headers.get("If-None-Match") == etag
                     or self.headers.get("If-Modified-Since") == last_modified)
            self.send_response(304 if fresh else 200)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            if fresh:
                self.end_headers()
                return
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with _run(Handler) as url:
        log.url = url
        yield log
