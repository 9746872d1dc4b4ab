"""The Argos package index (online): list available packages and download one with progress."""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import ModelError
from bot.translate.packages import (
    PackageInfo,
    install_from_file,
    install_hint,
    offline_hint,
    packages_dir,
)

TIMEOUT_SECONDS = 20.0
# Listing is a side show: an unreachable index must not hold up `models list` for long.
LIST_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class AvailablePackage:
    from_code: str
    to_code: str
    version: str
    links: tuple[str, ...]


def index_url() -> str:
    """Argos's index address (ARGOS_PACKAGE_INDEX honoured, as argospm does)."""
    from argostranslate import settings

    return str(settings.remote_package_index)


def fetch_index(timeout: float = TIMEOUT_SECONDS) -> list[AvailablePackage]:
    """Every translation package in the online index; ModelError if it cannot be reached."""
    import httpx

    url = index_url()
    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=True)
        response.raise_for_status()
        raw: Any = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ModelError(f"models: cannot reach the Argos package index at {url} ({exc}); "
                         "to install offline: " + offline_hint()) from None
    return [
        AvailablePackage(str(p["from_code"]), str(p["to_code"]), str(p.get("package_version")),
                         tuple(p.get("links", ())))
        for p in raw if isinstance(p, dict) and p.get("type", "translate") == "translate"
        and "from_code" in p and "to_code" in p
    ]


def install_from_index(from_code: str, to_code: str, show_progress: bool = True) -> PackageInfo:
    """Download the pair's package into a temp file, verify it, install it atomically."""
    import httpx

    matches = [p for p in fetch_index() if (p.from_code, p.to_code) == (from_code, to_code)]
    if not matches or not matches[0].links:
        raise ModelError(f"models: the Argos index has no {from_code}→{to_code} package")
    package = matches[0]
    with tempfile.TemporaryDirectory(prefix=".download-", dir=packages_dir()) as tmp:
        target = Path(tmp) / f"translate-{from_code}_{to_code}.argosmodel"
        try:
            _download(httpx, package.links[0], target, show_progress)
        except httpx.HTTPError as exc:
            raise ModelError(f"models: download failed ({exc}); {install_hint()}") from None
        return install_from_file(target, expect=(from_code, to_code))


def _download(httpx: Any, url: str, target: Path, show_progress: bool) -> None:
    with httpx.stream("GET", url, timeout=TIMEOUT_SECONDS, follow_redirects=True) as response:
        response.raise_for_status()
        total = int(response.headers.get("content-length", 0))
        done = 0
        with target.open("wb") as fh:
            for chunk in response.iter_bytes(1 << 16):
                fh.write(chunk)
                done += len(chunk)
                if show_progress:
                    _progress_bar(done, total)
    if show_progress:
        sys.stderr.write("\n")


def _progress_bar(done: int, total: int) -> None:
    if total:
        filled = int(30 * done / total)
        bar = "#" * filled + "-" * (30 - filled)
        sys.stderr.write(f"\r[{bar}] {done / 1e6:6.1f}/{total / 1e6:.1f} MB")
    else:
        sys.stderr.write(f"\r{done / 1e6:6.1f} MB")
    sys.stderr.flush()
