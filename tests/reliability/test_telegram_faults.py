"""Telegram faults played by the fake Bot API server: errors, flood waits, dropped connections
and answers later than the client's timeout. A send that surely failed is sent again exactly
once; a send whose fate is unknown follows `telegram.uncertain` (resend: at most one message
twice; hold: nothing twice); a long flood wait is remembered by the next run; a rejected
message is shown by `status`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.reliability.conftest import telegram_env
from tests.reliability.helpers import (
    GoodDoc,
    Paths,
    check_no_token,
    completed,
    normalized,
    write_config,
    write_good,
)
from tests.support.fake_bot_api import FakeBotApi, Fault

pytestmark = pytest.mark.usefixtures("installed_model")


def _setup(tmp_path: Path, first: int) -> tuple[Paths, list[GoodDoc]]:
    paths = Paths.under(tmp_path)
    return paths, [write_good(paths.seeds, first + i) for i in range(12)]  # three messages


def _run(paths: Paths, api: FakeBotApi, config: Path | None = None) -> int:
    # Debug output on, temp files kept where they can be searched: the token must be in
    # neither, whatever the fault (see test_secrets).
    env = {**telegram_env(api), "KAKEHASHI_DEBUG": "1", "TMPDIR": str(paths.seeds.parent)}
    result = completed(paths.once_args(config), env)
    check_no_token(paths.seeds.parent, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.returncode in (0, 1), result.stderr[-2000:]  # 1: delivery failed, retry later
    return result.returncode


def _all_delivered(api: FakeBotApi, docs: list[GoodDoc]) -> None:
    delivered = normalized("\n".join(api.texts()))
    assert [d.title for d in docs if normalized(d.title) not in delivered] == []


@pytest.mark.slow
@pytest.mark.parametrize("fault", [Fault.error(500, "Internal Server Error"), Fault("drop"),
                                   Fault.error(502, "Bad Gateway")],
                         ids=["500", "dropped_before_delivery", "502"])
def test_a_send_that_surely_failed_is_sent_again_exactly_once(
        tmp_path: Path, api: FakeBotApi, fault: Fault) -> None:
    paths, docs = _setup(tmp_path, 3100 + 20 * len(fault.kind))
    api.script.append(fault)
    assert _run(paths, api) == 0  # retried within the run: one failure does not fail it
    assert api.duplicates() == {}
    _all_delivered(api, docs)
    assert api.attempts == len(api.messages) + 1
    assert _run(paths, api) == 0 and api.attempts == len(api.messages) + 1


@pytest.mark.slow
def test_a_persistent_500_leaves_the_rest_queued_within_the_budget(
        tmp_path: Path, api: FakeBotApi) -> None:
    paths, docs = _setup(tmp_path, 3500)
    config = write_config(tmp_path / "budget.toml", "[telegram]\nretry_budget_seconds = 3\n"
                          "retry_base_seconds = 0.5\nretry_max_seconds = 1\n")
    api.script.extend([Fault.error(500, "Internal Server Error")] * 1000)
    env = {**telegram_env(api), "TMPDIR": str(paths.seeds.parent)}
    api.attempt_times.clear()
    result = completed(paths.once_args(config), env)
    assert result.returncode == 1, result.stderr[-2000:]
    # Kept trying until within one cap (1 s) of the budget: a load can only lengthen this.
    assert api.attempt_times[-1] - api.attempt_times[0] >= 3.0 - 1.0
    waited = [float(line.split("trying again in ")[1].split()[0])
              for line in result.stderr.splitlines() if "trying again in " in line]
    assert sum(waited) <= 3.0, result.stderr[-2000:]  # and gave up before passing the budget
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("kakehashi: error: telegram: NetworkError: Internal Server Error")
    assert last.endswith("the rest stays queued for the next run")
    assert "Traceback" not in result.stderr and api.messages == []
    shown = completed(["status", "--state", str(paths.state)])
    with sqlite3.connect(paths.state) as conn:
        (queued,) = conn.execute("SELECT count(*) FROM deliveries WHERE status='pending'"
                                 ).fetchone()
    assert queued >= 2 and f"undelivered: {queued}" in shown.stdout, shown.stdout
    api.script.clear()
    assert _run(paths, api, config) == 0
    _all_delivered(api, docs)


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["resend", "hold"])
@pytest.mark.parametrize("fault", [Fault("delay", seconds=7), Fault("drop_after")],
                         ids=["answered_after_the_timeout", "dropped_after_delivery"])
def test_an_uncertain_send_follows_the_policy(tmp_path: Path, api: FakeBotApi, fault: Fault,
                                              policy: str) -> None:
    paths, docs = _setup(tmp_path, 3200 + 20 * len(fault.kind) + len(policy))
    # resend is the default: its run uses no config file, so it also checks the default.
    config = (write_config(tmp_path / "hold.toml", '[telegram]\nuncertain = "hold"\n')
              if policy == "hold" else None)
    api.script.append(fault)
    _run(paths, api, config)
    uncertain = (telegram_env(api)["TELEGRAM_CHAT_ID"], str(api.messages[0]["text"]))
    assert _run(paths, api, config) == 0
    if policy == "resend":
        assert set(api.duplicates()) <= {uncertain}, "a message outside the window came twice"
        assert max(api.received.values()) <= 2
    else:
        assert api.duplicates() == {}
    _all_delivered(api, docs)


@pytest.mark.slow
def test_a_long_flood_wait_is_remembered_by_the_next_run(tmp_path: Path,
                                                         api: FakeBotApi) -> None:
    paths, _docs = _setup(tmp_path, 3300)
    api.script.append(Fault.error(429, "Too Many Requests: retry after 120", 120))
    _run(paths, api)
    tried = api.attempts
    _run(paths, api)
    assert api.attempts == tried, "the next run asked again before retry_after had passed"


@pytest.mark.slow
def test_a_rejected_message_is_shown_by_status(tmp_path: Path, api: FakeBotApi) -> None:
    paths, _docs = _setup(tmp_path, 3400)
    api.script.append(Fault.error(400, "Bad Request: message is too long"))
    assert _run(paths, api) == 0
    status = completed(["status", "--state", str(paths.state)])
    assert status.returncode == 0
    assert "message is too long" in status.stdout.lower(), status.stdout
