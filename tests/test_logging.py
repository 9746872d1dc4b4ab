"""Logs: one line per event with a UTC timestamp and a level; --quiet, --verbose, [log];
no bot token in any line; no progress-bar frames when stderr is not a terminal."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
from pathlib import Path

import pytest

from bot.cli import log
from tests.conftest import ROOT, argos_env, run_cli
from tests.support.fake_bot_api import FakeBotApi

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (DEBUG|INFO|WARNING|ERROR) \S")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    seeds = tmp_path / "in"
    seeds.mkdir()
    shutil.copy(ROOT / "seeds" / "01_web_copy.txt", seeds)
    return seeds


def run_once(folder: Path, *options: str, env: dict[str, str] | None = None,
             before: tuple[str, ...] = ()) -> tuple[int, str, str]:
    out = folder.parent
    result = run_cli(*before, "once", "--seeds", str(folder), "--out", str(out / "out"),
                     "--state", str(out / "state.sqlite3"), *options, env=env)
    return result.returncode, result.stdout, result.stderr


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kakehashi.toml"
    path.write_text("[sources]\nsettle_seconds = 0\n" + text, encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_every_line_has_a_timestamp_and_a_level(folder: Path):
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    code, stdout, stderr = run_once(folder)
    assert code == 0, stderr
    assert stdout == ""  # a run's events are logged, not printed as results
    lines = stderr.splitlines()
    assert len(lines) >= 4
    assert all(LINE.match(line) for line in lines), stderr
    assert any(re.search(r" WARNING skipped broken\.pdf: ", line) for line in lines), stderr
    assert any(" INFO digest #1 published to " in line for line in lines), stderr


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_keeps_warnings_only(folder: Path, where: str):
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    code, _, stderr = run_once(folder, *(["-q"] if where == "after" else []),
                               before=("--quiet",) if where == "before" else ())
    assert code == 0, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and " WARNING skipped broken.pdf: " in lines[0], stderr
    assert (folder.parent / "out" / "feed.xml").is_file()  # quiet, not idle


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_log_section_sets_level_and_json_format(folder: Path, tmp_path: Path):
    config = config_file(tmp_path, '[log]\nlevel = "debug"\nformat = "json"\n')
    code, _, stderr = run_once(folder, "--config", str(config))
    assert code == 0, stderr
    records = [json.loads(line) for line in stderr.splitlines()]
    assert records and all(set(r) == {"time", "level", "logger", "message"} for r in records)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["time"]) for r in records)
    assert any(r["message"].startswith("digest #1 published") for r in records)
    # --quiet wins over the file's level.
    again = run_cli("status", "--config", str(config), "--state", str(tmp_path / "nope"), "-q")
    assert again.returncode == 0 and again.stderr == ""


@pytest.mark.parametrize("bad", ['[log]\nlevel = "loud"', '[log]\nformat = "xml"',
                                 '[log]\ncolour = true'])
def test_bad_log_settings_are_refused(tmp_path: Path, bad: str):
    result = run_cli("status", "--config", str(config_file(tmp_path, bad + "\n")))
    assert result.returncode == 2
    assert result.stderr.startswith("kakehashi: error: config: ") and \
        result.stderr.count("\n") == 1



def telegram_env(api: FakeBotApi) -> dict[str, str]:
    return api.env("@kakehashi_test")


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_verbose_shows_library_logs_with_the_token_blanked(folder: Path, api: FakeBotApi):
    code, _, stderr = run_once(folder, "--verbose", env=telegram_env(api))
    assert code == 0, stderr
    assert api.messages
    requests = [line for line in stderr.splitlines() if "HTTP Request: POST" in line]
    assert requests, stderr  # httpx logged each request, URL and all...
    secret = api.token.partition(":")[2]
    assert api.token not in stderr and secret not in stderr  # ...without the token
    assert all("/bot<TELEGRAM_BOT_TOKEN>/" in line for line in requests), requests


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_library_request_logs_are_quiet_by_default(folder: Path, api: FakeBotApi):
    code, _, stderr = run_once(folder, env=telegram_env(api))
    assert code == 0, stderr
    assert api.messages
    assert "HTTP Request" not in stderr and api.token not in stderr
    assert all(LINE.match(line) for line in stderr.splitlines()), stderr


def test_formatter_blanks_the_token_in_messages_and_tracebacks():
    token = "123456:SECRET-abcdefgh"
    stream = io.StringIO()
    log.configure(logging.INFO, token=token, stream=stream)
    try:
        logging.getLogger("httpx").warning("POST https://api.telegram.org/bot%s/send", token)
        try:
            raise RuntimeError(f"failed at /bot{token}/getMe")
        except RuntimeError:
            logging.getLogger("telegram.ext").exception("network")
    finally:
        log.configure(logging.WARNING, stream=io.StringIO())
    text = stream.getvalue()
    assert token not in text and "SECRET-abcdefgh" not in text
    lines = text.splitlines()
    assert len(lines) == 2  # a traceback stays on its event's line
    assert "Traceback" in lines[1] and "RuntimeError" in lines[1]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_download_progress_is_a_bar_on_a_terminal_and_lines_elsewhere(
        caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO, logger="kakehashi")
    screen = Terminal()
    bar = log.download_progress("translate-ja_en", screen)
    assert bar is not None
    for done in range(0, 1001, 100):
        bar(done * 1000, 1_000_000)
    assert screen.getvalue().count("\r") == 11 and screen.getvalue().endswith("1.0 MB\n")

    piped = io.StringIO()
    lines = log.download_progress("translate-ja_en", piped)
    assert lines is not None
    for done in range(0, 1_000_001, 65536):
        lines(done, 1_000_000)
    lines(1_000_000, 1_000_000)
    assert piped.getvalue() == ""  # no frames: log records instead
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "downloading translate-ja_en: 0%, 0.0/1.0 MB"
    assert messages[-1] == "downloading translate-ja_en: 100%, 1.0/1.0 MB"
    assert len(messages) == 11

    caplog.clear()
    unknown = log.download_progress("translate-ja_en", io.StringIO())
    assert unknown is not None
    for done in range(0, 35_000_001, 1_000_000):  # no Content-Length: every 10 MB
        unknown(done, 0)
    unknown(35_000_000, 35_000_000)  # the end, once the size is known
    assert [r.getMessage() for r in caplog.records] == [
        "downloading translate-ja_en: 0.0 MB", "downloading translate-ja_en: 10.0 MB",
        "downloading translate-ja_en: 20.0 MB", "downloading translate-ja_en: 30.0 MB",
        "downloading translate-ja_en: 100%, 35.0/35.0 MB"]


def test_model_download_through_a_pipe_has_no_carriage_returns(
        tiny_package: Path, tmp_path: Path):
    from tests.support.http_server import Route, serve

    routes = {"/v1/translate-ja_en-1_1.argosmodel": Route(tiny_package.read_bytes())}
    with serve(routes) as server:
        index = [{"type": "translate", "from_code": "ja", "to_code": "en",
                  "package_version": "1.1",
                  "links": [server.url("/v1/translate-ja_en-1_1.argosmodel")]}]
        routes["/index.json"] = Route(json.dumps(index).encode())
        env = {**argos_env(tmp_path / "argos"), "ARGOS_PACKAGE_INDEX": server.url("/")}
        result = run_cli("models", "install", "ja", "en", env=env)
        quiet = run_cli("models", "install", "ja", "en", "-q", env=env)
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr
    lines = result.stderr.splitlines()
    assert all(LINE.match(line) for line in lines), result.stderr
    assert lines[-1].endswith("INFO downloading translate-ja_en: 100%, " +
                              f"{len(tiny_package.read_bytes()) / 1e6:.1f}/"
                              f"{len(tiny_package.read_bytes()) / 1e6:.1f} MB")
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert quiet.stdout.startswith("installed translate-ja_en 1.1")
