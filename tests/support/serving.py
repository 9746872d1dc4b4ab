"""Helpers for tests of long-running commands that serve HTTP: start one, learn its URL from
the line it prints, ask it things, stop it."""

from __future__ import annotations

import re
import selectors
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

SERVING = re.compile(r"serving .* at (http://127\.0\.0\.1:\d+/)")


@contextmanager
def started(argv: list[str], cwd: Path, env: Mapping[str, str] | None = None,
            wait: float = 90) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """ARGV running, and the URL it said it serves; killed if the block leaves it running."""
    process = subprocess.Popen(argv, cwd=cwd, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stderr is not None
        selector = selectors.DefaultSelector()
        selector.register(process.stderr, selectors.EVENT_READ)
        deadline, seen = time.monotonic() + wait, ""
        while (match := SERVING.search(seen)) is None:
            assert time.monotonic() < deadline and process.poll() is None, seen
            if selector.select(timeout=0.5):
                seen += process.stderr.readline()
        selector.close()
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@contextmanager
def logged(argv: list[str], cwd: Path, log_path: Path, env: Mapping[str, str] | None = None
           ) -> Iterator[subprocess.Popen[bytes]]:
    """ARGV running with its output in LOG_PATH; killed if the block leaves it running."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=log)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers of a GET, error statuses included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def wait_for(url: str, seconds: float = 90) -> None:
    """Until URL answers 200 (a run has published it), or the time is up."""
    deadline = time.monotonic() + seconds
    while get(url)[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
