"""Article pages of full_text feeds: a feed entry's link fetched, politely (robots.txt, a
pace per host), conditionally (ETag/Last-Modified), bounded like a feed, and read with the
folder's HTML reader. A page that cannot be read comes back with a one-line reason; the
caller keeps the entry's teaser then."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.core.errors import InputError
from bot.sources.encodings import decode_bytes
from bot.sources.http import USER_AGENT, check_url, http_get
from bot.sources.robots import HostPacer, Robots, host_of
from bot.sources.web.page import read_article

_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class PageSettings:
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    host_interval: float = 1.0  # seconds between two requests to one host, at least
    user_agent: str = USER_AGENT
    max_redirects: int = 5


@dataclass(frozen=True)
class PageResult:
    """One fetch of a page: its article text (headline left out) and date, its validators;
    `not_modified` when the server said the copy read before still holds; else `reason`
    when it could not be read."""

    text: str = ""
    published: str = ""  # ISO 8601 from the page's metadata, or ""
    etag: str = ""
    modified: str = ""
    not_modified: bool = False
    reason: str = ""


class PageFetcher:
    """The page fetches of one run: robots.txt read once per host, requests paced per host.
    Not thread-safe: pages are fetched one after the other."""

    def __init__(self, settings: PageSettings, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.pacer = HostPacer(settings.host_interval, clock, sleep)
        self.robots = Robots(self.pacer, timeout=settings.timeout,
                             user_agent=settings.user_agent)

    def fetch(self, url: str, etag: str = "", modified: str = "") -> PageResult:
        """Fetch and read the page at `url` (sending the validators given); never raises."""
        s = self.settings
        try:
            check_url(url, "page")
            answer = self.robots.check(url)
            if not answer.allowed:
                return PageResult(reason=answer.reason)
            self.pacer.wait(host_of(url), answer.delay)
            response = http_get(url, timeout=s.timeout, max_bytes=s.max_bytes,
                                max_redirects=s.max_redirects, user_agent=s.user_agent,
                                accept=_ACCEPT, etag=etag, modified=modified, what="page",
                                check=_html_only)
        except InputError as exc:
            return PageResult(reason=str(exc))
        etag = response.headers.get("etag", "") or (etag if response.status == 304 else "")
        modified = (response.headers.get("last-modified", "")
                    or (modified if response.status == 304 else ""))
        if response.status == 304:
            return PageResult(etag=etag, modified=modified, not_modified=True)
        try:
            page = read_article(decode_bytes(response.body))
        except InputError as exc:  # bytes that are no text in any encoding
            return PageResult(etag=etag, modified=modified, reason=str(exc))
        if not page.lines:
            return PageResult(etag=etag, modified=modified, reason="no article text on the page")
        return PageResult("\n".join(page.lines), page.source.published, etag, modified)


def _html_only(headers: Mapping[str, str]) -> None:
    """A PDF or an image behind the link is not read (its bytes are not even downloaded)."""
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    if media and media not in _HTML_TYPES:
        raise InputError(f"not an HTML page ({media})")
