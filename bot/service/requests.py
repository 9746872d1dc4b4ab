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

    @property
    def empty(self) -> bool:
        return not (self.folder or self.feeds or self.publish or self.catch_up_after)

    def merge(self, other: Request) -> Request:
        """One request doing what both ask."""
        after = [t for t in (self.catch_up_after, other.catch_up_after) if t is not None]
        return Request(self.folder or other.folder, self.feeds | other.feeds,
                       self.publish or other.publish, max(after) if after else None)

    def describe(self) -> str:
        """A few words for logs and hooks, e.g. 'folder, 2 feed(s), digest'."""
        parts = (["folder"] if self.folder else []) + (
            [f"{len(self.feeds)} feed(s)"] if self.feeds else [])
        parts.append("digest" if self.publish else
                     "catch-up digest" if self.catch_up_after else "delivery")
        return ", ".join(parts)


@dataclass(frozen=True)
class TickResult:
    """What one job did (its report) or why it failed (one line), for `on_tick`."""

    what: str
    finished: datetime
    report: RunReport | None = None
    error: str = ""
    feeds: frozenset[str] = frozenset()  # the feeds this job polled (for status)


TickHook = Callable[[TickResult], None]
