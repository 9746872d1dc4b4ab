"""Messages say what happened: held articles, released ones, an empty run; the offline model
hint names the real file, the index it is listed in and the exact command; the demo never
sends to Telegram."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, argos_env, run_cli
from tests.support.fake_bot_api import FakeBotApi

FILE = "translate-ja_en-1_1.argosmodel"
DEFAULT_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"


def run_in(folder: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`once` over `folder`, with its state and output beside it."""
    base = folder.parent
    return run_cli("once", "--seeds", str(folder), "--out", str(base / "out"),
                   "--state", str(base / "s.sqlite3"), *extra)


@pytest.fixture
def folder_in(tmp_path: Path) -> Path:
    """A watched folder named "in", as the issue's was (so "nothing new in in" showed)."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ROOT / "seeds" / "01_web_copy.txt", folder)
    return folder


def strict(tmp_path: Path) -> str:
    path = tmp_path / "strict.toml"
    path.write_text("[sources]\nsettle_seconds = 0\n[glossary]\nstrict = true\n")
    return str(path)


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_held_articles_are_named_as_held_then_released_as_released(folder_in: Path):
    config = strict(folder_in.parent)
    first = run_in(folder_in, "--config", config)
    assert first.returncode == 0, first.stderr
    assert "nothing new" not in first.stderr
    assert "read 1 new document(s): 2 new article(s)" in first.stderr
    assert ("WARNING no digest published: 2 article(s) held back by glossary.strict (listed "
            "by 'kakehashi status'; 'kakehashi release' lets them in)") in first.stderr

    second = run_in(folder_in, "--config", config)  # nothing new, still held: no alarm
    assert "INFO no digest published: 2 article(s) held back" in second.stderr
    assert "WARNING" not in second.stderr and "nothing new in in" not in second.stderr

    released = run_cli("release", "--all", "--state", str(folder_in.parent / "s.sqlite3"))
    assert released.stdout == "released 2 entries; the next run publishes them\n"
    third = run_in(folder_in, "--config", config)
    assert third.returncode == 0, third.stderr
    out = folder_in.parent / "out"
    assert (f"INFO digest #1 published to {out}: 2 article(s) that were waiting (released, or "
            "left by an interrupted run)") in third.stderr
    assert "new document(s)" not in third.stderr and "0 article(s)" not in third.stderr


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_digest_of_new_articles_and_an_empty_run_say_so(folder_in: Path):
    first = run_in(folder_in)
    out = folder_in.parent / "out"
    assert f"INFO digest #1 published to {out}: 2 new article(s)\n" in first.stderr
    assert f"INFO wrote {out / 'feed.xml'}" in first.stderr
    again = run_in(folder_in)
    assert f"INFO nothing new in folder '{folder_in}'; no digest published" in again.stderr


def env_without_index(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ARGOS_PACKAGE_INDEX"}
    env.update({k: v for k, v in argos_env(home).items() if k != "ARGOS_PACKAGE_INDEX"})
    env.update(extra)
    return env


def run_raw(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)


def test_missing_model_hint_names_file_index_and_command(tmp_path: Path):
    # No network is touched: the model is missing before anything is read.
    result = run_raw(env_without_index(tmp_path / "argos"), "once", "--seeds", str(tmp_path))
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "'kakehashi models install ja en' (online)" in result.stderr
    assert f"fetch {FILE} on a connected machine" in result.stderr
    assert f"(its download link is in the Argos index, {DEFAULT_INDEX})" in result.stderr
    assert f"then run 'kakehashi models install --file {FILE}'" in result.stderr


def test_the_index_is_read_where_argos_reads_it(tmp_path: Path):
    mirror = "http://mirror.invalid/argos/"
    from_env = run_raw(env_without_index(tmp_path / "a", ARGOS_PACKAGE_INDEX=mirror),
                       "once", "--seeds", str(tmp_path))
    assert f"Argos index, {mirror}index.json)" in from_env.stderr

    # Argos also reads it from its settings.json; the environment wins over the file.
    settings = tmp_path / "b" / "config" / "argos-translate" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"ARGOS_PACKAGE_INDEX": "http://file.invalid/idx/"}))
    from_file = run_raw(env_without_index(tmp_path / "b"), "once", "--seeds", str(tmp_path))
    assert "Argos index, http://file.invalid/idx/index.json)" in from_file.stderr


def test_install_without_network_gives_the_offline_route(tmp_path: Path):
    result = run_cli("models", "install", "ja", "en", env=argos_env(tmp_path / "argos"))
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    line = result.stderr
    assert "cannot reach the Argos package index at http://127.0.0.1:9/index.json" in line
    assert f"offline: fetch {FILE} on a connected machine (its download link is in that " \
           f"index), then run 'kakehashi models install --file {FILE}'" in line


def test_an_index_folder_without_its_slash_is_pointed_out(tmp_path: Path):
    env = {**argos_env(tmp_path / "argos"), "ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/main"}
    result = run_cli("models", "install", "ja", "en", env=env)
    assert "http://127.0.0.1:9/mainindex.json" in result.stderr
    assert "ARGOS_PACKAGE_INDEX names the index's folder and must end with '/'" in result.stderr


def test_a_failed_download_names_the_link_and_its_file(tmp_path: Path):
    from tests.support.http_server import Route, serve

    routes: dict[str, Route] = {}
    with serve(routes) as server:
        link = server.url("/v1/translate-ja_en-1_7.argosmodel")  # not served: 404
        routes["/index.json"] = Route(json.dumps([
            {"from_code": "ja", "to_code": "en", "package_version": "1.7",
             "links": ["ipfs://QmNotHttp", link]}]).encode())
        env = {**argos_env(tmp_path / "argos"), "ARGOS_PACKAGE_INDEX": server.url("/")}
        result = run_cli("models", "install", "ja", "en", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"download of {link} failed" in result.stderr
    assert "run 'kakehashi models install --file translate-ja_en-1_7.argosmodel'" \
        in result.stderr


def test_package_file_names_follow_the_index():
    from bot.translate.packages import package_file_name

    assert package_file_name("ja", "en") == FILE
    assert package_file_name("de", "en", "1.3") == "translate-de_en-1_3.argosmodel"
    assert package_file_name("zh", "en") == "translate-zh_en-<version>.argosmodel"


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi().start()
    calls: list[str] = []
    handle = server.handle

    def counted(path: str, content_type: str, raw: str) -> tuple[int, dict[str, Any]]:
        calls.append(path)
        return handle(path, content_type, raw)

    server.handle = counted  # type: ignore[method-assign]
    server.calls = calls  # type: ignore[attr-defined]
    yield server
    server.stop()


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_demo_never_sends_to_telegram(api: FakeBotApi, tmp_path: Path):
    env = {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_CHAT_ID": "@kakehashi_test",
           "TELEGRAM_API_BASE_URL": api.base_url}
    # The same server does count a real run's requests: the zero below means something.
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ROOT / "seeds" / "01_web_copy.txt", folder)
    sent = run_cli("once", "--seeds", str(folder), "--out", str(tmp_path / "o"),
                   "--state", str(tmp_path / "s.sqlite3"), env=env)
    assert sent.returncode == 0 and api.calls  # type: ignore[attr-defined]
    api.calls.clear()  # type: ignore[attr-defined]

    result = run_cli("demo", "--out", str(tmp_path / "demo"), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert api.calls == []  # type: ignore[attr-defined]
    assert "the demo writes previews only: TELEGRAM_BOT_TOKEN is not used" in result.stderr
    previews = sorted((tmp_path / "demo" / "telegram").glob("*.html"))
    assert previews and api.token not in result.stderr
