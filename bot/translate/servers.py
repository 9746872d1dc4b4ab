"""The LibreTranslate servers of `translation.servers`: their limits, and which of them are in
rotation (bot/translate/remote.py sends the requests).

Each server's limits are read from its /frontend/settings once, on first use. A server that
fails (network error, timeout, 429, 5xx, an answer that is not one) waits a backoff before its
next request; after `failures_to_rest` failures in a row, or at once when it refuses us (any
other 4xx: a missing or wrong key, a pair it lacks), it is out of rotation for `rest_seconds`,
then tried again. Requests go round robin over the servers in rotation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.backoff import backoff_delay

Clock = Callable[[], float]
Fits = Callable[["Server"], bool]


@dataclass(frozen=True)
class RemotePolicy:
    """How the engine talks to its servers (tests shorten the waits)."""

    connect_timeout: float = 10.0
    # One request holds a whole batch, which a CPU server translates one text at a time.
    read_timeout: float = 300.0
    failures_to_rest: int = 3
    rest_seconds: float = 120.0
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    # Per request, whatever more the server allows (its own default is no limit): a smaller
    # request is shorter to wait for and to lose, and spreads better over several servers.
    max_chars: int = 3000
    max_texts: int = 32


@dataclass(frozen=True)
class Limits:
    chars: int  # characters of all texts of one request (LibreTranslate counts them so)
    texts: int  # texts per request


def read_limits(settings: object, policy: RemotePolicy) -> Limits:
    """A server's limits from its /frontend/settings answer: `charLimit` (-1: none) and,
    when the server says it, `batchLimit`; ours where it sets none or a larger one."""
    found = settings if isinstance(settings, dict) else {}
    return Limits(_limit(found.get("charLimit"), policy.max_chars),
                  _limit(found.get("batchLimit"), policy.max_texts))


def _limit(value: object, ours: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return min(value, ours)
    return ours


class Server:
    """One server's limits and health (mutable: the engine keeps it for its life)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.limits: Limits | None = None  # read on first use
        self.failures = 0  # in a row
        self.not_before = 0.0  # clock time before which it is not asked again
        self.last_error = ""


class Rotation:
    """The servers, taken in turn among those not waiting out a failure."""

    def __init__(self, urls: tuple[str, ...], policy: RemotePolicy,
                 clock: Clock = time.monotonic) -> None:
        self.servers = [Server(url) for url in urls]
        self.policy = policy
        self.clock = clock
        self._next = 0

    def pick(self, fits: Fits = lambda _: True) -> Server | None:
        """The next server in turn that is ready now and `fits`; None when none is."""
        now = self.clock()
        count = len(self.servers)
        for step in range(count):
            server = self.servers[(self._next + step) % count]
            if server.not_before <= now and fits(server):
                self._next = (self._next + step + 1) % count
                return server
        return None

    def resting(self, server: Server) -> bool:
        """Out of rotation (not merely backing off between two tries)?"""
        return server.failures >= self.policy.failures_to_rest

    def all_resting(self, fits: Fits = lambda _: True) -> bool:
        """Is every server that `fits` out of rotation (none to wait for)?"""
        now = self.clock()
        return all(self.resting(s) and s.not_before > now for s in self.servers if fits(s))

    def next_ready(self, fits: Fits = lambda _: True) -> float:
        """Seconds until the first server that `fits` and is only backing off may be asked."""
        now = self.clock()
        waits = [s.not_before for s in self.servers if fits(s) and not self.resting(s)]
        return max(0.0, min(waits, default=now) - now)

    def succeeded(self, server: Server) -> None:
        server.failures, server.not_before, server.last_error = 0, 0.0, ""

    def failed(self, server: Server, reason: str, retry_after: float = 0.0) -> None:
        """A failure worth trying again: back off, and rest after too many in a row."""
        server.failures += 1
        server.last_error = reason
        p = self.policy
        if self.resting(server):
            # Tried again after the rest; one more failure then sends it back to rest.
            server.failures = p.failures_to_rest
            wait = p.rest_seconds
        else:
            wait = backoff_delay(server.failures, p.backoff_base, p.backoff_cap, jitter=0.5)
        server.not_before = self.clock() + max(wait, min(retry_after, p.rest_seconds))

    def refused(self, server: Server, reason: str) -> None:
        """A refusal (a 4xx other than 429): asking again soon would be refused again."""
        server.failures = self.policy.failures_to_rest - 1
        self.failed(server, reason)

    def summary(self) -> str:
        """Each server and why it last failed, for the one-line error."""
        return "; ".join(f"{s.url}: {s.last_error or 'not tried'}" for s in self.servers)
