"""Editions' deliveries stand apart: a sender killed in the middle of one edition's delivery
leaves the other editions' messages as they were, and `status` and `release --messages`
name each edition's messages by its channel. Real processes and the fake Bot API."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.fake_bot_api import FakeBotApi
from tests.support.processes import kill, once_args, start
from tests.test_editions import ASIA_CHAT, DOCS, EDITIONS, RAIL_CHAT, write_docs


def statuses(state: Path) -> dict[str, list[str]]:
    with sqlite3.connect(state) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        found: dict[str, list[str]] = {}
        for channel, status in conn.execute(
                "SELECT channel, status FROM deliveries ORDER BY channel, digest_id, part"):
            found.setdefault(channel, []).append(status)
        return found


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_kill_in_one_editions_delivery_leaves_the_others_untouched(
        api: FakeBotApi, tmp_path: Path) -> None:
    write_docs(tmp_path / "seeds", DOCS)
    config = tmp_path / "k.toml"
    config.write_text('[telegram]\nuncertain = "hold"\n' + EDITIONS, encoding="utf-8")
    env = {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url}
    args = once_args(tmp_path, "--config", str(config))
    state = tmp_path / "state.sqlite3"
    api.hold()  # the rail edition's first message arrives; its answer waits for the kill
    process = start(args, env)
    api.wait_held(timeout=120, alive=lambda: process.poll() is None)
    kill(process)
    api.release()
    before = statuses(state)
    assert before["telegram.rail"][0] == "sending"
    assert set(before["telegram.asia"]) == {"pending"}  # untouched by the kill
    assert api.sent_to(ASIA_CHAT) == []

    result = run_cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    after = statuses(state)
    assert after["telegram.rail"][0] == "held"  # telegram.uncertain = "hold", per edition
    assert set(after["telegram.asia"]) == {"sent"}
    assert len(api.sent_to(ASIA_CHAT)) == len(after["telegram.asia"])  # each once
    assert api.duplicates() == {}

    shown = run_cli("status", "--state", str(state), "--config", str(config))
    assert shown.returncode == 0, shown.stderr
    assert "telegram.rail:1:1 · digest #1 part 1 (telegram.rail)" in shown.stdout
    assert "  rail (telegram.rail): digest #1, 0 article(s) waiting; messages: 0 pending, " \
           "1 held" in shown.stdout
    data = json.loads(run_cli("status", "--json", "--state", str(state), "--config",
                              str(config)).stdout)
    standing = {e["name"]: e for e in data["editions"]}
    assert standing["rail"]["held_messages"] == 1 and standing["rail"]["last_digest"] == 1
    assert standing["asia"]["held_messages"] == 0 and standing["asia"]["pending_messages"] == 0
    assert standing["default"]["last_digest"] == 1

    released = run_cli("release", "--messages", "telegram.rail:1:1", "--state", str(state))
    assert released.returncode == 0, released.stderr
    assert run_cli(*args, env=env).returncode == 0
    assert set(statuses(state)["telegram.rail"]) == {"sent"}
    first = api.sent_to(RAIL_CHAT)[0]
    assert api.sent_to(RAIL_CHAT).count(first) == 2  # held, released, sent again
