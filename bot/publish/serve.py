"""OUT/ over HTTP, read-only (GET and HEAD), from the standard library's ThreadingHTTPServer.

Which files are served, and how they are read without leaving OUT/, is bot.publish.served.
Here: content types, validators (the ETag is a hash of the very bytes sent, so it always
matches the body, even when the file was replaced meanwhile), 304s, gzip, errors, one debug
log line per request, and the server's life in a background thread.
"""

from __future__ import annotations

import email.utils
import errno
import functools
import gzip
import hashlib
import logging
import signal
import socket
import socketserver
import sys
import threading
from collections.abc import Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, cast

from bot.core.errors import ServeError
from bot.publish.rss import FEED_NAME
from bot.publish.served import (
    TYPES,
    Monitor,
    is_served,
    page_policy,
    read_served,
    request_parts,
)

log = logging.getLogger(__name__)

# Pagefind's index files are gzipped already: only text is compressed here.
COMPRESSIBLE = (".html", ".xml", ".css", ".txt", ".svg", ".js", ".json")
ALLOW = "GET, HEAD"


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding value accepts gzip (q > 0, by name or by `*`)."""
    for item in header.lower().split(","):
        coding, _, params = item.partition(";")
        if coding.strip() not in ("gzip", "x-gzip", "*"):
            continue
        weight = params.strip().removeprefix("q=").strip() if "q=" in params else "1"
        try:
            return float(weight) > 0
        except ValueError:
            return False
    return False


def not_modified(headers: Any, etag: str, mtime: float) -> bool:
    """RFC 9110 13.2.2: If-None-Match (weak comparison) decides; else If-Modified-Since."""
    match = headers.get("If-None-Match")
    if match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        return "*" in tags or etag in tags
    since = headers.get("If-Modified-Since")
    if not since:
        return False
    try:
        when = email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # not an HTTP date: ignored, as RFC 9110 says
    return when.tzinfo is not None and int(mtime) <= when.timestamp()


@functools.lru_cache(maxsize=32)
def _gzipped(body: bytes) -> bytes:
    """gzip of a file's bytes, kept for the next request: a 440 KB feed takes ~20 ms to
    compress, and every reader of an unchanged feed would pay it again (measured: 34 full gzip
    answers/s without this cache)."""
    return gzip.compress(body, compresslevel=6, mtime=0)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a feed reader's many revalidations, one socket
    server_version = "kakehashi"
    sys_version = ""
    timeout = 30  # an idle or slow client gives its thread back
    # Headers and body go out in two writes: with Nagle's algorithm, a small body (a gzipped
    # page) waited for the client's delayed ACK, ~40 ms per response (measured).
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def _serve(self) -> None:
        parts = request_parts(self.path)
        if parts is None:
            self._error(HTTPStatus.BAD_REQUEST)
            return
        server = cast(_Server, self.server)
        if parts in (["healthz"], ["metrics"]):
            self._monitoring(parts[0], server.monitor)
            return
        found = read_served(server.out, parts, server.denied) if is_served(parts) else None
        if found is None:
            self._error(HTTPStatus.NOT_FOUND)
            return
        body, info = found
        name = parts[-1].lower()
        kind = TYPES[Path(name).suffix]
        if parts == [FEED_NAME]:
            kind = "application/rss+xml; charset=utf-8"
        etag = hashlib.blake2b(body, digest_size=16).hexdigest()
        packed = name.endswith(COMPRESSIBLE) and accepts_gzip(
            self.headers.get("Accept-Encoding", ""))
        # Each representation gets its own strong validator (RFC 9110 8.8.3).
        etag = f'"{etag}-gzip"' if packed else f'"{etag}"'
        status = HTTPStatus.NOT_MODIFIED if not_modified(
            self.headers, etag, info.st_mtime) else HTTPStatus.OK
        self.send_response(status)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(info.st_mtime, usegmt=True))
        self.send_header("Cache-Control", "no-cache")  # always revalidate: 304s are cheap
        if name.endswith(COMPRESSIBLE):
            self.send_header("Vary", "Accept-Encoding")
        if status == HTTPStatus.NOT_MODIFIED:
            self.end_headers()
            return
        if packed:
            body = _gzipped(body)
            self.send_header("Content-Encoding", "gzip")
        self._send_body(body, kind, page_policy(parts))

    def _monitoring(self, name: str, monitor: Monitor | None) -> None:
        """/healthz and /metrics; without a worker (`serve`) there is only the server to
        judge, and nothing to count."""
        if monitor is None:
            if name == "metrics":
                self._error(HTTPStatus.NOT_FOUND)
                return
            status, body, kind = HTTPStatus.OK, b"serving\n", "text/plain; charset=utf-8"
        elif name == "healthz":
            health = monitor.health()
            status = HTTPStatus.OK if health.ok else HTTPStatus.SERVICE_UNAVAILABLE
            body, kind = health.text.encode(), "text/plain; charset=utf-8"
        else:
            status = HTTPStatus.OK
            body, kind = monitor.metrics()
        self.send_response(status)
        self.send_header("Cache-Control", "no-store")
        self._send_body(body, kind)

    def _send_body(self, body: bytes, kind: str, policy: str | None = None) -> None:
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if policy:
            self.send_header("Content-Security-Policy", policy)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: HTTPStatus) -> None:
        self.send_response(status)
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", ALLOW)
        if self.command not in ("GET", "HEAD"):  # an unread body or a broken request line
            self.send_header("Connection", "close")
            self.close_connection = True
        self._send_body(f"{status.value} {status.phrase}\n".encode(),
                        "text/plain; charset=utf-8")

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        # The base class's errors: any method but GET/HEAD (it says 501) is refused with 405
        # and Allow; the rest (a malformed request line, headers too long) in plain text.
        unsupported = code == HTTPStatus.NOT_IMPLEMENTED and bool(self.command)
        self._error(HTTPStatus.METHOD_NOT_ALLOWED if unsupported else HTTPStatus(code))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = code.value if isinstance(code, HTTPStatus) else code
        log.debug('%s "%s" %s', self.address_string(), _printable(self.requestline), status)

    def log_error(self, format: str, *args: Any) -> None:
        pass  # the request's one line says it all


def _printable(text: str, limit: int = 300) -> str:
    """A request line fit for a log line: controls escaped, length bounded."""
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text[:limit])
    return shown + ("…" if len(text) > limit else "")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, port: int, out: Path, denied: tuple[Path, ...],
                 monitor: Monitor | None = None) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.out = out
        self.denied = denied
        self.monitor = monitor
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer's own looks the host name up in DNS (getfqdn), which can stall offline.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-response is routine; anything else is one line, no trace.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            log.debug("%s: %s", client_address[0], error)
        else:
            log.warning("serve: %s from %s: %s", type(error).__name__, client_address[0], error)


class RunningServer:
    """A server answering from a background thread; `close()` stops it (also as a context)."""

    def __init__(self, server: _Server) -> None:
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={
            "poll_interval": 0.2}, name="kakehashi-serve", daemon=True)
        self._thread.start()
        host, self.port = str(server.server_address[0]), int(server.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.port}/"

    def close(self) -> None:
        """Stop answering and free the port (requests in flight finish on their threads)."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def start_server(out: Path, host: str, port: int, denied: Iterable[Path] = (),
                 monitor: Monitor | None = None) -> RunningServer:
    """Serve OUT on host:port (0 = any free port) from a background thread; with `monitor`
    (`run --serve`), /healthz and /metrics speak for the worker.

    Raises ServeError (one line) when the address cannot be listened on."""
    try:
        server = _Server(host, port, out, tuple(denied), monitor)
    except (OSError, ValueError, UnicodeError) as exc:  # bind/DNS refusal, or a garbled host
        reason = getattr(exc, "strerror", None) or str(exc)
        hint = " (another server holds it: stop it or choose another --port)" if (
            getattr(exc, "errno", None) == errno.EADDRINUSE) else ""
        raise ServeError(f"serve: cannot listen on {host}:{port}: {reason.lower()}{hint}") \
            from None
    return RunningServer(server)


def wait_for_stop() -> None:
    """Block until Ctrl-C or SIGTERM (a service manager's stop): both are a normal end."""

    class Stopped(Exception):  # noqa: N818 (a request to stop, not an error)
        pass

    def stop(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Stopped

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            signal.pause()
    except Stopped:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
