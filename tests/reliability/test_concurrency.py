"""Two processes on one state file: the second waits for the first (a process lock), both
exit 0, every Telegram message is received exactly once (the fake server counts them) and
recorded as sent once, and preview numbers are never shared.

Real `python -m bot` processes, real SQLite, the real python-telegram-bot against the fake Bot
API server, which takes a while over each message so that the processes overlap.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.reliability.conftest import telegram_env
from tests.reliability.helpers import (
    GoodDoc,
    feed_corpus,
    good_doc,
    integrity,
    normalized,
    write_good,
)
from tests.support.fake_bot_api import FakeBotApi
from tests.support.processes import (
    ROOT,
    Drained,
    Paths,
    completed,
    drain,
    drop_file,
    finish,
    make_folder,
    once_args,
    outbox_rows,
    reap,
    start,
    wait_for_line,
    wait_until,
    write_config,
)

pytestmark = pytest.mark.usefixtures("installed_model")
SCHEDULE = "[schedule]\ninterval_minutes = 0.02\n[feed]\nmax_items = 500\n"  # a tick each 1.2 s


def _all_succeed(processes: list[subprocess.Popen[str]]) -> list[str]:
    """Each process exits 0 without a traceback; their stderr."""
    errors = []
    for process in processes:
        code, err = finish(process)
        assert code == 0, err[-2000:]
        assert "Traceback" not in err
        errors.append(err)
    return errors


def _exactly_once(api: FakeBotApi, paths: Paths, docs: list[GoodDoc]) -> None:
    """No message twice, every article delivered and in the feed, every row sent once."""
    assert api.duplicates() == {}, f"{len(api.duplicates())} message(s) delivered twice"
    delivered = normalized("\n".join(api.texts()))
    published = feed_corpus(paths.out)
    assert [d.title for d in docs if normalized(d.title) not in delivered] == []
    assert [d.title for d in docs if normalized(d.title) not in published] == []
    assert integrity(paths.state) == "ok"
    rows = outbox_rows(paths.state)
    assert [status for _, _, status in rows] == ["sent"] * len(rows)
    assert len(rows) == len(api.messages)


@pytest.mark.slow
@pytest.mark.parametrize("stagger", [0.0, 0.5], ids=["together", "half_a_second_apart"])
def test_two_once_on_a_fresh_state_file(tmp_path: Path, api: FakeBotApi,
                                        stagger: float) -> None:
    api.delay_seconds = 0.3
    paths = Paths.under(tmp_path)
    docs = [write_good(paths.seeds, 1300 + i) for i in range(20)]
    env = telegram_env(api)
    first = start(paths.once_args(), env)
    time.sleep(stagger)
    second = start(paths.once_args(), env)
    _all_succeed([first, second])
    _exactly_once(api, paths, docs)
    assert len(api.messages) >= 3


@pytest.mark.slow
def test_two_once_on_an_existing_state_file(tmp_path: Path, api: FakeBotApi) -> None:
    api.delay_seconds = 0.3
    paths = Paths.under(tmp_path)
    docs = [write_good(paths.seeds, 1350 + i) for i in range(10)]
    env = telegram_env(api)
    assert completed(paths.once_args(), env).returncode == 0
    docs += [write_good(paths.seeds, 1360 + i) for i in range(20)]
    _all_succeed([start(paths.once_args(), env), start(paths.once_args(), env)])
    _exactly_once(api, paths, docs)
    assert len({digest for digest, _, _ in outbox_rows(paths.state)}) == 2


@pytest.mark.slow
def test_a_once_started_while_another_sends_waits_for_it(api: FakeBotApi, tmp_path: Path):
    api.hold()  # the first message is delivered, its answer held: the sender is mid-send
    make_folder(tmp_path)
    first = start(once_args(tmp_path), telegram_env(api))
    api.wait_held(timeout=120, alive=lambda: first.poll() is None)
    second = start(once_args(tmp_path), telegram_env(api))
    waited = wait_for_line(second, "waiting for another Kakehashi process")
    api.release()
    _, err2 = _all_succeed([first, second])
    assert f"waiting for another Kakehashi process (pid {first.pid}, kakehashi once)" in waited[-1]
    assert "nothing new" in err2
    counts = api.counts()
    assert counts and set(counts.values()) == {1}, [n for n in counts.values() if n > 1]
    rows = outbox_rows(tmp_path / "state.sqlite3")
    assert [s for _, _, s in rows] == ["sent"] * len(rows) and len(rows) == len(api.messages)


def _stop(process: subprocess.Popen[str], lines: Drained) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    lines.close()
    assert process.returncode == 0, "".join(lines[-20:])
    assert not any("Traceback" in line for line in lines)


@contextmanager
def _running(paths: Paths, config: Path, env: dict[str, str]
             ) -> Iterator[tuple[subprocess.Popen[str], Drained]]:
    """`kakehashi run` in the background, past its first (empty) tick; killed if left over."""
    runner = start(["run", *paths.once_args(config)[1:]], env)
    try:
        wait_for_line(runner, "nothing new")
        yield runner, drain(runner)
    finally:
        reap(runner)


def _wait_delivered(api: FakeBotApi, docs: list[GoodDoc], process: subprocess.Popen[str],
                    lines: Drained) -> None:
    def delivered() -> bool:
        text = normalized("\n".join(api.texts()))
        return all(normalized(d.title) in text for d in docs)

    wait_until(delivered, f"delivery of all {len(docs)} articles: {''.join(lines[-10:])}",
               timeout=240, alive=lambda: process.poll() is None)


def _two_more_ticks(process: subprocess.Popen[str], lines: Drained) -> None:
    """Wait for the worker's next two (empty) ticks: they may send nothing again."""
    ticks = lines.lines_with("nothing new")
    wait_until(lambda: lines.lines_with("nothing new") >= ticks + 2, "two more ticks",
               alive=lambda: process.poll() is None)


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["translating", "sending"])
def test_run_and_a_manual_once(tmp_path: Path, api: FakeBotApi, moment: str) -> None:
    api.delay_seconds = 0.5 if moment == "sending" else 0.0
    paths = Paths.under(tmp_path)
    config = write_config(tmp_path / "run.toml", SCHEDULE)
    env = telegram_env(api)
    docs = [good_doc(1400 + i) for i in range(30)]
    with _running(paths, config, env) as (runner, lines):
        for doc in docs:
            drop_file(paths.seeds, f"manual_{doc.number}.txt", doc.text)
        if moment == "translating":
            wait_until(lambda: lines.lines_with("translating") > 0, "translating",
                       alive=lambda: runner.poll() is None)
        else:
            wait_until(lambda: bool(api.messages), "a first message",
                       alive=lambda: runner.poll() is None)
        manual = completed(paths.once_args(config), env)  # while the scheduled run works
        assert manual.returncode == 0 and "Traceback" not in manual.stderr, manual.stderr[-2000:]
        _wait_delivered(api, docs, runner, lines)
        _two_more_ticks(runner, lines)
        _stop(runner, lines)
    _exactly_once(api, paths, docs)


