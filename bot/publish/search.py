"""The archive's search index: Pagefind run over the article pages into OUT/pagefind/, which
search.html (templates/web/search.js) queries in the reader's browser. No server takes part:
the index is static files, so a plain static host serves search as well as `kakehashi serve`.

Pagefind's extended build segments Japanese into words (the plain build keeps a Japanese
sentence as one "word", so 鉱物 would not find 重要鉱物). It segments only pages it takes for
Chinese or Japanese, so the bilingual pages are indexed as Japanese: English words are still
words, only English stemming is lost (prefixes still match: "mineral" finds "minerals").

The index is built in a temporary folder beside the live one and swapped in whole: a reader
never sees half an index, and a failed or killed build leaves the old one. Without Pagefind, or
when it fails, the archive is published without a new index: one warning, never a failed run.
"""

from __future__ import annotations

import ctypes
import errno
import importlib.util
import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

SEARCH_DIR = "pagefind"
# Pagefind's own names, relative to OUT/SEARCH_DIR: what search.js loads first.
_ENTRY = ("pagefind.js", "pagefind-entry.json")
_ARTICLES = "articles"
_TEMP_PREFIX = f".{SEARCH_DIR}-"
# Indexing 500 article pages takes a few seconds (bench/search.py): this only stops a hung
# binary.
TIMEOUT = 300
_RENAME_EXCHANGE = 2  # renameat2(2): swap two paths in one step
_AT_FDCWD = -100


def update_search(out: Path, binary: Path | None = None) -> str:
    """Rebuild OUT/pagefind/ when an article page is newer than the index (or there is no
    index); a line for the log: "" when nothing was done, "warning: search: …" when the build
    failed. `binary`: Pagefind's (paths.pagefind), else the one installed with Kakehashi.

    Judged by the files, not by what this run wrote: pages written by a run killed before it
    indexed them are indexed by the next one."""
    remove_stale_builds(out)  # the job lock is held: any left are a killed run's
    pages = list((out / _ARTICLES).glob("*.html"))
    if not pages or not _stale(out, pages):
        return ""  # up to date, or nothing published yet (search.html says there is no index)
    problem = build_index(out, binary)
    if problem:
        return f"warning: search: {problem}; the archive is published without a new index"
    count = indexed_pages(out)
    return f"search: indexed {count} article page{'s' if count != 1 else ''}"


def indexed_pages(out: Path) -> int:
    """How many pages the index in OUT/pagefind/ holds (pages written before search came,
    without its marks, are left out by Pagefind); 0 when it cannot be read."""
    try:
        entry = json.loads((out / SEARCH_DIR / _ENTRY[1]).read_text(encoding="utf-8"))
        return sum(int(language["page_count"]) for language in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return 0


def _stale(out: Path, pages: list[Path]) -> bool:
    if not has_index(out):
        return True
    try:
        built = (out / SEARCH_DIR / _ENTRY[1]).stat().st_mtime_ns
        # Not-older counts as newer: on a file system with coarse times, a page written in
        # the second the index was built may have missed it.
        return any(page.stat().st_mtime_ns >= built for page in pages)
    except OSError:
        return True


def has_index(out: Path) -> bool:
    """Whether OUT/pagefind/ holds a complete index (as a swap leaves it)."""
    live = out / SEARCH_DIR
    return not live.is_symlink() and all((live / name).is_file() for name in _ENTRY)


def find_pagefind() -> Path | None:
    """The Pagefind binary installed with Kakehashi (pagefind-bin-extended), if it is."""
    spec = importlib.util.find_spec("pagefind_bin_extended")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for name in ("pagefind_extended", "pagefind_extended.exe"):
            if (Path(folder) / name).is_file():
                return Path(folder) / name
    return None


def build_index(out: Path, binary: Path | None = None) -> str:
    """Index OUT/articles/*.html into OUT/pagefind/ with BINARY (default: the installed one);
    "" when done, else why not (one line)."""
    binary = binary or find_pagefind()
    if binary is None:
        return ("Pagefind is not installed (pip install pagefind-bin-extended, or set "
                "paths.pagefind)")
    fresh = out / f"{_TEMP_PREFIX}{secrets.token_hex(4)}"
    try:
        problem = _run_pagefind(binary, out, fresh)
        if not problem:
            problem = _swap_in(fresh, out / SEARCH_DIR)
        return problem
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def remove_stale_builds(out: Path) -> None:
    """Remove index folders a killed build or swap left in OUT (dotted: never served)."""
    try:
        stale = [p for p in out.iterdir() if p.name.startswith(_TEMP_PREFIX)]
    except OSError:
        return
    for path in stale:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


def _run_pagefind(binary: Path, out: Path, target: Path) -> str:
    """Pagefind over OUT's article pages into TARGET; "" or what went wrong."""
    command = [str(binary), "--site", str(out), "--output-path", str(target),
               "--glob", f"{_ARTICLES}/*.html", "--force-language", "ja", "--quiet"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace",
                              stdin=subprocess.DEVNULL, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return f"Pagefind ({binary}) did not finish within {TIMEOUT} s"
    except OSError as exc:
        return f"cannot run Pagefind ({binary}): {exc.strerror or exc}"
    if done.returncode != 0:
        said = (done.stderr.strip() or done.stdout.strip()).splitlines()
        return f"Pagefind ({binary}) failed (exit {done.returncode}): " + (
            said[-1][:300] if said else "no message")
    if not all((target / name).is_file() for name in _ENTRY):
        return f"Pagefind ({binary}) wrote no index"
    return ""


def _swap_in(fresh: Path, live: Path) -> str:
    """Put FRESH in LIVE's place; the old index ends up at FRESH (removed by the caller)."""
    try:
        if live.is_symlink() or (live.exists() and not live.is_dir()):
            return f"{live} is not a folder Kakehashi made: remove it"
        if not live.exists():
            os.rename(fresh, live)
        elif not _exchange(fresh, live):
            # No atomic exchange here (not Linux, or a file system without it): LIVE is
            # missing between the two renames, and a crash there leaves no index, which the
            # next run builds again (has_index).
            old = fresh.with_name(fresh.name + "-old")
            os.rename(live, old)
            os.rename(fresh, live)
            os.rename(old, fresh)
    except OSError as exc:
        return f"cannot put the new index in place at {live}: {exc.strerror or exc}"
    return ""


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux renameat2); False where that is not available."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                       _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code))
