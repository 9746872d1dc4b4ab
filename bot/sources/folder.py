"""The watched folder: list candidate files and read their bytes. Never writes to it."""

from __future__ import annotations

import hashlib
import os
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


def scan_folder(root: Path) -> list[FileCandidate]:
    """Every input file under `root` (recursively), in name order."""
    if not root.is_dir():
        raise InputError(f"folder not found: {root}")
    found: list[FileCandidate] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in sorted(filenames):
            lowered = filename.lower()
            if filename.startswith(".") or lowered.endswith(IGNORED_SUFFIXES):
                continue
            if lowered in IGNORED_NAMES:
                continue
            path = Path(dirpath) / filename
            try:
                stat = path.stat()
            except OSError:
                continue  # vanished between listing and stat: it will be seen next scan
            found.append(FileCandidate(path, path.relative_to(root).as_posix(), stat.st_size))
    return sorted(found, key=lambda c: c.name)


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