@pytest.mark.slow
def test_two_hundred_files_dropped_during_run(tmp_path: Path, api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    config = write_config(tmp_path / "run.toml", SCHEDULE)
    docs = [good_doc(2000 + i) for i in range(200)]
    # A private chat: Telegram's 20-a-minute pace for channels (which the rate limiter keeps)
    # would make this test about waiting, not about two hundred files.
    with _running(paths, config, telegram_env(api, chat="424242")) as (runner, lines):
        for doc in docs:
            drop_file(paths.seeds, f"dropped_{doc.number}.txt", doc.text)
            time.sleep(0.005)  # a copy of many files takes a while: ticks see part of them
        _wait_delivered(api, docs, runner, lines)
        _two_more_ticks(runner, lines)
        _stop(runner, lines)
    _exactly_once(api, paths, docs)


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


@pytest.mark.slow
def test_two_once_without_a_token_never_share_a_preview_number(tmp_path: Path):
    make_folder(tmp_path)
    _all_succeed([start(once_args(tmp_path), {}), start(once_args(tmp_path), {})])
    previews = sorted(p.name for p in (tmp_path / "out" / "telegram").iterdir())
    rows = outbox_rows(tmp_path / "state.sqlite3")
    assert previews == [f"{n:03d}.html" for n in range(1, len(rows) + 1)]
    assert {status for _, _, status in rows} == {"preview"}
