"""Model management from files: install, list, replace, remove, and bad packages refused."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import argos_env, run_cli


@pytest.fixture
def argos(tmp_path: Path) -> dict[str, str]:
    return argos_env(tmp_path / "argos")


def leftovers(env: dict[str, str]) -> list[str]:
    folder = Path(env["ARGOS_PACKAGES_DIR"])
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_install_list_reinstall_remove(tiny_package: Path, argos: dict[str, str]):
    installed = run_cli("models", "install", "--file", str(tiny_package), env=argos)
    assert installed.returncode == 0, installed.stderr
    assert "installed translate-ja_en 1.1" in installed.stdout
    listing = run_cli("models", "list", env=argos)
    assert listing.stdout.startswith("translate-ja_en\t1.1\t")

    again = run_cli("models", "install", "--file", str(tiny_package), env=argos)
    assert again.returncode == 0, again.stderr
    assert leftovers(argos) == ["translate-ja_en-1_1"]

    removed = run_cli("models", "remove", "ja_en", env=argos)
    assert removed.returncode == 0 and "removed translate-ja_en" in removed.stdout
    assert leftovers(argos) == []
    empty = run_cli("models", "list", env=argos)
    assert empty.returncode == 0
    assert empty.stdout.strip() == "no translation models installed"
    assert "index is not reachable" in empty.stderr


def rewrite(source: Path, dest: Path, change: dict[str, bytes | None]) -> Path:
    """Copy a package zip, replacing (bytes) or dropping (None) members by name."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(dest, "w") as zout:
        for item in zin.infolist():
            if item.filename in change:
                if change[item.filename] is not None:
                    zout.writestr(item.filename, change[item.filename])
            else:
                zout.writestr(item, zin.read(item))
        for name, data in change.items():
            if name not in zin.namelist() and data is not None:
                zout.writestr(name, data)
    return dest


TOP = "translate-ja_en-1_1"
BAD_PACKAGES = {
    "not a zip": (None, "not a zip archive"),
    "two top folders": ({"other/readme.txt": b"x"}, "exactly one top-level folder"),
    "no metadata": ({f"{TOP}/metadata.json": None}, "has no metadata.json"),
    "no model": ({f"{TOP}/model/model.bin": None}, "has no model/model.bin"),
    "bad metadata": ({f"{TOP}/metadata.json": b"{not json"}, "damaged"),
    "corrupt model": ({f"{TOP}/model/model.bin": b"garbage" * 100}, "cannot be loaded"),
}


@pytest.mark.parametrize("case", sorted(BAD_PACKAGES))
def test_bad_package_is_refused_and_nothing_is_left(
    case: str, tiny_package: Path, argos: dict[str, str], tmp_path: Path
):
    change, message = BAD_PACKAGES[case]
    bad = tmp_path / "bad.argosmodel"
    if change is None:
        bad.write_bytes(b"this is not a zip file")
    else:
        rewrite(tiny_package, bad, change)
    result = run_cli("models", "install", "--file", str(bad), env=argos)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert leftovers(argos) == []


def test_wrong_language_pair_is_named(tiny_package: Path, tmp_path: Path):
    from bot.core.errors import ModelError
    from bot.translate.packages import install_from_file

    with zipfile.ZipFile(tiny_package) as zf:
        metadata = json.loads(zf.read(f"{TOP}/metadata.json"))
    metadata.update(from_code="zh")
    bad = rewrite(tiny_package, tmp_path / "zh.argosmodel",
                  {f"{TOP}/metadata.json": json.dumps(metadata).encode()})
    with pytest.raises(ModelError, match="translates zh→en, not ja→en"):
        install_from_file(bad, expect=("ja", "en"))


@pytest.mark.slow
def test_install_from_the_index_with_progress(tiny_package: Path, argos: dict[str, str]):
    from tests.support.http_server import Route, serve

    routes = {"/translate-ja_en.argosmodel": Route(tiny_package.read_bytes())}
    with serve(routes) as server:
        index = [{"type": "translate", "from_code": "ja", "to_code": "en", "from_name":
                  "Japanese", "to_name": "English", "package_version": "1.1",
                  "argos_version": "1.9", "links": [server.url("/translate-ja_en.argosmodel")]}]
        routes["/index.json"] = Route(json.dumps(index).encode())
        env = {**argos, "ARGOS_PACKAGE_INDEX": server.url("/")}
        available = run_cli("models", "list", env=env)
        result = run_cli("models", "install", "ja", "en", env=env)
        missing = run_cli("models", "install", "zh", "en", env=env)
    assert "available\ttranslate-ja_en\t1.1" in available.stdout
    assert result.returncode == 0, result.stderr
    assert "installed translate-ja_en 1.1" in result.stdout
    assert "MB" in result.stderr  # the progress bar
    assert leftovers(argos) == ["translate-ja_en-1_1"]
    assert missing.returncode == 1 and "has no zh→en package" in missing.stderr
