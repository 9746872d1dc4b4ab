"""Logging for the command line: one line per event, with a UTC timestamp and a level.

Configured once, at the CLI edge (bot.cli.main). Library code neither logs nor prints: it reports
through the `say`/`progress` callables it is given, and the CLI's callable is `say` below. A
message that begins with "warning: " or "error: " is logged at that level (the word moves to
the level column); any other message is INFO.

Every line carries its timestamp and level, on a terminal as in a journal: the same line reads
the same wherever it is seen, and `--quiet` visibly keeps the WARNING and ERROR ones. Results
a command prints for the user (status, inspect, lists) go to stdout and are not logged.
Every line passes through `redact`, so the bot token never reaches a log, whoever logged it
(httpx logs each request's URL, and every Bot API URL holds the token).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from typing import TextIO

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
          "error": logging.ERROR}
FORMATS = ("text", "json")
# Libraries that log at INFO what is noise to an operator (httpx: every request, with its URL;
# APScheduler: every job start). They speak at WARNING unless --verbose.
THIRD_PARTY = ("httpx", "httpcore", "apscheduler", "telegram", "hpack", "h2", "asyncio",
               "watchfiles", "aiohttp", "urllib3")
LOGGER = logging.getLogger("kakehashi")
HANDLER_NAME = "kakehashi"
_MARKS = {"warning: ": logging.WARNING, "error: ": logging.ERROR}
# A download reports a line every this many percent when no terminal shows a bar.
PROGRESS_STEP_PERCENT = 10
DownloadProgress = Callable[[int, int], None]


class LineFormatter(logging.Formatter):
    """`2026-11-26T10:00:00Z INFO message` (or one JSON object), one line, token blanked."""

    def __init__(self, style: str = "text", redact: Callable[[str], str] = str) -> None:
        super().__init__()
        self.style = style
        self.redact = redact

    def formatTime(  # noqa: N802 (logging's name)
        self, record: logging.LogRecord, datefmt: str | None = None
    ) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + self.formatException(record.exc_info)
        message = self.redact(message)
        stamp = self.formatTime(record)
        if self.style == "json":
            return json.dumps({"time": stamp, "level": record.levelname, "logger": record.name,
                               "message": message}, ensure_ascii=False)
        # One event, one line: a multi-line message (a traceback) keeps its breaks as \n.
        return f"{stamp} {record.levelname} {message}".replace("\n", "\\n")


def configure(level: int = logging.INFO, style: str = "text", token: str = "",
              stream: TextIO | None = None) -> None:
    """Send every logger's records, at `level` and above, to stderr as single lines."""
    from bot.text.urls import without_credentials

    blank: Callable[[str], str] = without_credentials  # a feed's user:password@ never shows
    if token:
        from bot.core.redact import redact

        def blank(text: str) -> str:
            return redact(without_credentials(text), token)

    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(LineFormatter(style, blank))
    handler.set_name(HANDLER_NAME)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)  # ours from an earlier call; others' handlers stay
    root.addHandler(handler)
    root.setLevel(level)
    quiet_below = logging.DEBUG if level <= logging.DEBUG else logging.WARNING
    for name in THIRD_PARTY:
        logging.getLogger(name).setLevel(max(quiet_below, level))


def say(message: str) -> None:
    """The CLI's `say`/`progress`: one library message, logged at the level it is marked with."""
    level, text = split_level(message)
    LOGGER.log(level, "%s", text)


def split_level(message: str) -> tuple[int, str]:
    """(level, text) of a library message: "warning: x" → (WARNING, "x"); else INFO."""
    for mark, level in _MARKS.items():
        if message.startswith(mark):
            return level, message[len(mark):]
    return logging.INFO, message


def download_progress(name: str, stream: TextIO | None = None) -> DownloadProgress | None:
    """How a download shows progress: a redrawn bar on a terminal; otherwise a log line every
    PROGRESS_STEP_PERCENT (no carriage-return frames in a file or a journal); None if quiet."""
    if not LOGGER.isEnabledFor(logging.INFO):
        return None
    out = stream or sys.stderr
    if out.isatty():
        return _bar(out)
    shown: set[str] = set()

    def lines(done: int, total: int) -> None:
        # Known size: every PROGRESS_STEP_PERCENT; unknown size: every 10 MB.
        if total:
            step = min(100, 100 * done // total) // PROGRESS_STEP_PERCENT * PROGRESS_STEP_PERCENT
            key, size = f"{step}%", f"{done / 1e6:.1f}/{total / 1e6:.1f} MB"
        else:
            key, size = f"{done // 10_000_000 * 10} MB", f"{done / 1e6:.1f} MB"
        if key not in shown:
            shown.add(key)
            LOGGER.info("downloading %s: %s", name, f"{key}, {size}" if total else size)

    return lines


def _bar(out: TextIO) -> DownloadProgress:
    def draw(done: int, total: int) -> None:
        if total:
            filled = int(30 * done / total)
            text = f"[{'#' * filled}{'-' * (30 - filled)}] {done / 1e6:6.1f}/{total / 1e6:.1f} MB"
        else:
            text = f"{done / 1e6:6.1f} MB"
        out.write(f"\r{text}" + ("\n" if total and done >= total else ""))
        out.flush()

    return draw
