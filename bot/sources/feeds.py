"""RSS/Atom feeds: a conditional, bounded HTTP fetch, then entries → FeedItems. Network and parse
problems come back as `FetchResult.error` with a backoff, so one bad feed never stops the others."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.core.backoff import backoff_delay
from bot.core.errors import InputError
from bot.sources.feed_fields import decode_japanese_feed, entry_date
from bot.sources.http import USER_AGENT, check_url, http_get, one_line
from bot.sources.web.page import html_to_text
from bot.text.links import safe_link

_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html[\s>])", re.IGNORECASE)


@dataclass(frozen=True)
class FeedState:
    """What the store keeps per feed URL between polls."""

    url: str
    etag: str = ""
    modified: str = ""  # Last-Modified header value as received, sent back verbatim
    failures: int = 0  # consecutive failures
    next_poll: float = 0.0  # unix time before which the feed is not polled (backoff)
    last_error: str = ""


@dataclass(frozen=True)
class FeedItem:
    """One feed entry, ready to become a Document."""

    feed_url: str
    guid: str  # entry id, else link, else a hash of title and text
    title: str
    link: str  # a valid http(s) URI, or "" (unsafe or unusable links are dropped)
    published: datetime | None  # timezone-aware, in the offset the source wrote
    text: str  # plain text of the entry's content (else summary); the title is not included


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one poll: the state to store, and the items when there are any."""

    state: FeedState
    items: tuple[FeedItem, ...]
    not_modified: bool = False
    error: str = ""  # one-line reason when the fetch or parse failed
    warning: str = ""  # the feed was read, but not cleanly (malformed XML read in part)


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's usable items, and what was wrong with it when it was read only in part."""

    items: tuple[FeedItem, ...]
    warning: str = ""


# A feed that fails once or twice (a deploy, a restart) is polled at its interval as usual: a
# feed that keeps few entries would lose some if one 500 paused it. From this many failures
# in a row on, it is polled less often.
BACKOFF_AFTER = 3
BACKOFF_CAP_SECONDS = 6 * 3600.0


def backoff_seconds(failures: int, interval: float, cap: float = BACKOFF_CAP_SECONDS) -> float:
    """Delay before the next poll after `failures` consecutive failures of a feed polled every
    `interval` s: none before BACKOFF_AFTER, then the interval doubled, doubling again at each
    failure, capped (a cap below the interval leaves the interval as it is)."""
    if failures < BACKOFF_AFTER:
        return 0.0
    # Twice the interval at the first failure that counts. No jitter: a feed is polled at
    # the service's ticks anyway, and due() gives that slack.
    return backoff_delay(failures - BACKOFF_AFTER + 1, 2 * interval, max(cap, interval))


def due(state: FeedState, now: float, slack: float = 0.0) -> bool:
    """Whether the feed may be polled at `now`: its backoff, if any, has passed, or ends
    within `slack` s."""
    return now + slack >= state.next_poll


def poll_feed(state: FeedState, now: float, *, timeout: float = 20.0, max_bytes: int = 5_000_000,
              max_redirects: int = 5, user_agent: str = USER_AGENT,
              zone: tzinfo = UTC, interval: float = 1800.0) -> FetchResult:
    """Fetch and parse one feed; failures come back in the result (with backoff), never raised.

    `zone` is the time zone of entry dates that give none; `interval` the seconds between
    two polls of this feed, from which a failing feed's backoff starts. A feed read only in
    part comes back with its items and a warning, kept as last_error without counting as a
    failure."""
    try:
        check_url(state.url)
        response = http_get(state.url, timeout=timeout, max_bytes=max_bytes,
                            max_redirects=max_redirects, user_agent=user_agent, accept=_ACCEPT,
                            etag=state.etag, modified=state.modified)
        not_modified = response.status == 304
        parsed = ParsedFeed(()) if not_modified else read_feed(
            state.url, response.body, response.headers, zone)
    except InputError as exc:
        failures = state.failures + 1
        delay = backoff_seconds(failures, interval)
        failed = replace(state, failures=failures, next_poll=now + delay if delay else 0.0,
                         last_error=str(exc))
        return FetchResult(failed, (), error=str(exc))
    etag, modified = response.headers.get("etag", ""), response.headers.get("last-modified", "")
    if not_modified:
        # A 304 may omit the validators; the ones we sent are still the current ones.
        etag, modified = etag or state.etag, modified or state.modified
    ok = replace(state, etag=etag, modified=modified, failures=0, next_poll=0.0,
                 last_error=parsed.warning)
    return FetchResult(ok, parsed.items, not_modified=not_modified, warning=parsed.warning)


def parse_feed(feed_url: str, body: bytes, headers: Mapping[str, str],
               zone: tzinfo = UTC) -> tuple[FeedItem, ...]:
    """Feed bytes plus their HTTP headers → items; InputError when it is not a usable feed."""
    return read_feed(feed_url, body, headers, zone).items


