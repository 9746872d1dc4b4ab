"""Kakehashi as an operator runs it: `python -m bot` in real processes, started, watched,
stopped and killed by the tests (the fault suite, the concurrency suite, the service tests).

A kill must prove the crash: `kill` fails unless the process was still running and died of
the signal, and `kill_in_stage` also fails unless the stage named was started and not yet
finished when the signal landed. A run that had already finished proves nothing.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ("01_web_copy.txt", "02_newsletter_pdf.txt", "03_windows_memo.txt", "04_report.md")


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot", *args]


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, **(extra or {})}


@dataclass(frozen=True)
class Paths:
    seeds: Path
    out: Path
    state: Path

    @classmethod
    def under(cls, root: Path) -> Paths:
        seeds = root / "seeds"
        seeds.mkdir(parents=True, exist_ok=True)
        return cls(seeds, root / "out", root / "state.sqlite3")

    def once_args(self, config: Path | None = None) -> list[str]:
        args = ["once", "--seeds", str(self.seeds), "--out", str(self.out),
                "--state", str(self.state)]
        return [*args, "--config", str(config)] if config else args


def once_args(tmp_path: Path, *extra: str) -> list[str]:
    """`once` on TMP/seeds into TMP/out with TMP/state.sqlite3, then `extra`."""
    return [*Paths(tmp_path / "seeds", tmp_path / "out", tmp_path / "state.sqlite3")
            .once_args(), *extra]


def make_folder(tmp_path: Path, names: tuple[str, ...] = SEEDS) -> Path:
    """TMP/seeds holding copies of the bundled sample documents `names`."""
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(ROOT / "seeds" / name, seeds)
    return seeds


def run(args: list[str], env: dict[str, str] | None = None,
        timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` to the end, capturing its output."""
    return subprocess.run(cli_command(*args), capture_output=True, text=True,
                          env=cli_env(env), cwd=ROOT, timeout=timeout, errors="replace")


def completed(args: list[str], env: dict[str, str] | None = None,
              timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """Like run(), but a run that outlives `timeout` is a result (exit -9), not an exception."""
    try:
        return run(args, env, timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, -9, "", f"(still running after {timeout} s: "
                                                         "killed by the test)")


def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start `python -m bot ARGS` in the background; stderr is read line by line."""
    return subprocess.Popen(cli_command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=cli_env(env), cwd=ROOT, errors="replace")


def finish(process: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str]:
    """Wait for a started process to end on its own: its exit code and stderr."""
    try:
        _, stderr = process.communicate(timeout=timeout)
    finally:
        reap(process)
    return process.returncode, stderr


def wait_for_line(process: subprocess.Popen[str], needle: str, timeout: float = 120
                  ) -> list[str]:
    """Read the process's stderr until a line contains `needle`; return the lines read."""
    assert process.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            raise AssertionError(f"process ended before {needle!r}: {''.join(seen)}")
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError(f"no {needle!r} within {timeout} s: {''.join(seen)}")


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 120,
               alive: Callable[[], bool] = lambda: True) -> None:
    """Poll `condition` until true; fail after `timeout` s or once `alive()` is false."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert alive(), f"the process ended while waiting for {what}"
        assert time.monotonic() < deadline, f"no {what} after {timeout} s"
        time.sleep(0.02)


def kill(process: subprocess.Popen[str]) -> None:
    """SIGKILL, as the OOM killer or a power cut would: no clean-up runs. Fails unless the
    process was running and died of the signal (not of its own accord just before it)."""
    _sigkill(process)
    close_pipes(process)


def _sigkill(process: subprocess.Popen[str]) -> None:
    assert process.poll() is None, f"the process had ended (exit {process.returncode}) " \
                                   "before the kill: nothing was crashed"
    process.send_signal(signal.SIGKILL)
    code = process.wait(timeout=30)
    assert code == -signal.SIGKILL, f"the process ended with {code}, not by the kill"


def kill_in_stage(process: subprocess.Popen[str], started: str, finished: str,
                  timeout: float = 120) -> str:
    """Read stderr until a line contains `started`, SIGKILL the process, and fail unless it
    died of the signal with no line containing `finished` logged (what it wrote before the
    kill is read from the pipe afterwards). Returns everything it logged."""
    seen = wait_for_line(process, started, timeout)
    try:
        _sigkill(process)
        assert process.stderr is not None
        rest = process.stderr.read()
    finally:
        reap(process)
    assert finished not in rest, f"killed after {finished!r}, not inside the stage: {rest}"
    return "".join(seen) + rest


def close_pipes(process: subprocess.Popen[str]) -> None:
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()


def reap(process: subprocess.Popen[str]) -> None:
    """Clean-up after a test: kill the process if it is still running (asserting nothing)."""
    if process.poll() is None:
        process.kill()
        process.wait(timeout=30)
    close_pipes(process)


def outbox_rows(state: Path) -> list[tuple[int, int, str]]:
    """(digest, part, status) of every outbox row, after checking the file's integrity."""
    with sqlite3.connect(state) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return list(conn.execute(
            "SELECT digest_id, part, status FROM deliveries ORDER BY digest_id, part"))


def write_config(path: Path, text: str) -> Path:
    """A test's own TOML config (settle_seconds 0 unless the text sets [sources])."""
    if "[sources]" not in text:
        text = "[sources]\nsettle_seconds = 0\n" + text
    path.write_text(text, encoding="utf-8")
    return path


def status(paths: Paths, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    args = ["status", "--state", str(paths.state)]
    return run([*args, "--config", str(config)] if config else args)


def drop_file(folder: Path, name: str, text: str) -> None:
    """Put a file into the folder as a user's copy does: written aside, then renamed in."""
    temp = folder / f"{name}.part"
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, folder / name)


class Drained(list[str]):
    """Lines of a process's stderr, read in the background (a full pipe would block it)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        super().__init__()
        self.process = process
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        try:
            for line in self.process.stderr:
                self.append(line)
        except (OSError, ValueError):
            pass  # the pipe was closed under us: the process was killed

    def lines_with(self, needle: str) -> int:
        """How many lines read so far contain `needle`."""
        return sum(needle in line for line in list(self))

    def close(self) -> None:
        """After the process ended: the last lines read, and its pipes closed."""
        self.thread.join(timeout=30)
        close_pipes(self.process)


def drain(process: subprocess.Popen[str]) -> Drained:
    return Drained(process)
