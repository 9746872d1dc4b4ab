"""`kakehashi run`: the worker as a service, in one asyncio process.

    triggers (event loop thread)                          jobs (one worker thread, in turn)
    folder events or polling ── quiet for debounce ──┐
    files still settling ── after settle_seconds ────┤
    full rescan ── every interval_minutes ───────────┼─> Request ─merge─> JobRunner.run ─> on_tick
    each feed ── every feed_interval_minutes ────────┤    (under the state-file lock: ingest,
    digest times ── scheduled mode ──────────────────┤     then publish: feed, archive, outbox)
    digest_now() ── any thread ──────────────────────┘                │ nudge
                                                         delivery lane (its own thread): the
                                                         outbox to Telegram, no job lock held

APScheduler (AsyncIOScheduler, bot/service/clock.py) only decides *when*: its jobs post a
Request and return at once. Requests that arrive while a job runs merge into the next one, so
jobs never overlap in this process (the state-file lock, bot/state/lock.py, keeps other processes
out) and a burst of triggers makes one job. *What* to do is always read from the state file,
so a restart or a missed trigger catches up. With a token, Telegram is sent to by the
delivery lane (bot/service/lane.py), so a Telegram outage never holds up the feed.

Seams for the parts that run beside the worker: companions (coroutines run for the life of
the service, told to stop by an asyncio.Event), `on_tick` (each job's TickResult, in the
event loop thread; keep it quick) and `Service.digest_now()` (thread-safe). Wiring one that
needs the service itself, e.g. a chat bot whose /digest publishes now:

    service = build_service(config, use_cache, say, on_tick=alerts.on_tick)
    service.add_companion(lambda stop: run_chat(config, actions_over(service), stop))
    asyncio.run(service.run())
"""

from bot.service.build import build_service, run_service
from bot.service.reload import Reloader
from bot.service.requests import Companion, Request, TickHook, TickResult
from bot.service.service import Service

__all__ = ["Companion", "Reloader", "Request", "Service", "TickHook", "TickResult",
           "build_service", "run_service"]
