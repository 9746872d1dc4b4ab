"""What `kakehashi serve` gives out of OUT/, and how a file is read there safely.

Served: what Kakehashi publishes for readers, files of a known type at OUT's top level
(feed.xml, index.html, robots.txt, search.html, search.js), in the archive's folders
(digests/, articles/, sources/), the same within an edition's section (OUT/NAME/), and in
the search index (pagefind/ and its index/, fragment/
and filter/ folders; Pagefind's own files are gzipped already, and its script unpacks them).
Never: the Telegram previews (a dry run's output, for the operator), dotfiles (our
temp files), the state file with its journals and lock, symbolic links (even to files inside
OUT/), anything but a regular file. /healthz and /metrics answer from the worker's Monitor.

A file is opened relative to OUT with O_NOFOLLOW at every step and read whole from that one
descriptor: a file replaced by os.replace meanwhile is read entirely old or entirely new.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from bot.publish.preview import PREVIEW_DIR
from bot.publish.search import SEARCH_DIR
from bot.publish.web import INDEX_NAME, SEARCH_PAGE, WEB_DIRS
from bot.state.files import state_files

TYPES = {
    ".html": "text/html; charset=utf-8", ".xml": "application/xml; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
    ".ico": "image/vnd.microsoft.icon",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json",
    ".wasm": "application/wasm", ".pagefind": "application/octet-stream",
    ".pf_meta": "application/octet-stream", ".pf_index": "application/octet-stream",
    ".pf_fragment": "application/octet-stream", ".pf_filter": "application/octet-stream",
}
_SEARCH_FOLDERS = ("index", "fragment", "filter")
# An edition's section is a folder of OUT/ named as bot/config/editions.py allows.
_EDITION = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_NOT_EDITIONS = frozenset({SEARCH_DIR, PREVIEW_DIR, *WEB_DIRS})
# The archive's pages carry their style inline and need nothing else: a script or an outside
# resource that slipped into a page (from a hostile feed) would not run or load. Requests to
# this same server are allowed: with no script able to run they open nothing, and crawler
# audits (Lighthouse) read robots.txt from inside the page they check.
PAGE_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'none'")
# search.html alone runs scripts: this site's own (search.js, Pagefind's module and its web
# worker), which compile Pagefind's WebAssembly and fetch the index from this same server.
SEARCH_POLICY = ("default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; "
                 "worker-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; "
                 "connect-src 'self'; base-uri 'none'; form-action 'none'; "
                 "frame-ancestors 'none'")


class Verdict(Protocol):
    @property
    def ok(self) -> bool: ...  # 200 when true, else 503
    @property
    def text(self) -> str: ...  # the body


class Monitor(Protocol):
    """What /healthz and /metrics answer from: the worker's (bot/service/monitor.py)."""

    def health(self) -> Verdict: ...
    def metrics(self) -> tuple[bytes, str]: ...  # the body and its content type


def private_files(state: Path) -> tuple[Path, ...]:
    """What is never served, wherever it lies: the state file and its companions."""
    return state_files(state)


def request_parts(target: str) -> list[str] | None:
    """The path segments a request target names under OUT; None for a malformed target.

    Segments are decoded one by one, so an encoded slash never becomes a separator; `.`, `..`,
    NUL, backslashes and control characters are malformed, whatever their encoding."""
    if target.startswith(("http://", "https://")):
        target = urlsplit(target).path or "/"
    path = target.partition("?")[0].partition("#")[0]
    if not path.startswith("/"):
        return None
    if path == "/":
        return [INDEX_NAME]
    parts = []
    for raw in path[1:].split("/"):
        try:
            part = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return None
        if part in (".", "..") or any(c in "/\\" or not c.isprintable() for c in part):
            return None
        parts.append(part)
    return parts


def edition_relative(parts: list[str]) -> list[str]:
    """PARTS within an edition's archive section (OUT/NAME/…, README "Editions") as they
    would be at OUT's top level; other PARTS as they are."""
    if len(parts) > 1 and _EDITION.fullmatch(parts[0]) and parts[0] not in _NOT_EDITIONS:
        return parts[1:]
    return parts


def is_served(parts: list[str]) -> bool:
    """Whether OUT/PARTS is among the files served to readers (see the module docstring)."""
    if not parts or any(not p or p.startswith(".") for p in parts):
        return False
    parts = edition_relative(parts)
    folders = parts[:-1]
    if folders and folders[0] == SEARCH_DIR:
        if folders[1:] not in ([], *([f] for f in _SEARCH_FOLDERS)):
            return False
    elif len(folders) > 1 or (folders and folders[0] not in WEB_DIRS):
        return False
    return Path(parts[-1]).suffix.lower() in TYPES


def page_policy(parts: list[str]) -> str | None:
    """The Content-Security-Policy of OUT/PARTS: the pages' (none for other files)."""
    if edition_relative(parts) == [SEARCH_PAGE]:
        return SEARCH_POLICY
    return PAGE_POLICY if parts[-1].lower().endswith(".html") else None


def read_served(out: Path, parts: list[str],
                denied: Iterable[Path] = ()) -> tuple[bytes, os.stat_result] | None:
    """The bytes and status of OUT/PARTS, or None when it must not (or cannot) be served."""
    opened: list[int] = []
    try:
        opened.append(os.open(out, os.O_RDONLY | os.O_DIRECTORY))
        for name in parts[:-1]:
            opened.append(os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW,
                                  dir_fd=opened[-1]))
        # O_NONBLOCK: a named pipe put there must not hang the request before fstat refuses it.
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
        opened.append(os.open(parts[-1], flags, dir_fd=opened[-1]))
        info = os.fstat(opened[-1])
        if not stat.S_ISREG(info.st_mode) or _same_file(info, denied):
            return None
        with open(opened[-1], "rb", closefd=False) as fh:
            return fh.read(), info
    except OSError:  # missing, a symlink (ELOOP), not a folder, unreadable: all the same 404
        return None
    finally:
        for fd in opened:
            os.close(fd)


def _same_file(info: os.stat_result, paths: Iterable[Path]) -> bool:
    for path in paths:
        try:
            other = os.stat(path)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino):
            return True
    return False
