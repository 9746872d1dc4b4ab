"""systemd's notify protocol, as the unit (deploy/kakehashi.service, Type=notify) expects
it: READY=1 once the worker runs, WATCHDOG=1 pings while it is healthy, STOPPING=1 on the
way out. A datagram to $NOTIFY_SOCKET, no library; without it (not under systemd) nothing
is sent.

The pings follow /healthz's judgement (bot.service.monitor), not merely the event loop's life: a
worker stuck in a job, or whose scheduler stopped, stops pinging, and systemd restarts it
after WatchdogSec.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Callable, Mapping


def notify(environ: Mapping[str, str], message: str) -> bool:
    """Send `message` to $NOTIFY_SOCKET; False when there is none or it cannot be reached."""
    address = environ.get("NOTIFY_SOCKET", "")
    if not address.startswith(("/", "@")):
        return False
    if address.startswith("@"):  # Linux abstract namespace
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(message.encode(), address)
    except OSError:
        return False
    return True


def watchdog_seconds(environ: Mapping[str, str]) -> float | None:
    """The watchdog period systemd set (WATCHDOG_USEC), if any and if meant for us."""
    usec, pid = environ.get("WATCHDOG_USEC", ""), environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and pid != str(os.getpid()):
        return None
    return int(usec) / 1_000_000


async def run_notify(environ: Mapping[str, str], healthy: Callable[[], bool],
                     stop: asyncio.Event) -> None:
    """A companion of the service: ready, pings at half the period while healthy, stopping."""
    if not notify(environ, "READY=1"):
        return
    period = watchdog_seconds(environ)
    try:
        while period is not None and not stop.is_set():
            if healthy():
                notify(environ, "WATCHDOG=1")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), period / 2)
        await stop.wait()
    finally:
        notify(environ, "STOPPING=1")
