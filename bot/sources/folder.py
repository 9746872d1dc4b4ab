"""The watched folder: list candidate files and read their bytes. Never writes to it.

Polling with a stability check is the source of truth (file-system events fire on
half-written files): a file is read once its size and mtime are unchanged across two looks.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.core.errors import InputError
from bot.sources.readers import SUPPORTED_SUFFIXES
from bot.text.safe import display_name, is_lossless

# Partial downloads and editor temp files; the folder's own README is for editors, not input.
IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp", "~")
IGNORED_NAMES = frozenset({"readme.md", "readme.txt", "thumbs.db", "desktop.ini"})


# Deeper trees are generated or looping; the folder at this depth is listed, not read.
MAX_DEPTH = 64
_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


@dataclass(frozen=True)
class FileCandidate:
    """A file found in the folder, named relative to the folder root.

    `name` is for showing and storing (undecodable bytes and controls escaped); `key` is the
    lossless identity in the stat index (the name itself whenever it is valid UTF-8).
    """

    path: Path
    name: str
    size: int
    mtime_ns: int = 0
    key: str = ""

    @property
    def ident(self) -> str:
        return self.key or self.name

    @property
    def signature(self) -> tuple[int, int]:
        """What the stat index compares: a file with the same signature was seen before."""
        return (self.size, self.mtime_ns)


@dataclass(frozen=True)
class Unread:
    """Something in the folder that is not read, and why (listed by `status`)."""

    name: str
    key: str
    reason: str


@dataclass(frozen=True)
class FolderScan:
    files: list[FileCandidate]
    unread: list[Unread]


def scan_folder(root: Path, follow_symlinks: bool = False) -> list[FileCandidate]:
    """Every input file under `root` (recursively), in name order."""
    return walk_folder(root, follow_symlinks).files


def walk_folder(root: Path, follow_symlinks: bool = False) -> FolderScan:
    """Every regular input file under `root`, and every entry not read with its reason.

    Iterative (any depth is one loop, not a recursion), bounded by MAX_DEPTH; a folder met
    twice (a link loop, a bind mount) is read once. Nothing is opened here, so a FIFO
    cannot block the scan.
    """
    if not root.is_dir():
        raise InputError(f"folder not found: {root}")
    files: list[FileCandidate] = []
    unread: list[Unread] = []
    top = root.stat()
    seen = {(top.st_dev, top.st_ino)}
    stack: list[tuple[str, str, int]] = [(str(root), "", 0)]
    while stack:
        folder, prefix, depth = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            unread.append(_unread(prefix.rstrip("/"), f"cannot read folder: {exc.strerror}"))
            continue
        for entry in entries:
            if entry.name.startswith(".") or _ignored(entry.name):
                continue
            relative = prefix + entry.name
            found = _look(entry, relative, follow_symlinks)
            if isinstance(found, FileCandidate):
                files.append(found)
            elif isinstance(found, Unread):
                unread.append(found)
            elif found is not None:  # a folder: walked unless met before or too deep
                problem = _enter(found, relative, depth + 1, seen)
                if problem is None:
                    stack.append((entry.path, relative + "/", depth + 1))
                else:
                    unread.append(problem)
                if problem is None and entry.name.lower().endswith(SUPPORTED_SUFFIXES):
                    # Someone meant a document here (an unpacked archive, a misnamed copy).
                    unread.append(_unread(relative, "a folder named like a document: the "
                                                    "files in it are read, not the folder"))
    return FolderScan(sorted(files, key=lambda c: c.name), sorted(unread, key=lambda u: u.name))


def _enter(info: os.stat_result, relative: str, depth: int, seen: set[tuple[int, int]]
           ) -> Unread | None:
    """None if the folder is to be walked (and now counts as seen), else why not."""
    if (info.st_dev, info.st_ino) in seen:
        return _unread(relative, "folder already read through another path (a link loop):"
                                 " not read again")
    if depth >= MAX_DEPTH:
        return _unread(relative, f"folder nested deeper than {MAX_DEPTH} levels: not read")
    seen.add((info.st_dev, info.st_ino))
    return None


def _ignored(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(IGNORED_SUFFIXES) or lowered in IGNORED_NAMES


def _look(entry: os.DirEntry[str], relative: str, follow_symlinks: bool
          ) -> FileCandidate | Unread | os.stat_result | None:
    """What one folder entry is: a file to read, a folder to walk (its stat), or unread."""
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return None  # vanished between listing and stat: it will be seen next scan
    if stat.S_ISLNK(info.st_mode):
        if not follow_symlinks:
            return _unread(relative, "symbolic link: not followed (sources.follow_symlinks "
                                     "is off)")
        try:
            info = os.stat(entry.path)
        except OSError as exc:
            reason = {errno.ELOOP: "symbolic link loop", errno.ENOENT: "dangling symbolic link "
                      "(its target does not exist)"}.get(exc.errno or 0, exc.strerror)
            return _unread(relative, f"{reason}: not read")
    if stat.S_ISDIR(info.st_mode):
        return info
    if stat.S_ISREG(info.st_mode):
        return FileCandidate(Path(entry.path), display_name(relative), info.st_size,
                             info.st_mtime_ns, _key(relative))
    kind = next((k for test, k in _KINDS if test(info.st_mode)), "not a regular file")
    return _unread(relative, f"{kind}, not a regular file: not read")


def _unread(relative: str, reason: str) -> Unread:
    return Unread(display_name(relative or "."), _key(relative or "."), reason)


def _key(relative: str) -> str:
    # Valid UTF-8 names are their own key (as in state files written before); other byte
    # names are kept exactly, as hex, so two of them never share an index row.
    return relative if is_lossless(relative) else "bytes:" + os.fsencode(relative).hex()


def unseen(candidates: list[FileCandidate], index: Mapping[str, tuple[int, int]]
           ) -> list[FileCandidate]:
    """Candidates whose (size, mtime) differ from the stat index: only these are read."""
    return [c for c in candidates if index.get(c.ident) != c.signature]


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
    changed = {c.ident for c in young if _restat(c) != c.signature}
    return [c for c in candidates if c.ident not in changed]


def _restat(candidate: FileCandidate) -> tuple[int, int] | None:
    try:
        stat = candidate.path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def read_bytes(candidate: FileCandidate, max_bytes: int, follow_symlinks: bool = True) -> bytes:
    """The file's bytes, refusing files over the size limit without reading them.

    Opened without blocking and checked to be a regular file: what was a file at the scan
    may be a FIFO or (without `follow_symlinks`) a link by now.
    """
    if candidate.size > max_bytes:
        raise InputError(f"file too large ({candidate.size:,} bytes; limit {max_bytes:,})")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(candidate.path, flags)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise InputError("not a regular file any more: not read")
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError("became a symbolic link: not followed") from None
        raise InputError(f"cannot read file: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise InputError(f"file too large (over {max_bytes:,} bytes)")
    return data


def content_hash(data: bytes) -> str:
    """Stable identity of a document's content: the same bytes under another name match."""
    return hashlib.sha256(data).hexdigest()
