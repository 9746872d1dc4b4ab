"""Two processes on one state file: every message reaches Telegram exactly once.

Real `python -m bot` processes, real SQLite, the real python-telegram-bot against the fake Bot
API server, which takes a while over each message so that the processes overlap.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.support.fake_bot_api import FakeBotApi

SEEDS = ("01_web_copy.txt", "02_newsletter_pdf.txt", "03_windows_memo.txt", "04_report.md")


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi(delay_seconds=0.3).start()
    yield server
    server.stop()


def make_folder(tmp_path: Path, names: tuple[str, ...] = SEEDS) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(ROOT / "seeds" / name, seeds)
    return seeds


def telegram_env(api: FakeBotApi) -> dict[str, str]:
    return api.env("@kakehashi_test")


def once_args(tmp_path: Path, *extra: str) -> list[str]:
    return ["once", "--seeds", str(tmp_path / "seeds"), "--out", str(tmp_path / "out"),
            "--state", str(tmp_path / "state.sqlite3"), *extra]


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """`python -m bot ARGS` in the background, as a second user or cron would start it."""
    return subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=ROOT, text=True,
                            env={**os.environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        _, stderr = process.communicate(timeout=240)
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, stderr


def outbox_rows(state: Path) -> list[tuple[int, int, str]]:
    with sqlite3.connect(state) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return list(conn.execute(
            "SELECT digest_id, part, status FROM deliveries ORDER BY digest_id, part"))


def assert_each_sent_once(api: FakeBotApi, state: Path) -> None:
    counts = api.counts()
    assert counts and set(counts.values()) == {1}, [n for n in counts.values() if n > 1]
    rows = outbox_rows(state)
    assert [status for _, _, status in rows] == ["sent"] * len(rows)
    assert len(rows) == len(api.messages)


@pytest.mark.usefixtures("installed_model")
def test_two_once_started_together_on_a_fresh_state_file(api: FakeBotApi, tmp_path: Path):
    make_folder(tmp_path)
    first = start(once_args(tmp_path), telegram_env(api))
    second = start(once_args(tmp_path), telegram_env(api))
    (code1, err1), (code2, err2) = finish(first), finish(second)
    assert (code1, code2) == (0, 0), err1 + err2
    assert "Traceback" not in err1 + err2
    assert_each_sent_once(api, tmp_path / "state.sqlite3")
    assert len(api.messages) >= 3


@pytest.mark.usefixtures("installed_model")
def test_two_once_started_together_on_an_existing_state_file(api: FakeBotApi,
                                                             tmp_path: Path):
    make_folder(tmp_path, SEEDS[:1])
    assert run_cli(*once_args(tmp_path), env=telegram_env(api)).returncode == 0
    make_folder(tmp_path, SEEDS[1:])
    first = start(once_args(tmp_path), telegram_env(api))
    second = start(once_args(tmp_path), telegram_env(api))
    (code1, err1), (code2, err2) = finish(first), finish(second)
    assert (code1, code2) == (0, 0), err1 + err2
    assert_each_sent_once(api, tmp_path / "state.sqlite3")
    assert len({d for d, _, _ in outbox_rows(tmp_path / "state.sqlite3")}) == 2


@pytest.mark.usefixtures("installed_model")
def test_a_once_started_while_another_sends_waits_for_it(api: FakeBotApi, tmp_path: Path):
    api.delay_seconds = 1.0
    make_folder(tmp_path)
    first = start(once_args(tmp_path), telegram_env(api))
    deadline = time.monotonic() + 120
    while not api.messages and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.05)
    assert api.messages, "the first process sent nothing"
    second = start(once_args(tmp_path), telegram_env(api))
    (code1, err1), (code2, err2) = finish(first), finish(second)
    assert (code1, code2) == (0, 0), err1 + err2
    assert f"waiting for another Kakehashi process (pid {first.pid}, kakehashi once)" in err2
    assert "nothing new" in err2
    assert_each_sent_once(api, tmp_path / "state.sqlite3")


@pytest.mark.usefixtures("installed_model")
def test_run_and_a_manual_once_send_each_message_once(api: FakeBotApi, tmp_path: Path):
    api.delay_seconds = 0.5
    make_folder(tmp_path)
    config = tmp_path / "k.toml"
    config.write_text("[sources]\nsettle_seconds = 0\n[schedule]\ninterval_minutes = 60\n")
    args = ["--config", str(config)]
    worker = start(["run", *once_args(tmp_path)[1:], *args], telegram_env(api))
    try:
        deadline = time.monotonic() + 120
        while not api.messages and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.05)
        manual = run_cli(*once_args(tmp_path, *args), env=telegram_env(api))
        assert manual.returncode == 0, manual.stderr
    finally:
        worker.send_signal(signal.SIGTERM)
        code, stderr = finish(worker)
    assert code == 0, stderr
    assert_each_sent_once(api, tmp_path / "state.sqlite3")


def test_a_fresh_state_file_opened_by_several_processes_at_once(tmp_path: Path):
    state = tmp_path / "state.sqlite3"
    script = "import sys; from bot.state.store import Store; Store.open(sys.argv[1]).close()"
    processes = [subprocess.Popen([sys.executable, "-c", script, str(state)], cwd=ROOT,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [(p.wait(timeout=60), p.stderr.read() if p.stderr else "") for p in processes]
    for process in processes:
        if process.stderr:
            process.stderr.close()
    assert [code for code, _ in results] == [0] * 4, results
    from bot.state.store import MIGRATIONS

    with sqlite3.connect(state) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.usefixtures("installed_model")
def test_two_once_without_a_token_never_share_a_preview_number(tmp_path: Path):
    make_folder(tmp_path)
    first = start(once_args(tmp_path), {})
    second = start(once_args(tmp_path), {})
    (code1, err1), (code2, err2) = finish(first), finish(second)
    assert (code1, code2) == (0, 0), err1 + err2
    previews = sorted(p.name for p in (tmp_path / "out" / "telegram").iterdir())
    rows = outbox_rows(tmp_path / "state.sqlite3")
    assert previews == [f"{n:03d}.html" for n in range(1, len(rows) + 1)]
    assert {status for _, _, status in rows} == {"preview"}
