"""Politeness towards the sites whose pages are fetched: robots.txt (read once per host and
run, with urllib.robotparser) and a minimum interval between two requests to one host.

robots.txt follows RFC 9309: a 4xx answer (no file) allows everything; a 5xx answer, a
timeout or a failed connection is "unreachable", and then nothing on the host is fetched this
run (the entries keep their teasers; the next run asks again). A Crawl-delay is honoured up to
MAX_CRAWL_DELAY."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from bot.core.errors import InputError
from bot.sources.encodings import decode_bytes
from bot.sources.http import HTTPStatusError, http_get

# RFC 9309 asks crawlers to read at least 500 KiB of a robots.txt; more is not read.
MAX_ROBOTS_BYTES = 512_000
# A Crawl-delay above this (an hour, a day) would stall a run: this much is waited at most.
MAX_CRAWL_DELAY = 60.0


def host_of(url: str) -> str:
    """What the pace is kept for: the host name (robots.txt is per origin, scheme and port
    included; the machine answering is the same)."""
    return (urlsplit(url).hostname or "").lower()


def pace_delay(last: float | None, now: float, interval: float) -> float:
    """Seconds to wait before a request to a host last asked at `last` (None: never), so
    that two requests are at least `interval` s apart."""
    return 0.0 if last is None else max(0.0, last + interval - now)


class HostPacer:
    """At most one request per host every `interval` s (or the host's own, longer delay)."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = interval
        self._clock, self._sleep = clock, sleep
        self._last: dict[str, float] = {}

    def wait(self, host: str, interval: float | None = None) -> None:
        """Wait until a request to `host` may start, and note that it starts now."""
        gap = self.interval if interval is None else max(self.interval, interval)
        delay = pace_delay(self._last.get(host), self._clock(), gap)
        if delay > 0:
            self._sleep(delay)
        self._last[host] = self._clock()


@dataclass(frozen=True)
class RobotsAnswer:
    """May the page be fetched; if not, why; and the host's Crawl-delay (0: none)."""

    allowed: bool
    reason: str = ""
    delay: float = 0.0


class Robots:
    """robots.txt of each host, fetched the first time a page of it is asked for."""

    def __init__(self, pacer: HostPacer, *, timeout: float, user_agent: str) -> None:
        self._pacer, self._timeout, self._agent = pacer, timeout, user_agent
        self._rules: dict[str, RobotFileParser | str] = {}  # origin → rules, or unreachable

    def check(self, url: str) -> RobotsAnswer:
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        if origin not in self._rules:
            self._pacer.wait(host_of(url))
            self._rules[origin] = self._read(origin + "/robots.txt")
        rules = self._rules[origin]
        if isinstance(rules, str):
            return RobotsAnswer(False, f"robots.txt unreachable ({rules}): not fetched")
        if not rules.can_fetch(self._agent, url):
            return RobotsAnswer(False, "robots.txt disallows it")
        delay = rules.crawl_delay(self._agent)
        return RobotsAnswer(True, delay=min(float(delay or 0), MAX_CRAWL_DELAY))

    def _read(self, url: str) -> RobotFileParser | str:
        rules = RobotFileParser(url)
        try:
            response = http_get(url, timeout=self._timeout, max_bytes=MAX_ROBOTS_BYTES,
                                user_agent=self._agent, accept="text/plain, */*;q=0.5",
                                what="robots.txt")
            lines = decode_bytes(response.body).splitlines() if response.body.strip() else []
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500:  # no robots.txt: everything is allowed
                rules.parse([])  # read, and empty: no rule forbids anything
                return rules
            return str(exc)
        except InputError as exc:
            return str(exc)
        rules.parse(lines)
        return rules