def read_feed(feed_url: str, body: bytes, headers: Mapping[str, str],
              zone: tzinfo = UTC) -> ParsedFeed:
    """Feed bytes plus their HTTP headers → items and a warning when it was read only in part;
    InputError when it is not a usable feed."""
    import feedparser  # imported here: the CLI starts without it
    from feedparser.encodings import convert_to_utf8

    if not body.strip():
        raise InputError("empty response")
    given = {key.lower(): value for key, value in headers.items() if value}
    japanese = decode_japanese_feed(body, given)
    if japanese is not None:  # feedparser reads Windows-31J as iso-8859-2: decode it first
        body, given["content-type"] = japanese
    # Decode exactly as feedparser will, so the entity check sees what the XML parser sees:
    # '<!ENTITY' can hide from a byte search in UTF-16, UTF-7 or EBCDIC.
    data = convert_to_utf8(given, body, {})
    if re.search(rb"(?i)<!DOCTYPE", data) and re.search(rb"(?i)<!ENTITY", data):
        # feedparser keeps "safe" entities and its fallback parser expands them without limit
        # (a 100 kB feed became a 200 MB summary); feeds have no need for them.
        raise InputError("feed declares XML entities (refused)")
    content_type = given.get("content-type", "")
    media_type = content_type.split(";")[0].strip() or "application/xml"
    passed = {**given, "content-type": f"{media_type}; charset=utf-8"}  # data is UTF-8 now
    try:
        # Always a stream: given bytes, feedparser first tries them as a local file path.
        parsed = feedparser.parse(io.BytesIO(data), response_headers=passed)
        items = tuple(_to_item(feed_url, entry, zone) for entry in parsed.get("entries", []))
    except Exception as exc:  # hostile input must be reported like any bad feed, never raised
        raise InputError(f"feed cannot be parsed: {one_line(exc)}") from exc
    usable = tuple(item for item in items if item.title or item.text)
    notices = feedparser.ThingsNobodyCaresAboutButMe
    if not usable:
        _check_empty_feed(parsed, data, content_type, notices)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if problem is None or isinstance(problem, notices):
        return ParsedFeed(usable)
    read = f"{len(usable)} entr{'y' if len(usable) == 1 else 'ies'} read"
    return ParsedFeed(usable, f"malformed XML, {read}: {one_line(problem)}")


def _check_empty_feed(parsed: Any, data: bytes, content_type: str, notices: type) -> None:
    version = str(parsed.get("version") or "")
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not version and ("html" in content_type.lower() or _HTML_START.search(data[:4096])):
        raise InputError("not a feed (HTML page)")
    # Encoding and content-type notices are harmless; a real XML error with nothing usable is not.
    if problem is not None and not isinstance(problem, notices):
        raise InputError(f"malformed feed: {one_line(problem)}")
    if not version:
        raise InputError("not a feed (no RSS or Atom root element)")


def _to_item(feed_url: str, entry: Any, zone: tzinfo) -> FeedItem:
    # dict.get, not FeedParserDict.get: its fallbacks (updated → published) warn and guess.
    title = str(dict.get(entry, "title") or "")
    if "html" in str((dict.get(entry, "title_detail") or {}).get("type", "")):
        title = html_to_text(title)
    title = " ".join(title.split())
    raw_link = str(dict.get(entry, "link") or "").strip()
    text = _entry_text(entry)
    guid = (str(dict.get(entry, "id") or "").strip() or raw_link
            or "sha256:" + hashlib.sha256(f"{title}\n{text}".encode()).hexdigest())
    return FeedItem(feed_url, guid, title, safe_link(raw_link), _entry_published(entry, zone),
                    text)


def _entry_text(entry: Any) -> str:
    # Full content beats the summary: many feeds put only a teaser in <description>.
    details = [*(dict.get(entry, "content") or []), dict.get(entry, "summary_detail") or {}]
    for detail in details:
        value = str(detail.get("value") or "")
        if value.strip():
            return _html_to_lines(value) if "html" in str(detail.get("type", "")) else value.strip()
    return ""


def _html_to_lines(html: str) -> str:
    # html_to_text renders a line break in the source as a browser does (white space, nothing
    # between Japanese characters); only block elements make lines.
    lines = (" ".join(line.split()) for line in html_to_text(html).split("\n"))
    return "\n".join(line for line in lines if line)


def _entry_published(entry: Any, zone: tzinfo) -> datetime | None:
    for key in ("published", "updated"):  # the date it was published beats its last edit
        raw, parsed = dict.get(entry, key), dict.get(entry, f"{key}_parsed")
        if raw or parsed:
            return entry_date(str(raw or ""), parsed, zone)
    return None
