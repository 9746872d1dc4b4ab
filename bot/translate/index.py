"""The Argos package index (online): list available packages and download one with progress."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.core.errors import ModelError
from bot.translate.packages import (
    PackageInfo,
    index_url,
    install_from_file,
    offline_hint,
    packages_dir,
)

# (bytes so far, total bytes or 0 if unknown), called after each chunk.
DownloadProgress = Callable[[int, int], None]

TIMEOUT_SECONDS = 20.0
# Listing is a side show: an unreachable index must not hold up `models list` for long.
LIST_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class AvailablePackage:
    from_code: str
    to_code: str
    version: str
    links: tuple[str, ...]


def fetch_index(timeout: float = TIMEOUT_SECONDS,
                pair: tuple[str, str] = ("ja", "en")) -> list[AvailablePackage]:
    """Every translation package in the online index; ModelError (with the offline route for
    `pair`) if it cannot be reached."""
    import httpx

    url = index_url()
    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=True)
        response.raise_for_status()
        raw: Any = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        offline = offline_hint(*pair, name_index=False)
        raise ModelError(f"models: cannot reach the Argos package index at {url} ({exc})"
                         f"{_folder_note(url)}; offline: {offline}") from None
    return [
        AvailablePackage(str(p["from_code"]), str(p["to_code"]), str(p.get("package_version")),
                         tuple(p.get("links", ())))
        for p in raw if isinstance(p, dict) and p.get("type", "translate") == "translate"
        and "from_code" in p and "to_code" in p
    ]


def _folder_note(url: str) -> str:
    # Argos appends "index.json" to ARGOS_PACKAGE_INDEX as it is: without its final '/',
    # ".../main" becomes ".../mainindex.json".
    if url.endswith("/index.json"):
        return ""
    return " (ARGOS_PACKAGE_INDEX names the index's folder and must end with '/')"


def install_from_index(from_code: str, to_code: str,
                       progress: DownloadProgress | None = None) -> PackageInfo:
    """Download the pair's package into a temp file, verify it, install it atomically."""
    import httpx

    pair = (from_code, to_code)
    matches = [p for p in fetch_index(pair=pair) if (p.from_code, p.to_code) == pair]
    if not matches or not matches[0].links:
        raise ModelError(f"models: the Argos index has no {from_code}→{to_code} package")
    package = matches[0]
    link = next((u for u in package.links if u.startswith(("https://", "http://"))),
                package.links[0])
    with tempfile.TemporaryDirectory(prefix=".download-", dir=packages_dir()) as tmp:
        target = Path(tmp) / link_file_name(link, from_code, to_code)
        try:
            _download(httpx, link, target, progress)
        except httpx.HTTPError as exc:
            # The index was read: the hint can name the very file and where it lives.
            raise ModelError(
                f"models: download of {link} failed ({exc}); offline: fetch that file on a "
                f"connected machine, then run 'kakehashi models install --file {target.name}'"
            ) from None
        return install_from_file(target, expect=(from_code, to_code))


def link_file_name(link: str, from_code: str, to_code: str) -> str:
    """The file a package link downloads (e.g. translate-ja_en-1_1.argosmodel)."""
    name = Path(urlsplit(link).path).name
    return name if name.endswith(".argosmodel") else f"translate-{from_code}_{to_code}.argosmodel"


def _download(httpx: Any, url: str, target: Path, progress: DownloadProgress | None) -> None:
    with httpx.stream("GET", url, timeout=TIMEOUT_SECONDS, follow_redirects=True) as response:
        response.raise_for_status()
        total = int(response.headers.get("content-length", 0))
        done = 0
        with target.open("wb") as fh:
            for chunk in response.iter_bytes(1 << 16):
                fh.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    if progress and not total:
        progress(done, done)  # the size is known now: the report can end
