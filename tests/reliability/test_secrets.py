"""The bot token never shows: not in output or errors (KAKEHASHI_DEBUG=1 included), not in the
state file, not in OUT, not in a temp file, whatever the Bot API server answers."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability.conftest import TOKEN, telegram_env
from tests.reliability.helpers import SECRET, Paths, check_no_token, completed, write_good
from tests.support.fake_bot_api import FakeBotApi, Fault

pytestmark = pytest.mark.usefixtures("installed_model")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


Setup = Callable[[FakeBotApi], dict[str, str]]


def _env(api: FakeBotApi) -> dict[str, str]:
    return telegram_env(api)


def _other_token(api: FakeBotApi) -> dict[str, str]:
    api.token = "654321:THE-SERVERS-OWN"  # the server knows another token: 401 for ours
    return {**telegram_env(api), "TELEGRAM_BOT_TOKEN": TOKEN}


def _all(status: int) -> Setup:
    def setup(api: FakeBotApi) -> dict[str, str]:
        api.fail_all = status
        return telegram_env(api)
    return setup


def _send_fault(*faults: Fault) -> Setup:
    def setup(api: FakeBotApi) -> dict[str, str]:
        api.script.extend(faults)
        return telegram_env(api)
    return setup


def _refused(api: FakeBotApi) -> dict[str, str]:
    return {**telegram_env(api),
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{_closed_port()}/bot"}


def _bad_url(api: FakeBotApi) -> dict[str, str]:
    return {**telegram_env(api), "TELEGRAM_API_BASE_URL": "http://127.0.0.1:99999/bot"}


def _echoing(setup: Setup) -> Setup:
    def echoing(api: FakeBotApi) -> dict[str, str]:
        api.echo_path = True
        return setup(api)
    return echoing


SETUPS: dict[str, Setup] = {
    "delivered": _env,
    "401_unauthorized": _other_token,
    "404_everywhere": _all(404),
    "500_everywhere": _all(500),
    "500_on_send": _send_fault(Fault.error(500, "Internal Server Error")),
    "400_rejected": _send_fault(Fault.error(400, "Bad Request: message is too long")),
    "429_retry_after_120": _send_fault(Fault.error(429, "Too Many Requests: retry after 120",
                                                   120)),
    "connection_dropped": _send_fault(Fault("drop")),
    "connection_refused": _refused,
    "invalid_port_in_url": _bad_url,
    "404_quoting_the_url": _echoing(_all(404)),
    "500_quoting_the_url": _echoing(_all(500)),
    "400_on_send_quoting_the_url": _echoing(_send_fault(Fault.error(400, "Bad Request"))),
    "429_on_send_quoting_the_url": _echoing(_send_fault(Fault.error(429, "Flood", 120))),
}
# KAKEHASHI_DEBUG=1 prints more (tracebacks) than a plain run: every setup runs with it, and
# these without it too.
PLAIN = ("connection_refused", "400_on_send_quoting_the_url")


@pytest.mark.parametrize(("setup", "debug"), [
    *(pytest.param(name, "1", id=f"{name}-debug") for name in SETUPS),
    *(pytest.param(name, "", id=f"{name}-plain") for name in PLAIN)])
def test_the_token_never_shows(tmp_path: Path, api: FakeBotApi, setup: str, debug: str) -> None:
    paths = Paths.under(tmp_path)
    write_good(paths.seeds, 3000)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**SETUPS[setup](api), "KAKEHASHI_DEBUG": debug, "TMPDIR": str(temp)}
    # Failures are retried within the run, as they should be, but briefly here.
    config = tmp_path / "short-retries.toml"
    config.write_text("[telegram]\nretry_budget_seconds = 3\nretry_max_seconds = 1\n",
                      encoding="utf-8")
    result = completed(paths.once_args(config), env, timeout=120)
    assert result.returncode in (0, 1), result.stderr[-2000:]  # a delivery problem, not a crash
    assert "Traceback" not in result.stderr or debug
    status = completed(["status", "--state", str(paths.state)], env)
    check_no_token(tmp_path, result.stdout, result.stderr, status.stdout, status.stderr)


@pytest.mark.parametrize("debug", ["", "1"], ids=["plain", "debug"])
def test_an_internal_error_quoting_the_token_is_shown_without_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        debug: str) -> None:
    import bot.status
    from bot.cli import main

    def broken(config: object) -> list[str]:
        raise RuntimeError(f"cannot reach http://127.0.0.1:1/bot{TOKEN}/getMe")

    monkeypatch.setattr(bot.status, "status_lines", broken)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("KAKEHASHI_DEBUG", debug)
    assert main(["status", "--state", str(tmp_path / "s.sqlite3")]) == 70
    err = capsys.readouterr().err
    assert SECRET not in err and "RuntimeError: cannot reach http://127.0.0.1:1/bot<" in err
    assert ("Traceback" in err) == bool(debug)
