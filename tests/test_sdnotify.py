"""systemd's notify protocol from `kakehashi run`: a real datagram socket stands in for
systemd's, as $NOTIFY_SOCKET, the way the unit's Type=notify and WatchdogSec use it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.service.sdnotify import notify, watchdog_seconds
from tests.conftest import ROOT
from tests.support.serving import logged


def received(sock: socket.socket, wanted: str, process: subprocess.Popen[bytes],
             timeout: float = 120) -> list[str]:
    """Messages read until `wanted` arrives (or the time is up)."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        assert time.monotonic() < deadline, f"no {wanted} after {timeout} s: {seen}"
        try:
            seen.append(sock.recv(4096).decode())
        except TimeoutError:
            assert process.poll() is None or wanted == "STOPPING=1", seen
    return seen


@pytest.mark.usefixtures("installed_model")
def test_run_says_ready_pings_the_watchdog_and_says_stopping(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    address = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        sock.settimeout(0.5)
        env = {**os.environ, "NOTIFY_SOCKET": address, "WATCHDOG_USEC": "1000000"}
        argv = [sys.executable, "-m", "bot", "run", "--seeds", str(seeds), "--out",
                str(tmp_path / "out"), "--state", str(tmp_path / "state.sqlite3")]
        with logged(argv, ROOT, tmp_path / "run.log", env) as process:
            assert received(sock, "READY=1", process)[0] == "READY=1"
            received(sock, "WATCHDOG=1", process)
            received(sock, "WATCHDOG=1", process)  # again: pings go on while healthy
            process.send_signal(signal.SIGTERM)
            received(sock, "STOPPING=1", process)
            assert process.wait(timeout=60) == 0


def test_nothing_is_sent_outside_systemd_and_the_period_is_ours_only() -> None:
    assert not notify({}, "READY=1")
    assert not notify({"NOTIFY_SOCKET": "relative/path"}, "READY=1")
    assert watchdog_seconds({"WATCHDOG_USEC": "30000000"}) == 30
    assert watchdog_seconds({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_seconds({"WATCHDOG_USEC": "0"}) is None
    assert watchdog_seconds({}) is None
