"""One bounded HTTP GET for every fetch from the web (feeds, article pages, robots.txt): http(s)
only, a timeout on each network step and a deadline on the whole download, a size cap on the
decoded bytes, a redirect limit, the user agent, and conditional GET. Problems come back as
InputError with a one-line reason."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from bot.core.errors import InputError

USER_AGENT = "Kakehashi/0.1 (+feed reader)"


@dataclass(frozen=True)
class Response:
    status: int  # 2xx, or 304 (not modified: no body)
    body: bytes
    headers: dict[str, str]  # lower-case names: the ones `_pick_headers` keeps
    url: str = ""  # where the last redirect led


class HTTPStatusError(InputError):
    """The server answered, with a status that is neither 2xx nor 304."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status} {reason}".strip())
        self.status = status


def check_url(url: str, what: str = "feed") -> None:
    """InputError unless `url` is an http(s) URL with a host."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise InputError(f"invalid {what} URL: {one_line(exc)}") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(f"unsupported URL scheme {parts.scheme or '(none)'!r}: http/https only")
    if not parts.hostname:
        raise InputError(f"{what} URL has no host")


def http_get(url: str, *, timeout: float, max_bytes: int, max_redirects: int = 5,
             user_agent: str = USER_AGENT, accept: str = "*/*", etag: str = "",
             modified: str = "", what: str = "feed",
             check: Callable[[Mapping[str, str]], None] | None = None) -> Response:
    """GET `url`; `check` sees a 2xx answer's headers before its body is read (and may raise
    InputError to leave the body unread). `what` names the thing in the reasons."""
    import httpx  # imported here: the CLI starts without the HTTP stack

    wanted = {"User-Agent": user_agent, "Accept": accept, "If-None-Match": etag,
              "If-Modified-Since": modified}
    # Bytes: httpx encodes str values as ASCII and raises on a server's non-ASCII ETag.
    headers = {name.encode(): value.encode() for name, value in wanted.items() if value}
    # httpx's timeout bounds each network step; the deadline bounds the whole download.
    deadline = time.monotonic() + timeout
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True,
                          max_redirects=max_redirects) as client, \
                client.stream("GET", url, headers=headers) as response:
            final = str(response.url)
            if response.status_code == 304:
                return Response(304, b"", _pick_headers(response.headers, final), final)
            if not 200 <= response.status_code < 300:
                raise HTTPStatusError(response.status_code, response.reason_phrase)
            if check is not None:
                check(_pick_headers(response.headers, final))
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise InputError(f"{what} too large ({int(declared):,} bytes; "
                                 f"limit {max_bytes:,})")
            body = _read_body(response, max_bytes, deadline, timeout, what)
            return Response(200, body, _pick_headers(response.headers, final), final)
    except httpx.TimeoutException as exc:
        raise InputError(f"timed out after {timeout:g} s") from exc
    except httpx.TooManyRedirects as exc:
        raise InputError(f"too many redirects (limit {max_redirects})") from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise InputError(f"fetch failed: {one_line(exc)}") from exc


def _read_body(response: Any, max_bytes: int, deadline: float, timeout: float,
               what: str) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():  # decoded bytes: a gzip bomb hits the cap too
        body += chunk
        if len(body) > max_bytes:
            raise InputError(f"{what} too large (over {max_bytes:,} bytes)")
        if time.monotonic() > deadline:
            raise InputError(f"timed out after {timeout:g} s")
    return bytes(body)


def _pick_headers(headers: Mapping[str, str], final_url: str) -> dict[str, str]:
    names = ("content-type", "content-location", "content-language", "etag", "last-modified")
    picked = {name: headers.get(name, "") for name in names}
    # feedparser resolves relative links against Content-Location; it never sees the URL itself.
    picked["content-location"] = urljoin(final_url, picked["content-location"])
    return picked


def one_line(exc: object) -> str:
    """An exception (or text) as one line of at most 200 characters."""
    if hasattr(exc, "getMessage"):  # SAXParseException: its line numbers count feedparser's
        return one_line(exc.getMessage())  # own added XML declaration, so they are left out
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"
