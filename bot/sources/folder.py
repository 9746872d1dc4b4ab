"""The watched folder: list candidate files and read their bytes. Never writes to it.

Polling with a stability check is the source of truth (file-system events fire on
half-written files): a file is read once its size and mtime are unchanged across two looks.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.errors import InputError

# Partial downloads and editor temp files; the folder's own README is for editors, not input.
IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp", "~")
IGNORED_NAMES = frozenset({"readme.md", "readme.txt", "thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class FileCandidate:
    """A file found in the folder, named relative to the folder root."""

    path: Path
    name: str
    size: int
    mtime_ns: int = 0

    @property
    def signature(self) -> tuple[int, int]:
        """What the stat index compares: a file with the same signature was seen before."""
        return (self.size, self.mtime_ns)


def scan_folder(root: Path) -> list[FileCandidate]:
    """Every input file under `root` (recursively), in name order."""
    if not root.is_dir():
        raise InputError(f"folder not found: {root}")
    return sorted(_walk(root, ""), key=lambda c: c.name)


def _walk(folder: Path, prefix: str) -> Iterator[FileCandidate]:
    # os.scandir: one system call per directory, and stat results cached on the entries.
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # an unreadable subfolder is skipped, the rest of the folder still counts
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(Path(entry.path), f"{prefix}{name}/")
                continue
            if not entry.is_file() or _ignored(name):
                continue
            stat = entry.stat()
        except OSError:
            continue  # vanished between listing and stat: it will be seen next scan
        yield FileCandidate(Path(entry.path), prefix + name, stat.st_size, stat.st_mtime_ns)


def _ignored(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(IGNORED_SUFFIXES) or lowered in IGNORED_NAMES


def unseen(candidates: list[FileCandidate], index: Mapping[str, tuple[int, int]]
           ) -> list[FileCandidate]:
    """Candidates whose (size, mtime) differ from the stat index: only these are read."""
    return [c for c in candidates if index.get(c.name) != c.signature]


def settled(
    candidates: list[FileCandidate], settle_seconds: float,
    clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
) -> list[FileCandidate]:
    """The candidates that are not being written: unchanged across two looks.

    Only files modified within the last `settle_seconds` are looked at twice; a file still
    changing is left for the next run.
    """
    now = clock()
    young = [c for c in candidates if now - c.mtime_ns / 1e9 < settle_seconds]
    if not young:
        return candidates
    sleep(settle_seconds)
    changed = {c.name for c in young if _restat(c) != c.signature}
    return [c for c in candidates if c.name not in changed]


def _restat(candidate: FileCandidate) -> tuple[int, int] | None:
    try:
        stat = candidate.path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def read_bytes(candidate: FileCandidate, max_bytes: int) -> bytes:
    """The file's bytes, refusing files over the size limit without reading them."""
    if candidate.size > max_bytes:
        raise InputError(f"file too large ({candidate.size:,} bytes; limit {max_bytes:,})")
    try:
        return candidate.path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}") from None


def content_hash(data: bytes) -> str:
    """Stable identity of a document's content: the same bytes under another name match."""
    return hashlib.sha256(data).hexdigest()
