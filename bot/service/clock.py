"""When jobs run: the APScheduler jobs of the service, each of which only posts a Request.

Misfire grace and coalescing, chosen per trigger (APScheduler's defaults, a 1 s grace, would
drop a trigger whenever the machine was briefly busy or asleep):

- the full rescan, the feeds, a drop's debounce and the settle re-check: no grace limit
  (`misfire_grace_time=None`), coalesced. However late, one run is still worth doing (it
  finds what is new in the folder or the feed), and one is enough: several missed runs
  collapse into one.
- a shared state's look (every SHARED_LOOK_SECONDS): as the rescan.
- digest times (scheduled mode): a grace of schedule.grace_minutes, coalesced. A digest an
  hour late is still the digest readers expect; one much later would land at an odd time
  and just before the next one, so its articles wait for the next digest time instead.
  Coalesced: a machine that slept through 08:00 and 18:00 sends one digest, not two.

A stopped worker has no missed runs for APScheduler to know of (its job store is in memory,
deliberately: what is pending lives in the state file). At start the service therefore runs
the rescan and every feed at once, publishes what is pending in immediate mode, and in
scheduled mode publishes if the last digest time passed, within the grace, without a digest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from bot.config import Config, editions_of
from bot.config.times import load_zone, parse_clock
from bot.core.editions import Edition
from bot.service.requests import Request

Post = Callable[[Request], None]


# How often a worker on a shared state looks at it: a publisher gone is replaced within this
# (once the database has seen its session end), plus the job in hand.
SHARED_LOOK_SECONDS = 10.0


class Clock:
    """The service's APScheduler jobs on one running AsyncIOScheduler."""

    def __init__(self, scheduler: Any, post: Post) -> None:
        self.scheduler = scheduler

        async def fire(request: Request) -> None:
            # A coroutine, so APScheduler's AsyncIOExecutor runs it in the event loop thread
            # (a plain function would run in a thread pool); it only posts, it never raises.
            post(request)

        self._fire = fire

    def add_jobs(self, config: Config) -> None:
        """The rescan, one job per feed, and the digest times (scheduled mode)."""
        s = config.schedule
        self._every("rescan", s.interval_minutes, on_arrival(config, folder=True))
        for url in dict.fromkeys(config.sources.feeds):
            self._every(f"feed {url}", config.sources.interval_of(url),
                        on_arrival(config, feeds=frozenset({url})))
        if config.paths.database:
            # Workers sharing a database: publish what the others read, and take over from
            # a publisher that is gone (bot/service/jobs.py).
            self._every("shared state", SHARED_LOOK_SECONDS / 60, Request(shared=True))
        editions = editions_of(config)
        for edition in editions:
            if edition.mode == "scheduled":
                only = frozenset() if len(editions) == 1 else frozenset({edition.name})
                self._digest_times(edition, Request(publish=True, editions=only),
                                   s.grace_minutes)

    def _digest_times(self, edition: Edition, request: Request, grace: float) -> None:
        """An edition's digest times (the default edition's ids are "digest HH:MM")."""
        from apscheduler.triggers.cron import CronTrigger

        where = "schedule" if edition.default else f"editions.{edition.name}"
        zone = load_zone(edition.timezone, f"{where}.timezone")
        for value in dict.fromkeys(edition.digest_times):
            hour, minute, second = parse_clock(value)
            trigger = CronTrigger(hour=hour, minute=minute, second=second, timezone=zone)
            job_id = f"digest {value}" if edition.default else f"digest {edition.name} {value}"
            self.scheduler.add_job(self._fire, trigger, args=[request], id=job_id,
                                   coalesce=True, misfire_grace_time=max(1, round(grace * 60)))

    def replace_jobs(self, config: Config) -> None:
        """The jobs of `add_jobs` again, for a reloaded configuration (feeds added or gone,
        other intervals or digest times); a drop's debounce and the settle re-check stay."""
        for job in self.scheduler.get_jobs():
            if job.id == "rescan" or job.id.startswith(("feed ", "digest ")):
                job.remove()
        self.add_jobs(config)

    def arm(self, job_id: str, seconds: float, request: Request) -> None:
        """Post `request` in `seconds`; arming the same job again restarts its wait (so a
        drop is processed once the folder has been quiet that long)."""
        from apscheduler.triggers.date import DateTrigger

        run_at = datetime.now(UTC) + timedelta(seconds=seconds)
        self.scheduler.add_job(self._fire, DateTrigger(run_at), args=[request], id=job_id,
                               replace_existing=True, misfire_grace_time=None, coalesce=True)

    def next_digest(self) -> datetime | None:
        """When the next scheduled digest is due (None in immediate mode)."""
        times = [job.next_run_time for job in self.scheduler.get_jobs()
                 if job.id.startswith("digest ") and job.next_run_time is not None]
        return min(times, default=None)

    def _every(self, job_id: str, minutes: float, request: Request) -> None:
        from apscheduler.triggers.interval import IntervalTrigger

        # The first run is the start-up job's: these begin one interval from now.
        self.scheduler.add_job(self._fire, IntervalTrigger(minutes=minutes), args=[request],
                               id=job_id, coalesce=True, misfire_grace_time=None)


def last_digest_time(times: tuple[str, ...], zone: tzinfo, now: datetime) -> datetime | None:
    """The latest of the daily `times` (in `zone`) at or before `now`; None without times."""
    local = now.astimezone(zone)
    found: list[datetime] = []
    for value in times:
        hour, minute, second = parse_clock(value)
        for day in (local.date(), local.date() - timedelta(days=1)):
            at = _at(day, time(hour, minute, second), zone)
            if at <= now:
                found.append(at)
                break
    return max(found, default=None)


def on_arrival(config: Config, **what: Any) -> Request:
    """A request for new articles (a rescan, a drop, a feed): it publishes the editions in
    immediate mode (all of them: no `editions` named), and only those."""
    editions = editions_of(config)
    names = frozenset(e.name for e in editions if e.mode == "immediate")
    return Request(**what, publish=bool(names),
                   editions=frozenset() if len(names) == len(editions) else names)


def catch_up_after(config: Config, now: datetime) -> datetime | None:
    """The digest time a starting worker must still publish for, if it passed within the
    grace (scheduled mode); None otherwise."""
    s = config.schedule
    if s.mode != "scheduled":
        return None
    return _due_within(s.digest_times, load_zone(s.timezone, "schedule.timezone"),
                       s.grace_minutes, now)


def catch_ups(config: Config, now: datetime) -> frozenset[tuple[str, datetime]]:
    """`catch_up_after` for each named edition in scheduled mode: (name, its digest time)."""
    found = set()
    for e in editions_of(config):
        if not e.default and e.mode == "scheduled":
            zone = load_zone(e.timezone, f"editions.{e.name}.timezone")
            due = _due_within(e.digest_times, zone, config.schedule.grace_minutes, now)
            if due is not None:
                found.add((e.name, due))
    return frozenset(found)


def _due_within(times: tuple[str, ...], zone: tzinfo, grace: float,
                now: datetime) -> datetime | None:
    last = last_digest_time(times, zone, now)
    if last is None or now - last > timedelta(minutes=grace):
        return None
    return last


def _at(day: date, clock: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)
