"""Argos Translate packages: find installed ones, install from a file, remove.

Packages live where Argos keeps them (ARGOS_PACKAGES_DIR, else XDG_DATA_HOME/argos-translate/
packages), so packages installed by argospm or LibreTranslate are found too. Argos's own
`install_from_path` and `uninstall` import `argostranslate.translate`, which needs stanza (and
torch); Kakehashi installs without it: validate the zip, extract beside the target, rename.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bot.core.errors import ModelError, ModelMissingError

REQUIRED_METADATA = ("from_code", "to_code", "package_version")


@dataclass(frozen=True)
class PackageInfo:
    """An installed translation package."""

    code: str
    from_code: str
    to_code: str
    version: str
    path: Path
    target_prefix: str = ""

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    @property
    def sentencepiece_model(self) -> Path:
        return self.path / "sentencepiece.model"


# The version of the pair's package in the Argos index, as of this release: offline, the
# index cannot be asked, and the hint must still name the file to fetch.
KNOWN_VERSIONS = {("ja", "en"): "1.1", ("en", "ja"): "1.1"}


def package_file_name(from_code: str, to_code: str, version: str | None = None) -> str:
    """The index's name for a package file: translate-ja_en-1_1.argosmodel (version 1.1)."""
    version = version or KNOWN_VERSIONS.get((from_code, to_code))
    suffix = version.replace(".", "_") if version else "<version>"
    return f"translate-{from_code}_{to_code}-{suffix}.argosmodel"


def index_url() -> str:
    """The index Argos reads: ARGOS_PACKAGE_INDEX (environment, else Argos's settings.json),
    default https://raw.githubusercontent.com/argosopentech/argospm-index/main/, + index.json."""
    from argostranslate import settings

    return str(settings.remote_package_index)


def install_hint(from_code: str = "ja", to_code: str = "en") -> str:
    """How to install a package, both routes, in one line."""
    return (f"install one with 'kakehashi models install {from_code} {to_code}' (online) or, "
            "offline, " + offline_hint(from_code, to_code))


def offline_hint(from_code: str = "ja", to_code: str = "en", name_index: bool = True) -> str:
    """The offline route alone: the file to fetch, where its link is, the command to run."""
    name = package_file_name(from_code, to_code)
    where = f"the Argos index, {index_url()}" if name_index else "that index"
    return (f"fetch {name} on a connected machine (its download link is in {where}), "
            f"then run 'kakehashi models install --file {name}'")


def packages_dir() -> Path:
    """The folder new packages are installed into (Argos's own setting)."""
    from argostranslate import settings  # reads ARGOS_PACKAGES_DIR / XDG_* at import

    return Path(settings.package_data_dir)


def installed_packages() -> list[PackageInfo]:
    """Every translation package in Argos's package folders."""
    from argostranslate import settings

    found = []
    for directory in settings.package_dirs:
        if not Path(directory).is_dir():
            continue
        for path in sorted(Path(directory).iterdir()):
            info = read_installed(path)
            if info is not None:
                found.append(info)
    return found


def find_package(from_code: str, to_code: str) -> PackageInfo:
    """The installed package for a language pair, or ModelMissingError naming both routes."""
    for info in installed_packages():
        if (info.from_code, info.to_code) == (from_code, to_code):
            return info
    raise ModelMissingError(f"no {from_code}→{to_code} translation model installed; "
                            + install_hint(from_code, to_code))


def read_installed(path: Path) -> PackageInfo | None:
    if path.name.startswith(".") or not (path / "metadata.json").is_file():
        return None
    try:
        metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if metadata.get("type", "translate") != "translate" or not all(
        k in metadata for k in REQUIRED_METADATA
    ):
        return None
    return _info(metadata, path)


def _info(metadata: dict[str, object], path: Path) -> PackageInfo:
    from_code, to_code = str(metadata["from_code"]), str(metadata["to_code"])
    return PackageInfo(
        code=f"translate-{from_code}_{to_code}",
        from_code=from_code,
        to_code=to_code,
        version=str(metadata["package_version"]),
        path=path,
        target_prefix=str(metadata.get("target_prefix", "") or ""),
    )


def install_from_file(archive: Path, expect: tuple[str, str] | None = None) -> PackageInfo:
    """Validate an .argosmodel zip and install it atomically; nothing is left half-installed."""
    top, metadata = inspect_archive(archive)
    if expect and (metadata["from_code"], metadata["to_code"]) != expect:
        raise ModelError(
            f"models: {archive.name} translates {metadata['from_code']}→{metadata['to_code']},"
            f" not {expect[0]}→{expect[1]}"
        )
    target_root = packages_dir()
    target = target_root / top
    staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=target_root))
    try:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(staging)
        _check_model_loads(staging / top)
        if target.exists():
            old = target_root / f".removing-{top}"
            target.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        (staging / top).rename(target)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ModelError(f"models: cannot install {archive.name}: {exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _info(metadata, target)


def inspect_archive(archive: Path) -> tuple[str, dict[str, object]]:
    """(top-level folder, metadata) of a package zip, or ModelError saying what is wrong."""
    name = archive.name
    if not archive.is_file():
        raise ModelError(f"models: file not found: {archive}")
    if not zipfile.is_zipfile(archive):
        raise ModelError(f"models: {name} is not an Argos package (not a zip archive)")
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if n.strip("/")]
            tops = {PurePosixPath(n).parts[0] for n in names}
            if len(tops) != 1 or any(".." in PurePosixPath(n).parts for n in names):
                raise ModelError(f"models: {name} must hold exactly one top-level folder")
            top = tops.pop()
            members = set(names)
            for required in ("metadata.json", "sentencepiece.model", "model/model.bin"):
                if f"{top}/{required}" not in members:
                    raise ModelError(f"models: {name} has no {required}")
            metadata = json.loads(zf.read(f"{top}/metadata.json").decode("utf-8"))
    except (zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"models: {name} is damaged ({exc})") from None
    if not isinstance(metadata, dict) or not all(k in metadata for k in REQUIRED_METADATA):
        raise ModelError(f"models: {name} has an invalid metadata.json")
    if metadata.get("type", "translate") != "translate":
        raise ModelError(f"models: {name} is not a translation package")
    return top, metadata


def _check_model_loads(path: Path) -> None:
    """Load the model once so a corrupt package fails here, not in the first digest."""
    import ctranslate2

    try:
        ctranslate2.Translator(str(path / "model"), device="cpu", compute_type="int8")
    except (RuntimeError, ValueError) as exc:
        raise ModelError(f"models: the model in {path.name} cannot be loaded ({exc})") from None


def remove_package(code: str) -> PackageInfo:
    """Remove an installed package by code (translate-ja_en) or pair (ja_en)."""
    for info in installed_packages():
        if code in (info.code, f"{info.from_code}_{info.to_code}", info.path.name):
            doomed = info.path.with_name(f".removing-{info.path.name}")
            info.path.rename(doomed)  # atomic: never a half-removed package in the list
            shutil.rmtree(doomed, ignore_errors=True)
            return info
    raise ModelMissingError(f"models: no installed package {code!r}")
