"""A local server of article pages for the full_text tests: per-path answers, validators
(304 when they match), pages that never answer until the test ends, and every request's
path and headers in the order they came."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HTML = {"Content-Type": "text/html; charset=utf-8"}


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: dict(HTML))
    etag: str = ""  # sent, and a request whose If-None-Match matches gets 304
    hold: bool = False  # never answered while the test runs (a page that times out)


@dataclass
class PageServer:
    pages: dict[str, Page]
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    answers: list[tuple[str, int]] = field(default_factory=list)
    port: int = 0

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


@contextmanager
def serve_pages(pages: dict[str, Page]) -> Iterator[PageServer]:
    """Serve `pages` until the block ends; unknown paths get 404."""
    state = PageServer(pages)
    released = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            page = state.pages.get(self.path, Page(b"not found", 404, {}))
            if page.hold:
                released.wait(30)
                return
            fresh = bool(page.etag) and self.headers.get("If-None-Match") == page.etag
            status = 304 if fresh else page.status
            state.answers.append((self.path, status))
            self.send_response(status)
            headers = {**page.headers, **({"ETag": page.etag} if page.etag else {})}
            for key, value in headers.items():
                self.send_header(key, value)
            body = b"" if fresh else page.body
            if not fresh:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # The client gives up on a page too large: what the test expects.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        released.set()
        server.shutdown()
        server.server_close()


def article_page(headline: str, *paragraphs: str) -> bytes:
    """A news page: site furniture around an <article> with a headline and paragraphs."""
    text = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!doctype html><html lang=ja><head><meta charset=utf-8><title>{headline} | "
            f"ニュース</title></head><body><nav><a href=/>トップ</a> <a href=/w>国際</a></nav>"
            f"<article><h1>{headline}</h1>{text}</article>"
            f"<footer>著作権 ニュース社</footer></body></html>").encode()
