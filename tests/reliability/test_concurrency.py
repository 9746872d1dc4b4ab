"""Two processes on one state file: the second waits for the first (a process lock), both
exit 0, and every Telegram message is received exactly once (the fake server counts them)."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.reliability.conftest import telegram_env
from tests.reliability.helpers import (
    Drained,
    GoodDoc,
    Paths,
    completed,
    drain,
    drop_file,
    feed_corpus,
    good_doc,
    integrity,
    kill,
    normalized,
    start,
    wait_for_line,
    write_config,
    write_good,
)
from tests.support.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.usefixtures("installed_model")
SCHEDULE = "[schedule]\ninterval_minutes = 0.02\n[feed]\nmax_items = 500\n"  # a tick each 1.2 s


def _both_succeed(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        _out, err = process.communicate(timeout=240)
        assert process.returncode == 0, err[-2000:]
        assert "Traceback" not in err


def _exactly_once(api: FakeBotApi, paths: Paths, docs: list[GoodDoc]) -> None:
    assert api.duplicates() == {}, f"{len(api.duplicates())} message(s) delivered twice"
    delivered = normalized("\n".join(api.texts()))
    published = feed_corpus(paths.out)
    assert [d.title for d in docs if normalized(d.title) not in delivered] == []
    assert [d.title for d in docs if normalized(d.title) not in published] == []
    assert integrity(paths.state) == "ok"


@pytest.mark.parametrize("stagger", [0.0, 0.5], ids=["together", "half_a_second_apart"])
def test_two_once_on_a_fresh_state_file(tmp_path: Path, api: FakeBotApi,
                                        stagger: float) -> None:
    paths = Paths.under(tmp_path)
    docs = [write_good(paths.seeds, 1300 + i) for i in range(20)]
    env = telegram_env(api)
    first = start(paths.once_args(), env)
    time.sleep(stagger)
    second = start(paths.once_args(), env)
    _both_succeed([first, second])
    _exactly_once(api, paths, docs)


def test_two_once_on_an_existing_state_file(tmp_path: Path, api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    docs = [write_good(paths.seeds, 1350 + i) for i in range(10)]
    env = telegram_env(api)
    assert completed(paths.once_args(), env).returncode == 0
    docs += [write_good(paths.seeds, 1360 + i) for i in range(20)]
    _both_succeed([start(paths.once_args(), env), start(paths.once_args(), env)])
    _exactly_once(api, paths, docs)


def _wait_delivered(api: FakeBotApi, docs: list[GoodDoc], timeout: float,
                    process: subprocess.Popen[str], lines: list[str]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivered = normalized("\n".join(api.texts()))
        missing = [d for d in docs if normalized(d.title) not in delivered]
        if not missing:
            return
        assert process.poll() is None, "".join(lines[-20:])
        time.sleep(0.3)
    raise AssertionError(f"{len(missing)} article(s) not delivered after {timeout} s: "
                         + "".join(lines[-10:]))


def _wait_until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {timeout} s"
        time.sleep(0.02)


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
        lines = drain(runner)
        yield runner, lines
    finally:
        if runner.poll() is None:
            kill(runner)


def test_run_and_a_manual_once(tmp_path: Path, api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    config = write_config(tmp_path / "run.toml", SCHEDULE)
    env = telegram_env(api)
    docs = [good_doc(1400 + i) for i in range(30)]
    with _running(paths, config, env) as (runner, lines):
        for doc in docs:
            drop_file(paths.seeds, f"manual_{doc.number}.txt", doc.text)
        _wait_until(lambda: any("translating" in line for line in lines), 60)
        manual = completed(paths.once_args(config), env)  # while the scheduled run works
        assert manual.returncode == 0 and "Traceback" not in manual.stderr, manual.stderr[-2000:]
        _wait_delivered(api, docs, 120, runner, lines)
        time.sleep(2.5)  # two more ticks: nothing may be sent again
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
        _wait_delivered(api, docs, 180, runner, lines)
        time.sleep(2.5)
        _stop(runner, lines)
    _exactly_once(api, paths, docs)
