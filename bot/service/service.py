"""The service: one asyncio process running triggers, jobs, companions and signals.

Stopping (SIGTERM, SIGINT, or `stop()`): the job in hand finishes the item it is on (the
document or feed entry being read, the message being sent) and ends; what it had not reached
stays new or pending in the state file, so a restart picks it up and repeats nothing. Then
the scheduler, the watcher and the companions stop, and `run()` returns (exit 0).

SIGHUP (given a Reloader): the configuration is read again before the next job starts, never
during one, and swapped in if valid (bot/service/reload.py).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import signal
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.config import Config
from bot.core.errors import KakehashiError
from bot.core.redact import redact
from bot.service.clock import SHARED_LOOK_SECONDS, Clock, catch_up_after, catch_ups, on_arrival
from bot.service.lane import DeliveryLane
from bot.service.reload import Reloader, reread
from bot.service.requests import Companion, Request, TickHook, TickResult
from bot.service.watch import own_files, watch_folder
from bot.state.opening import driver_error

Say = Callable[[str], None]
Run = Callable[[Request], Any]  # a job: runs on the worker thread
# How long companions get to return once told to stop, before they are cancelled.
COMPANION_GRACE_SECONDS = 10.0


class Service:
    """`kakehashi run`: build it, then `await run()` (or `run_service` from sync code)."""

    def __init__(self, config: Config, run_job: Run, say: Say,
                 companions: Sequence[Companion] = (), on_tick: TickHook | None = None,
                 stopping: threading.Event | None = None, reload: Reloader | None = None,
                 lane: DeliveryLane | None = None,
                 on_close: Callable[[], None] = lambda: None) -> None:
        self.config = config
        self._on_close = on_close  # after the last job and send (a shared state is left)
        self._lane = lane  # sends to Telegram apart from the jobs (bot/service/lane.py)
        self._reload = reload
        self._reload_wanted = False
        self._run_job = run_job
        self._say = say
        self._companions = tuple(companions)
        self._on_tick = on_tick
        self.stopping = stopping or threading.Event()  # read by the job between items
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._pending = Request()
        self._waiters: list[concurrent.futures.Future[TickResult]] = []
        # One worker thread: jobs run in turn, and the event loop stays free for triggers,
        # companions and signals while a job works.
        self._executor = concurrent.futures.ThreadPoolExecutor(1, "kakehashi-job")
        self._clock: Clock | None = None
        self.last_tick: TickResult | None = None  # for a status command

    def add_companion(self, companion: Companion) -> None:
        """Run `companion` beside the worker (before `run`; e.g. one that needs digest_now)."""
        self._companions += (companion,)

    @property
    def delivery_error(self) -> str:
        """Why the delivery lane's last pass failed ("" when it worked, or there is none)."""
        return self._lane.error if self._lane is not None else ""

    def next_digest(self) -> datetime | None:
        """When the next scheduled digest is due; None in immediate mode or when not running."""
        return self._clock.next_digest() if self._clock is not None else None

    def scheduler_state(self) -> str:
        """"starting", "running" or "stopped": the scheduler that fires the triggers (for
        /healthz; read from the server's threads, hence only this one attribute read)."""
        clock = self._clock
        if clock is None:
            return "starting"
        return "running" if clock.scheduler.running else "stopped"

    def next_runs(self) -> dict[str, datetime]:
        """Each trigger's next time by job id ("rescan", "feed URL", "digest HH:MM"), for
        the heartbeat `status` reads."""
        if self._clock is None:
            return {}
        return {job.id: job.next_run_time for job in self._clock.scheduler.get_jobs()
                if job.next_run_time is not None}

    def digest_now(self) -> concurrent.futures.Future[TickResult]:
        """Publish what is pending now (from any thread); the future holds that job's result."""
        if self._loop is None:
            raise RuntimeError("the service is not running")
        future: concurrent.futures.Future[TickResult] = concurrent.futures.Future()
        self._loop.call_soon_threadsafe(self.post, Request(publish=True), future)
        return future

    def stop(self) -> None:
        """Finish the item in hand, then stop (event loop thread; signals call it)."""
        if not self.stopping.is_set():
            self._say("stopping: finishing the item in hand")
        self.stopping.set()
        self._stop.set()
        self._wake.set()

    def reload(self) -> None:
        """Read the configuration again before the next job (event loop thread; SIGHUP)."""
        self._reload_wanted = True
        self._wake.set()

    def post(self, request: Request,
             future: concurrent.futures.Future[TickResult] | None = None) -> None:
        """Ask for a job (event loop thread); merged with any request not yet started."""
        self._pending = self._pending.merge(request)
        if future is not None:
            self._waiters.append(future)
        self._wake.set()

    async def run(self) -> None:
        """Run until stopped: triggers, the job worker, companions; then stop them in order."""
        loop = self._loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.stop)
        if self._reload is not None:
            loop.add_signal_handler(signal.SIGHUP, self.reload)
        scheduler = self._start_scheduler(loop)
        worker = asyncio.create_task(self._work())
        worker.add_done_callback(lambda _: self.stop())  # a bug in it must not leave us idle
        sender = asyncio.create_task(self._send())
        ready = asyncio.Event()
        watcher = asyncio.create_task(watch_folder(
            self.config.paths.seeds, self.config.schedule, self._changed, ready, self._stop,
            self._say, ignored=own_files(self.config)))
        others = [watcher, *(asyncio.create_task(self._companion(c)) for c in self._companions)]
        try:
            await ready.wait()  # watching first: a file dropped during the scan is not missed
            self._announce()
            now = datetime.now(UTC)
            self.post(on_arrival(self.config, folder=True,
                                 feeds=frozenset(self.config.sources.feeds),
                                 catch_up_after=catch_up_after(self.config, now),
                                 catch_up=catch_ups(self.config, now)))
            await self._stop.wait()
        finally:
            self.stop()
            await worker  # the job in hand ends after its current item
            await sender  # and the message in hand is recorded
            scheduler.shutdown(wait=False)
            await asyncio.wait(others, timeout=COMPANION_GRACE_SECONDS)
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            self._executor.shutdown(wait=True)
            self._on_close()
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(signum)
            self._loop = None

    def _start_scheduler(self, loop: asyncio.AbstractEventLoop) -> Any:
        from apscheduler.events import EVENT_JOB_MISSED
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        # APScheduler's own log lines (a missed run) are said here as one line instead.
        logging.getLogger("apscheduler").addHandler(logging.NullHandler())
        scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
        scheduler.add_listener(self._missed, EVENT_JOB_MISSED)
        self._clock = Clock(scheduler, self.post)
        self._clock.add_jobs(self.config)
        scheduler.start()
        return scheduler

    async def _work(self) -> None:
        """Run posted requests one at a time until stopped."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self.stopping.is_set():
                break
            if self._reload_wanted:  # here no job runs: none sees two configurations
                self._reload_wanted = False
                self._reconfigure()
            request, waiters = self._pending, self._waiters
            self._pending, self._waiters = Request(), []
            if request.empty:
                continue
            result = await self._run(request)
            for future in waiters:
                if not future.done():  # its caller may have given up on it
                    future.set_result(result)
            self._after(result)
        stopped = TickResult("stopped", datetime.now(UTC), error="the service stopped first")
        for future in self._waiters:
            if not future.done():
                future.set_result(stopped)

    async def _run(self, request: Request) -> TickResult:
        loop = asyncio.get_running_loop()
        try:
            report = await loop.run_in_executor(self._executor, self._run_job, request)
            return TickResult(request.describe(), datetime.now(UTC), report,
                              feeds=request.feeds)
        except KakehashiError as exc:
            error = str(exc)
        except Exception as exc:  # a bug: still one line, and the next trigger runs
            known = driver_error(exc)  # a PostgreSQL state's server failing is not a bug
            error = str(known) if known else f"internal error: {type(exc).__name__}: {exc}"
        error = redact(error, self.config.telegram.token)
        # Stopping cuts short a wait for the lock: said, but not as a failure.
        self._say(f"stopped: {error}" if self.stopping.is_set() else f"error: {error}")
        return TickResult(request.describe(), datetime.now(UTC), error=error,
                          feeds=request.feeds)

    def _reconfigure(self) -> None:
        """Swap in the configuration read again, if valid; say what changed."""
        assert self._reload is not None
        found = reread(self.config, self._reload.load)
        for line in found.lines:
            self._say(line)
        if found.config is None:
            return
        old, self.config = self.config, found.config
        self._reload.applied(self.config)
        if found.reschedules and self._clock is not None:
            self._clock.replace_jobs(self.config)
        added = frozenset(self.config.sources.feeds) - frozenset(old.sources.feeds)
        if added:  # polled now, as at start, not one interval from now
            self.post(on_arrival(self.config, feeds=added))

    async def _send(self) -> None:
        if self._lane is None:
            return
        try:
            await self._lane.run(self._stop)
        except Exception as exc:  # a bug: said, and the service stops rather than go mute
            self._say(f"error: the delivery lane stopped: {type(exc).__name__}: {exc}")
            self.stop()

    def _after(self, result: TickResult) -> None:
        self.last_tick = result
        if self._lane is not None:
            self._lane.nudge(queued=result.report is not None
                             and result.report.digest_id is not None)
        report = result.report
        if report is not None and not self.stopping.is_set():
            assert self._clock is not None
            if report.unsettled:
                # Files still being written: looked at again once they may have settled,
                # not only at the next full rescan.
                self._clock.arm("settle", self.config.sources.settle_seconds + 0.5,
                                self._folder_request())
            if report.elsewhere:
                # In another worker's hands: recorded by it soon, or free once it is gone.
                self._clock.arm("elsewhere", SHARED_LOOK_SECONDS, self._folder_request())
        if self._on_tick is None:
            return
        try:
            self._on_tick(result)
        except Exception as exc:
            self._say(f"error: on_tick: {type(exc).__name__}: {exc}")

    def _changed(self) -> None:
        """A change in the folder: processed once it has been quiet for the debounce."""
        if self._clock is not None and not self.stopping.is_set():
            self._clock.arm("drop", self.config.schedule.debounce_seconds,
                            self._folder_request())

    def _folder_request(self) -> Request:
        return on_arrival(self.config, folder=True)

    async def _companion(self, companion: Companion) -> None:
        name = getattr(companion, "__name__", type(companion).__name__)
        try:
            await companion(self._stop)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a companion's failure is said; the worker goes on
            self._say(f"error: {name} stopped: {type(exc).__name__}: {exc}")

    def _missed(self, event: Any) -> None:
        due = f"{event.scheduled_run_time:%Y-%m-%d %H:%M:%S %Z}"
        self._say(f"schedule: {event.job_id} due at {due} was missed by more than "
                  "schedule.grace_minutes: its articles wait for the next digest time")

    def _announce(self) -> None:
        s, sources = self.config.schedule, self.config.sources
        self._say(f"full rescan every {s.interval_minutes:g} min; a drop is read once the "
                  f"folder is quiet for {s.debounce_seconds:g} s")
        for url in dict.fromkeys(sources.feeds):
            self._say(f"polling {url} every {sources.interval_of(url):g} min")
        if s.mode == "immediate":
            self._say("publishing a digest as soon as new articles are ready")
        else:
            assert self._clock is not None
            nxt = self._clock.next_digest()
            self._say(f"publishing digests at {', '.join(s.digest_times)} ({s.timezone})"
                      + (f"; next at {nxt:%Y-%m-%d %H:%M:%S %Z}" if nxt else ""))
        for e in self.config.editions:
            self._say(f"edition {e.name}: " + ("a digest as soon as new articles are ready"
                      if e.mode == "immediate" else
                      f"digests at {', '.join(e.digest_times)} ({e.timezone})"))
        self._say("SIGTERM or Ctrl-C stops after the item in hand" + (
            "; SIGHUP reloads the configuration" if self._reload is not None else ""))
