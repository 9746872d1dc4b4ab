"""The service over the real jobs: `kakehashi run`'s wiring of the JobRunner, the delivery
lane and the Service."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence

from bot.config import Config
from bot.service.jobs import JobRunner
from bot.service.lane import DeliveryLane
from bot.service.reload import Reloader
from bot.service.requests import Companion, TickHook
from bot.service.service import Service

Say = Callable[[str], None]


def build_service(config: Config, use_cache: bool, say: Say,
                  companions: Sequence[Companion] = (), on_tick: TickHook | None = None,
                  reload: Reloader | None = None) -> Service:
    """The service over the real jobs, after checking the model and the folder (a missing
    one is an error now, not at each job); with `reload`, SIGHUP reloads the configuration."""
    stopping = threading.Event()
    # With a token, Telegram is the delivery lane's: the jobs' feed never waits for it.
    sends = bool(config.telegram.token)
    runner = JobRunner(config, use_cache, say, stopping, telegram=not sends)
    lane = DeliveryLane(config, say, stopping, runner.wiring.publishes) if sends else None
    if reload is not None:
        reload = reload.first(runner.use)
        reload = reload if lane is None else reload.first(lane.use)
    return Service(config, runner.run, say, companions, on_tick, stopping, reload, lane,
                   runner.close)


def run_service(config: Config, use_cache: bool, say: Say,
                companions: Sequence[Companion] = (), on_tick: TickHook | None = None) -> None:
    """`kakehashi run`: serve until SIGTERM or Ctrl-C, then return (exit 0)."""
    asyncio.run(build_service(config, use_cache, say, companions, on_tick).run())
