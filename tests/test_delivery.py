"""Delivery semantics: uncertain sends, flood waits, the job lock, and what `status` shows.

Real processes against the fake Bot API server; faults are scripted in the server.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.support.fake_bot_api import FakeBotApi
from tests.support.processes import kill, make_folder, once_args, start


def telegram_env(api: FakeBotApi) -> dict[str, str]:
    return api.env("@kakehashi_test")


def config_file(tmp_path: Path, **telegram: str) -> list[str]:
    path = tmp_path / "k.toml"
    lines = ["[sources]", "settle_seconds = 0", "[schedule]", "lock_wait_seconds = 1",
             "[telegram]", *[f'{key} = "{value}"' for key, value in telegram.items()]]
    path.write_text("\n".join(lines) + "\n")
    return ["--config", str(path)]


def status(tmp_path: Path) -> str:
    result = run_cli("status", "--state", str(tmp_path / "state.sqlite3"))
    assert result.returncode == 0, result.stderr
    return result.stdout


def statuses(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "state.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [s for (s,) in conn.execute("SELECT status FROM deliveries ORDER BY rowid")]


def first_text(api: FakeBotApi) -> str:
    return str(api.messages[0]["text"])


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_timed_out_send_is_sent_again_under_resend(api: FakeBotApi, tmp_path: Path):
    make_folder(tmp_path)
    api.stalls.append(8.0)  # longer than python-telegram-bot's 5 s read timeout
    args = once_args(tmp_path, *config_file(tmp_path, uncertain="resend"))
    result = run_cli(*args, env=telegram_env(api))
    # Resent within the run, after a backoff: the run still delivers everything.
    assert result.returncode == 0, result.stderr
    assert "may or may not have arrived: the send timed out" in result.stderr
    assert "; trying again in" in result.stderr
    counts = api.counts()
    assert counts[first_text(api)] == 2  # the documented window: that one message
    assert [n for text, n in counts.items() if text != first_text(api)] == [1] * (
        len(counts) - 1)
    assert set(statuses(tmp_path)) == {"sent"}
    assert run_cli(*args, env=telegram_env(api)).returncode == 0
    assert api.counts() == counts


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_timed_out_send_is_held_until_released(api: FakeBotApi, tmp_path: Path):
    make_folder(tmp_path)
    api.stalls.append(8.0)
    args = once_args(tmp_path, *config_file(tmp_path, uncertain="hold"))
    result = run_cli(*args, env=telegram_env(api))
    # Held, and the rest goes out in the same run.
    assert result.returncode == 0, result.stderr
    assert set(api.counts().values()) == {1}  # held: never a duplicate
    assert statuses(tmp_path)[0] == "held" and len(api.messages) == len(statuses(tmp_path))
    assert set(statuses(tmp_path)[1:]) <= {"sent"}
    assert run_cli(*args, env=telegram_env(api)).returncode == 0
    assert set(api.counts().values()) == {1}
    shown = status(tmp_path)
    assert "messages held: they may have arrived" in shown
    assert "digest #1 part 1: uncertain: may have arrived: the send timed out" in shown
    assert "undelivered: 1" in shown

    released = run_cli("release", "--messages", "1:1",
                       "--state", str(tmp_path / "state.sqlite3"))
    assert released.returncode == 0 and "released 1 message(s)" in released.stdout
    assert run_cli(*args, env=telegram_env(api)).returncode == 0
    assert api.counts()[first_text(api)] == 2 and set(statuses(tmp_path)) == {"sent"}


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
@pytest.mark.parametrize("policy", ["hold", "resend"])
def test_killed_between_send_and_record(api: FakeBotApi, tmp_path: Path, policy: str):
    make_folder(tmp_path)
    api.hold()  # the first message counts as delivered; its answer waits for the kill
    args = once_args(tmp_path, *config_file(tmp_path, uncertain=policy))
    process = start(args, telegram_env(api))
    api.wait_held(timeout=120, alive=lambda: process.poll() is None)
    kill(process)  # alive, and died of the signal
    api.release()
    assert statuses(tmp_path)[0] == "sending"
    assert "messages being sent (or whose sender stopped mid-send):" in status(tmp_path)
    result = run_cli(*args, env=telegram_env(api))
    assert result.returncode == 0, result.stderr
    assert "stopped while sending it at" in result.stderr
    expected = 1 if policy == "hold" else 2
    assert api.counts()[first_text(api)] == expected
    assert sorted(api.counts().values())[:-1] == [1] * (len(api.counts()) - 1)
    assert statuses(tmp_path)[0] == ("held" if policy == "hold" else "sent")


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_long_flood_wait_is_remembered_by_the_next_run(api: FakeBotApi, tmp_path: Path):
    make_folder(tmp_path)
    api.faults.append((429, "Too Many Requests: retry after 120", 120))
    args = once_args(tmp_path, *config_file(tmp_path))
    result = run_cli(*args, env=telegram_env(api))
    assert result.returncode == 1 and "rate-limited for 120 s" in result.stderr
    result = run_cli(*args, env=telegram_env(api))
    assert result.returncode == 0, result.stderr
    assert "telegram asked us to wait" in result.stderr and api.messages == []
    assert "nothing is sent before" in status(tmp_path)
    with sqlite3.connect(tmp_path / "state.sqlite3") as conn:  # two minutes later
        conn.execute("UPDATE deliveries SET not_before = not_before - 121")
    assert run_cli(*args, env=telegram_env(api)).returncode == 0
    assert api.messages and set(api.counts().values()) == {1}
    assert set(statuses(tmp_path)) == {"sent"}


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_status_lists_a_rejected_message_with_its_reason(api: FakeBotApi, tmp_path: Path):
    make_folder(tmp_path)
    api.faults.append((400, "Bad Request: message is too long", None))
    assert run_cli(*once_args(tmp_path), env=telegram_env(api)).returncode == 0
    shown = status(tmp_path)
    assert "messages Telegram rejected (not sent; the rest went on):" in shown
    assert "  digest #1 part 1: Message is too long" in shown


def hold_lock(state: Path, owner: str) -> int:
    fd = os.open(f"{state}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, owner.encode())
    return fd


@pytest.mark.usefixtures("installed_model")
def test_a_job_gives_up_waiting_with_one_line(tmp_path: Path):
    make_folder(tmp_path)
    state = tmp_path / "state.sqlite3"
    fd = hold_lock(state, f"{os.getpid()} kakehashi run\n")
    try:
        # It gives up after its own bound (run_cli's 300 s timeout would catch a hang).
        result = run_cli(*once_args(tmp_path, *config_file(tmp_path)))
        looked = run_cli("status", "--state", str(state))  # never waits for the lock
    finally:
        os.close(fd)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"kakehashi: error: another Kakehashi process (pid {os.getpid()}, "
                           f"kakehashi run) is working on {state}; it still was after 1 s "
                           "(schedule.lock_wait_seconds)")
    assert "Traceback" not in result.stderr and not state.exists()
    assert looked.returncode == 0 and "no state yet" in looked.stdout


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_lock_left_by_a_killed_process_is_not_in_the_way(tmp_path: Path):
    make_folder(tmp_path)
    state = tmp_path / "state.sqlite3"
    script = ("import sys, time; from pathlib import Path\n"
              "from bot.state.lock import hold_state_lock\n"
              "with hold_state_lock(Path(sys.argv[1]), 0):\n"
              "    print('held', flush=True); time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", script, str(state)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    kill(holder)
    holder.stdout.close()
    assert (tmp_path / "state.sqlite3.lock").read_text().startswith(f"{holder.pid} ")
    result = run_cli(*once_args(tmp_path, *config_file(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert "waiting for another" not in result.stderr
