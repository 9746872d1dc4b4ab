"""What the service's triggers ask for, what each job did, and the seams' types."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.run.worker import RunReport

# A coroutine run as a task for the life of the service; the Event is set when the service
# stops, and the companion must return promptly then.
Companion = Callable[[asyncio.Event], Awaitable[None]]


@dataclass(frozen=True)
class Request:
    """What one job is asked to do. Requests posted while a job runs merge into one."""

    folder: bool = False
    feeds: frozenset[str] = frozenset()
    # A digest of what is pending now; without it only messages already queued are sent.
    publish: bool = False
    # Publish too if the newest digest is older than this (a digest time missed while the
    # worker was stopped, within schedule.grace_minutes).
    catch_up_after: datetime | None = None
    # With `publish`: the editions whose digest is due (their mode, their digest time);
    # empty: every edition.
    editions: frozenset[str] = frozenset()
    # The named editions' catch-up times, as `catch_up_after` is the default edition's.
    catch_up: frozenset[tuple[str, datetime]] = frozenset()
    # A shared state's look (bot/service/jobs.py): take over publishing if its publisher is
    # gone, and publish what the other workers read.
    shared: bool = False

    @property
    def empty(self) -> bool:
        return not (self.folder or self.feeds or self.publish or self.catch_up_after
                    or self.catch_up or self.shared)

    def publishes(self, edition: str) -> bool:
        """Does this request make a digest of `edition` (not counting catch-ups)?"""
        return self.publish and (not self.editions or edition in self.editions)

    def merge(self, other: Request) -> Request:
        """One request doing what both ask."""
        after = [t for t in (self.catch_up_after, other.catch_up_after) if t is not None]
        return Request(self.folder or other.folder, self.feeds | other.feeds,
                       self.publish or other.publish, max(after) if after else None,
                       _merged_editions(self, other), self.catch_up | other.catch_up,
                       self.shared or other.shared)

    def describe(self) -> str:
        """A few words for logs and hooks, e.g. 'folder, 2 feed(s), digest'."""
        parts = (["folder"] if self.folder else []) + (
            [f"{len(self.feeds)} feed(s)"] if self.feeds else [])
        parts += ["shared state"] if self.shared else []
        parts.append("digest" if self.publish else
                     "catch-up digest" if self.catch_up_after or self.catch_up else "delivery")
        return ", ".join(parts)


def _merged_editions(one: Request, other: Request) -> frozenset[str]:
    publishing = [r for r in (one, other) if r.publish]
    if any(not r.editions for r in publishing):
        return frozenset()  # one of them publishes every edition
    return frozenset().union(*(r.editions for r in publishing))


@dataclass(frozen=True)
class TickResult:
    """What one job did (its report) or why it failed (one line), for `on_tick`."""

    what: str
    finished: datetime
    report: RunReport | None = None
    error: str = ""
    feeds: frozenset[str] = frozenset()  # the feeds this job polled (for status)


TickHook = Callable[[TickResult], None]
