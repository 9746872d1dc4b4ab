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


@pytest.mark.slow
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
    # A delivery problem, not a crash; a malformed Bot API URL is a configuration error.
    expected = (2,) if setup == "invalid_port_in_url" else (0, 1)
    assert result.returncode in expected, result.stderr[-2000:]
    assert "Traceback" not in result.stderr or debug
    status = completed(["status", "--state", str(paths.state)], env)
    check_no_token(tmp_path, result.stdout, result.stderr, status.stdout, status.stderr)


@pytest.mark.parametrize("debug", ["", "1"], ids=["plain", "debug"])
def test_an_internal_error_quoting_the_token_is_shown_without_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        debug: str) -> None:
    import bot.state.status
    from bot.cli.main import main

    def broken(config: object) -> list[str]:
        raise RuntimeError(f"cannot reach http://127.0.0.1:1/bot{TOKEN}/getMe")

    monkeypatch.setattr(bot.state.status, "status_lines", broken)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("KAKEHASHI_DEBUG", debug)
    assert main(["status", "--state", str(tmp_path / "s.sqlite3")]) == 70
    err = capsys.readouterr().err
    assert SECRET not in err and "RuntimeError: cannot reach http://127.0.0.1:1/bot<" in err
    assert ("Traceback" in err) == bool(debug)


CREDENTIALED_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>ニュース</title><link>https://news.example/</link>
<description>d</description>
<item><title>{title}</title><link>https://reader:LINKPASS-7@news.example/a/1</link>
<description>{body}</description></item>
</channel></rss>"""


@pytest.mark.slow
def test_credentials_in_urls_are_shown_nowhere(tmp_path: Path) -> None:
    from tests.reliability.helpers import good_doc, normalized
    from tests.support.http_server import Route, serve

    paths = Paths.under(tmp_path)
    paths.seeds.mkdir(parents=True, exist_ok=True)
    doc = good_doc(3010)
    rss = CREDENTIALED_RSS.format(title=doc.title, body="".join(doc.text.splitlines()[1:]))
    routes = {"/feed.xml": Route(rss.encode(), headers={"Content-Type": "application/rss+xml"}),
              "/down.xml": Route(b"down", 500)}
    with serve(routes) as server:
        feeds = [server.url(path).replace("http://", "http://feeder:FEEDPASS-9@")
                 for path in ("/feed.xml", "/down.xml")]
        config = tmp_path / "k.toml"
        config.write_text(f"[sources]\nsettle_seconds = 0\nfeeds = {feeds!r}\n".replace(
            "'", '"'), encoding="utf-8")
        result = completed(paths.once_args(config), {}, timeout=120)
        status = completed(["status", "--state", str(paths.state), "--config", str(config)], {})
    assert result.returncode == 0, result.stderr[-2000:]
    assert server.requests.count("/feed.xml") == 1  # fetched with its credentials
    assert f"{server.url('/down.xml')} (1 failure(s) in a row)" in status.stdout
    published = [path.read_text(encoding="utf-8") for path in paths.out.rglob("*")
                 if path.is_file() and path.suffix in (".xml", ".html")]
    assert len(published) >= 4
    assert any(normalized(doc.title) in normalized(text) for text in published)
    # The entry's link, which carries credentials, is dropped; pages name no internal source.
    for text in (result.stdout, result.stderr, status.stdout, status.stderr, *published):
        assert "FEEDPASS" not in text and "LINKPASS" not in text and "feeder" not in text
