"""SIGKILL at every stage, then a restart: nothing lost, nothing sent twice outside the
documented one-message window, the state file intact, no temp file of ours left behind.

A stage is hit by watching the process: its progress lines ("polling …", "translating …"),
a temp file of its output, or the fake Bot API server's gate, which counts a message as
delivered and holds the answer, so the process is killed after Telegram has the message and
before the process records it. Every kill must prove the crash: the process was running, died
of SIGKILL, and had not finished the stage (no line marking its end, or the state row that the
stage would have changed still unchanged); otherwise the test fails. Kills in stages drawn at
random complement them.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.reliability.conftest import telegram_env
from tests.reliability.helpers import (
    GoodDoc,
    feed_corpus,
    integrity,
    normalized,
    our_temp_files,
    preview_messages,
    write_good,
)
from tests.support.fake_bot_api import FakeBotApi
from tests.support.processes import (
    Paths,
    close_pipes,
    completed,
    kill,
    kill_in_stage,
    outbox_rows,
    start,
    write_config,
)
from tests.support.slow_server import silent_server

pytestmark = pytest.mark.usefixtures("installed_model")


def _folder(tmp_path: Path, count: int, first: int) -> tuple[Paths, list[GoodDoc]]:
    paths = Paths.under(tmp_path)
    return paths, [write_good(paths.seeds, first + i) for i in range(count)]


def _finish(paths: Paths, docs: list[GoodDoc], env: dict[str, str] | None = None,
            config: Path | None = None) -> None:
    """The run after the crash completes, and everything is there and sound."""
    assert integrity(paths.state) == "ok"
    result = completed(paths.once_args(config), env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert integrity(paths.state) == "ok"
    published = feed_corpus(paths.out)
    lost = [d.title for d in docs if normalized(d.title) not in published]
    assert lost == [], f"{len(lost)} article(s) lost"
    assert our_temp_files(paths.out) == []


def _previews_once(paths: Paths, docs: list[GoodDoc], window: int = 0) -> None:
    """Each article in exactly one preview message (`window`: how many may show twice)."""
    text = normalized("\n".join(preview_messages(paths.out)))
    counts = Counter({d.title: text.count(normalized(d.title)) for d in docs})
    assert [t for t, n in counts.items() if n == 0] == [], "an article never reached a message"
    assert sum(n - 1 for n in counts.values()) <= window, counts.most_common(3)


# A stage's first line, and the line that says it is over.
READING = ("read good_", " INFO translating ")  # the window is translated once all are read
TRANSLATING = (" INFO translating ", "sentence(s) with the model")
INGESTED = "new document(s):"  # the run's report: every document and feed is done


def _done_documents(state: Path) -> int:
    with sqlite3.connect(state) as conn:
        return int(conn.execute(
            "SELECT count(*) FROM documents WHERE status = 'done'").fetchone()[0])


@pytest.mark.slow
def test_kill_while_reading_a_feed(tmp_path: Path) -> None:
    paths, docs = _folder(tmp_path, 12, 700)
    with silent_server() as url:  # accepts the request and never answers: the poll waits
        config = write_config(tmp_path / "feed.toml", "[sources]\nsettle_seconds = 0\n"
                              f'feed_timeout_seconds = 60\nfeeds = ["{url}"]\n')
        process = start(paths.once_args(config))
        kill_in_stage(process, f"polling {url}", INGESTED)
    _finish(paths, docs)
    _previews_once(paths, docs)


@pytest.mark.slow
def test_kill_while_translating(tmp_path: Path) -> None:
    paths, docs = _folder(tmp_path, 30, 730)
    process = start(paths.once_args())
    kill_in_stage(process, *TRANSLATING)
    assert _done_documents(paths.state) == 0  # the window is recorded once translated
    _finish(paths, docs)
    _previews_once(paths, docs)


def _kill_between_send_and_record(api: FakeBotApi, paths: Paths, env: dict[str, str],
                                  config: Path | None, after: int) -> str:
    """Hold message `after + 1` at the server (it counts as delivered), kill the sender."""
    api.hold(after=after)
    process = start(paths.once_args(config), env)
    try:
        api.wait_held(timeout=120, alive=lambda: process.poll() is None)
    except AssertionError:
        _out, err = process.communicate()
        raise AssertionError(f"exit {process.returncode}: {err[-1500:]}") from None
    held = str(api.messages[-1]["text"])
    kill(process)  # running, and died of the signal
    api.release()
    assert "sending" in [status for _, _, status in outbox_rows(paths.state)], \
        "no message was left mid-send"
    return held


@pytest.mark.slow
@pytest.mark.parametrize("after", [0, 1])
def test_kill_between_send_and_record_resends_at_most_that_one(
        tmp_path: Path, api: FakeBotApi, after: int) -> None:
    paths, docs = _folder(tmp_path, 30, 760 + 40 * after)
    env = telegram_env(api)
    held = _kill_between_send_and_record(api, paths, env, None, after)
    _finish(paths, docs, env)
    assert set(api.duplicates()) <= {(env["TELEGRAM_CHAT_ID"], held)}, "outside the window"
    assert all(count <= 2 for count in api.received.values())
    _all_delivered(api, docs)


@pytest.mark.slow
def test_kill_between_send_and_record_with_hold_sends_nothing_twice(
        tmp_path: Path, api: FakeBotApi) -> None:
    paths, docs = _folder(tmp_path, 30, 850)
    config = write_config(tmp_path / "hold.toml", '[telegram]\nuncertain = "hold"\n')
    env = telegram_env(api)
    _kill_between_send_and_record(api, paths, env, config, 1)
    _finish(paths, docs, env, config)
    assert api.duplicates() == {}
    _all_delivered(api, docs)


def _all_delivered(api: FakeBotApi, docs: list[GoodDoc]) -> None:
    text = normalized("\n".join(api.texts()))
    assert [d.title for d in docs if normalized(d.title) not in text] == []


def _kill_when_written(process: subprocess.Popen[str], folder: Path, prefix: str) -> bool:
    """SIGKILL the moment a temp file of ours (`PREFIX….tmp`) shows in `folder`: the process
    is then between creating its output and renaming it into place. True when the kill
    landed there: the process died of the signal and the temp file outlived it."""
    def temp_files() -> list[str]:
        try:
            return [n for n in os.listdir(folder) if n.startswith(prefix) and n.endswith(".tmp")]
        except FileNotFoundError:
            return []

    try:
        while process.poll() is None:
            if temp_files():
                process.send_signal(signal.SIGKILL)  # a no-op if it has just ended
                return process.wait(timeout=30) == -signal.SIGKILL and bool(temp_files())
        return False
    finally:
        process.communicate()
        close_pipes(process)


@pytest.mark.slow
@pytest.mark.parametrize(("where", "prefix"), [("", ".feed.xml."), ("telegram", ".0")],
                         ids=["feed", "preview"])
def test_kill_while_writing_an_output(tmp_path: Path, where: str, prefix: str) -> None:
    paths = Paths.under(tmp_path)
    config = write_config(tmp_path / "big.toml", "[feed]\nmax_items = 500\n")
    docs: list[GoodDoc] = []
    caught = False
    for attempt in range(6):  # the window is a few milliseconds (write and fsync)
        docs += [write_good(paths.seeds, 1500 + 40 * attempt + i) for i in range(40)]
        caught = _kill_when_written(start(paths.once_args(config)), paths.out / where, prefix)
        if caught:
            break
    assert caught, "the output was never caught being written in 6 runs"
    _finish(paths, docs, config=config)
    _previews_once(paths, docs)


@pytest.mark.slow
def test_temp_files_a_kill_left_are_removed_by_the_next_run(tmp_path: Path) -> None:
    paths, docs = _folder(tmp_path, 3, 880)
    first = completed(paths.once_args())
    assert first.returncode == 0, first.stderr
    # What a kill during write_atomic leaves: mkstemp's names beside the real files.
    for leftover in (paths.out / ".feed.xml.k1ll3d0a.tmp",
                     paths.out / "telegram" / ".004.html.x9y8z7w6.tmp"):
        leftover.write_text("<rss>half", encoding="utf-8")
    more = [write_good(paths.seeds, 890 + i) for i in range(2)]
    _finish(paths, docs + more)


def _kill_while_sending(api: FakeBotApi, paths: Paths, process: subprocess.Popen[str]) -> None:
    """Kill the process while Telegram holds the answer to the next message it sends."""
    api.hold(after=len(api.messages))
    api.wait_held(timeout=120, alive=lambda: process.poll() is None)
    kill(process)
    api.release()
    assert "sending" in [status for _, _, status in outbox_rows(paths.state)]


@pytest.mark.slow
@pytest.mark.parametrize(("with_token", "kills"), [(True, 10), (False, 5)],
                         ids=["telegram", "previews"])
def test_random_kills_then_restart(tmp_path: Path, api: FakeBotApi, with_token: bool,
                                   kills: int) -> None:
    """Each run gets new documents, so that every stage has work, and is killed in a stage
    drawn at random (reading, translating, or sending to Telegram)."""
    paths = Paths.under(tmp_path)
    env = telegram_env(api) if with_token else {}
    rng = random.Random(9)  # fixed: a failure can be replayed
    stages = ["reading", "translating", *(["sending"] if with_token else [])]
    docs: list[GoodDoc] = []
    each = 60 // kills
    for kill_number in range(kills):
        first = 1000 + 100 * with_token + each * kill_number
        docs += [write_good(paths.seeds, first + i) for i in range(each)]
        process = start(paths.once_args(), env)
        stage = rng.choice(stages)
        if stage == "sending":
            _kill_while_sending(api, paths, process)
        else:
            kill_in_stage(process, *(READING if stage == "reading" else TRANSLATING))
        assert integrity(paths.state) == "ok"
    _finish(paths, docs, env)
    if with_token:
        assert sum(n - 1 for n in api.received.values()) <= kills, api.duplicates()
        _all_delivered(api, docs)
    else:
        _previews_once(paths, docs, window=kills)
