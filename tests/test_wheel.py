"""The built wheel is a working Kakehashi: it carries templates/, glossary/ and seeds/, and
`kakehashi demo` runs from it in a fresh environment, from a folder outside the checkout.
Built and installed offline: the build backend and the locked dependencies come from uv's
cache (where it has none, the test is skipped with the reason)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("installed_model")]


def uv(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = shutil.which("uv")
    if command is None:
        pytest.skip("uv is not installed")
    # The tests point XDG_CACHE_HOME at a temp folder (for Argos), which would hide uv's cache.
    cache = os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv")
    return subprocess.run([command, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "UV_CACHE_DIR": cache, **(env or {})})


def test_the_wheel_installs_and_runs_the_demo_from_anywhere(tmp_path: Path) -> None:
    built = uv("build", "--wheel", "--offline", "--out-dir", str(tmp_path / "dist"))
    if built.returncode != 0 and "network" in built.stderr.lower():
        pytest.skip(f"building needs the network here: {built.stderr.strip()[-300:]}")
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("kakehashi-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in ("templates/web/article.html.j2", "glossary/domain.tsv",
                    "seeds/05_newsletter.pdf"):
        assert f"bot/_data/{shipped}" in names

    venv = tmp_path / "venv"  # the locked dependencies, then the wheel alone
    synced = uv("sync", "--locked", "--no-dev", "--no-install-project", "--offline", "-q",
                env={"UV_PROJECT_ENVIRONMENT": str(venv)})
    assert synced.returncode == 0, synced.stderr
    installed = uv("pip", "install", "--offline", "--no-deps", "--python",
                   str(venv / "bin" / "python"), str(wheel))
    assert installed.returncode == 0, installed.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "KAKEHASHI_CONFIG"}
    demo = subprocess.run([str(venv / "bin" / "kakehashi"), "demo", "--out", "out"],
                          cwd=elsewhere, capture_output=True, text=True, timeout=300, env=env)
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "digest #1 published" in demo.stderr
    assert (elsewhere / "out" / "feed.xml").read_text(encoding="utf-8").count("<item>") >= 5
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "from bot.core.resources import "
                            "resource_dir; print(resource_dir('glossary'))"], cwd=elsewhere,
                           capture_output=True, text=True, timeout=60, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where  # not the checkout's
    status = subprocess.run([str(venv / "bin" / "kakehashi"), "status", "--state",
                             "out/state.sqlite3"], cwd=elsewhere, capture_output=True,
                            text=True, timeout=60, env=env)
    assert "documents: 5" in status.stdout and "skipped documents" not in status.stdout


def test_the_service_install_links_the_venv_to_an_interpreter_outside_root(
        tmp_path: Path) -> None:
    """The unit's install step, run for real into a scratch environment: its interpreter
    must not live under /root or /home (the service user cannot read there)."""
    header = (ROOT / "deploy" / "kakehashi.service").read_text(encoding="utf-8")
    line = next(line.lstrip("# ") for line in header.splitlines() if " uv sync " in line)
    words = shlex.split(line)
    env = dict(word.split("=", 1) for word in words if "=" in word and not word.startswith("-"))
    argv = [word for word in words if word not in {f"{k}={v}" for k, v in env.items()}]
    assert argv[:2] == ["uv", "sync"] and "--python" in argv
    interpreter = argv[argv.index("--python") + 1]
    if not Path(interpreter).exists():
        pytest.skip(f"{interpreter} is not on this machine")
    synced = uv(*argv[1:], "--offline", "--no-install-project",
                env={**env, "UV_PROJECT_ENVIRONMENT": str(tmp_path / "venv")})
    assert synced.returncode == 0, synced.stderr[-2000:]
    linked = (tmp_path / "venv" / "bin" / "python").resolve()
    assert not linked.is_relative_to("/root") and not linked.is_relative_to("/home"), linked
    assert linked.is_relative_to(Path(interpreter).resolve().parent)
    # The locked dependencies were installed for it, not only an empty environment made.
    assert list((tmp_path / "venv").glob("lib/python3*/site-packages/ctranslate2"))
