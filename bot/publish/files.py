"""Atomic file writes: readers of OUT/ never see a half-written file.

Outputs are created with mode 0666 less the umask, like any file a user creates (mkstemp's
0600 would keep a web server running as another user from serving feed.xml). A temp file is
`.NAME.XXXXXXXX.tmp` beside its target; one left behind by a killed run is removed by the next
run, which holds the job lock, so no other process can be writing it.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from bot.core.errors import PublishError

# Our temp names (mkstemp's 8 characters, kept so that leftovers of older versions match too).
# The web archive's: index.html, robots.txt, search.html, search.js, digests/N.html,
# articles/kakehashi-HEX.html, sources/NAME-HASH.html.
_TEMP_NAME = re.compile(r"\.(?:feed\.xml|index\.html|robots\.txt|search\.html|search\.js|"
                        r"\d+\.html|kakehashi-[0-9a-f]+\.html|[a-z0-9._-]*-[0-9a-f]{8}\.html)"
                        r"\.[a-z0-9_]{8}\.tmp")


def write_atomic(path: Path, text: str) -> None:
    """Write to a temp file in the same folder, fsync, then rename over `path`."""
    _write_via_temp(path, text, lambda tmp: os.replace(tmp, path))


def write_new(path: Path, text: str) -> bool:
    """Write `path` atomically only if it does not exist yet; False if it already did."""
    created = True

    def link(tmp: str) -> None:
        nonlocal created
        try:
            os.link(tmp, path)  # unlike a rename, a link never replaces an existing file
        except FileExistsError:
            created = False
        os.unlink(tmp)

    _write_via_temp(path, text, link)
    return created


def remove_stale_temps(folder: Path) -> list[Path]:
    """Remove our temp files left in `folder` by a run that was killed (job lock held)."""
    removed = []
    try:
        names = [p for p in folder.iterdir() if _TEMP_NAME.fullmatch(p.name)]
    except OSError:
        return []  # no folder yet: nothing left behind
    for path in names:
        try:
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # not ours to fight over; the next run tries again
    return removed


def _write_via_temp(path: Path, text: str, commit: Callable[[str], None]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_temp(path)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            commit(tmp)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise PublishError(f"publish: cannot write {path}: {exc.strerror or exc}") from None


def _create_temp(path: Path) -> tuple[int, str]:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_"
    while True:
        token = "".join(secrets.choice(alphabet) for _ in range(8))
        tmp = str(path.with_name(f".{path.name}.{token}.tmp"))
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def write_if_changed(path: Path, text: str) -> Path | None:
    """Write `text` to `path` atomically unless it already holds exactly that; the path if
    written. Outputs are rendered from the store on every run: only a change touches a file."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return None
    except (OSError, UnicodeDecodeError):
        pass  # missing or unreadable: write it
    write_atomic(path, text)
    return path
