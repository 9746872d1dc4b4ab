"""`kakehashi run` as a service, as an operator runs it: a real subprocess, the tiny model, the
real python-telegram-bot against the fake Bot API, files dropped into its folder meanwhile."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.reliability.helpers import (
    Drained,
    GoodDoc,
    Paths,
    drain,
    drop_file,
    feed_corpus,
    feed_titles,
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
# No full rescan during a test: what arrives, arrives through the triggers under test.
NO_RESCAN = "[schedule]\ninterval_minutes = 60\n"



def telegram_env(api: FakeBotApi) -> dict[str, str]:
    return api.env("@kakehashi_service")


def run_args(paths: Paths, config: Path) -> list[str]:
    return ["run", *paths.once_args(config)[1:]]


@contextmanager
def running(paths: Paths, config: Path, env: dict[str, str], first_line: str = "nothing new"
            ) -> Iterator[tuple[subprocess.Popen[str], Drained]]:
    """`kakehashi run` in the background, past `first_line`; killed if the test left it."""
    process = start(run_args(paths, config), env)
    try:
        seen = wait_for_line(process, first_line, timeout=120)
        lines = drain(process)
        lines[:0] = seen
        yield process, lines
    finally:
        if process.poll() is None:
            kill(process)


def stop(process: subprocess.Popen[str], lines: Drained, within: float = 60) -> float:
    """SIGTERM; the process must exit 0 within `within` s, with no traceback. Returns the
    seconds it took."""
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=within)
    took = time.monotonic() - began
    lines.close()
    text = "".join(lines)
    assert process.returncode == 0, text[-3000:]
    assert "Traceback" not in text, text[-3000:]
    return took


def wait_until(condition: Callable[[], bool], timeout: float, what: str,
               process: subprocess.Popen[str] | None = None, lines: Sequence[str] = ()
               ) -> float:
    """Poll `condition` until true; returns the seconds it took."""
    began = time.monotonic()
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the worker ended while waiting for {what}: "
                                 + "".join(lines[-20:]))
        if time.monotonic() - began > timeout:
            raise AssertionError(f"no {what} after {timeout} s: " + "".join(lines[-20:]))
        time.sleep(0.05)
    return time.monotonic() - began


def delivered(api: FakeBotApi, docs: list[GoodDoc]) -> bool:
    text = normalized("\n".join(api.texts()))
    return all(normalized(d.title) in text for d in docs)


def in_feed(paths: Paths, docs: list[GoodDoc]) -> bool:
    if not (paths.out / "feed.xml").exists():
        return False
    titles = {normalized(t) for t in feed_titles(paths.out)}
    return all(normalized(d.title) in titles for d in docs)


def exactly_once(api: FakeBotApi, paths: Paths, docs: list[GoodDoc]) -> None:
    assert api.duplicates() == {}, f"{len(api.duplicates())} message(s) delivered twice"
    sent = normalized("\n".join(api.texts()))
    assert [d.title for d in docs if normalized(d.title) not in sent] == []
    corpus = feed_corpus(paths.out)
    assert [d.title for d in docs if normalized(d.title) not in corpus] == []
    assert integrity(paths.state) == "ok"


def test_files_dropped_into_a_running_worker_reach_the_channel_and_feed_within_a_minute(
        tmp_path: Path, api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    config = write_config(tmp_path / "run.toml", NO_RESCAN)  # default debounce (3 s)
    docs = [good_doc(3100 + i) for i in range(3)]
    with running(paths, config, telegram_env(api)) as (process, lines):
        assert any("watching" in line and "file events" in line for line in lines), lines
        dropped = time.monotonic()
        for doc in docs:  # a copy of three files, a little apart: one digest
            drop_file(paths.seeds, f"drop_{doc.number}.txt", doc.text)
            time.sleep(0.3)
        arrived: dict[str, float] = {}

        def both_arrived() -> bool:
            for where, check in (("channel", lambda: delivered(api, docs)),
                                 ("feed", lambda: in_feed(paths, docs))):
                if where not in arrived and check():
                    arrived[where] = time.monotonic() - dropped
            return len(arrived) == 2

        wait_until(both_arrived, 60, "the digest in the channel and the feed", process, lines)
        stop(process, lines)
    print(f"\nfirst drop → channel {arrived['channel']:.1f} s, → feed {arrived['feed']:.1f} s "
          "(last drop 0.6 s after the first; debounce 3 s)", file=sys.stderr)
    assert max(arrived.values()) < 60
    text = "".join(lines)
    assert "digest #1 published" in text and "digest #2" not in text, text[-2000:]
    exactly_once(api, paths, docs)


def test_a_file_still_being_written_is_read_once_it_settles_without_a_rescan(
        tmp_path: Path, api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    # No events reach this worker (polling once an hour) and no rescan: only the settle
    # re-check can read the file.
    config = write_config(tmp_path / "run.toml", "[sources]\nsettle_seconds = 1.5\n"
                          + NO_RESCAN + 'watch = "poll"\npoll_seconds = 3600\n')
    doc = good_doc(3200)
    target = paths.seeds / "slow_copy.txt"
    done = threading.Event()

    def copy_slowly() -> None:
        with target.open("a", encoding="utf-8") as fh:
            for line in doc.text.splitlines(keepends=True):
                fh.write(line)
                fh.flush()
                time.sleep(0.3)
            while not done.is_set():  # a copy still in progress: trailing blank lines
                fh.write("\n")
                fh.flush()
                time.sleep(0.3)

    writer = threading.Thread(target=copy_slowly, daemon=True)
    writer.start()
    try:
        with running(paths, config, telegram_env(api), "still being written") as (process,
                                                                                  lines):
            assert api.messages == [], "a half-written file was published"
            done.set()
            writer.join(timeout=10)
            wait_until(lambda: delivered(api, [doc]), 30, "the settled file in the channel",
                       process, lines)
            stop(process, lines)
    finally:
        done.set()
    exactly_once(api, paths, [doc])


def test_scheduled_mode_publishes_at_its_time_and_not_before(tmp_path: Path,
                                                             api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    docs = [write_good(paths.seeds, 3300 + i) for i in range(3)]
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=30)
    config = write_config(tmp_path / "run.toml", NO_RESCAN + 'mode = "scheduled"\n'
                          f'digest_times = ["{due:%H:%M:%S}"]\ntimezone = "UTC"\n')
    with running(paths, config, telegram_env(api), "wait for the next digest") as (process,
                                                                                   lines):
        assert datetime.now(UTC) < due - timedelta(seconds=2), "start-up took too long"
        assert any(f"next at {due:%Y-%m-%d %H:%M:%S}" in line for line in lines), lines
        while datetime.now(UTC) < due - timedelta(seconds=1):
            assert api.messages == [], "published before its digest time"
            assert not in_feed(paths, docs[:1]), "in the feed before its digest time"
            time.sleep(0.1)
        wait_until(lambda: delivered(api, docs), 30, "the scheduled digest", process, lines)
        arrived = datetime.now(UTC)
        stop(process, lines)
    assert arrived >= due, f"published at {arrived:%H:%M:%S.%f}, due {due:%H:%M:%S}"
    text = "".join(lines)
    assert "digest #1 published" in text and "digest #2" not in text
    exactly_once(api, paths, docs)


@pytest.mark.parametrize("grace, published", [(60, True), (0, False)],
                         ids=["within_grace", "past_grace"])
def test_a_digest_time_missed_while_stopped_is_caught_up_within_the_grace(
        tmp_path: Path, api: FakeBotApi, grace: int, published: bool) -> None:
    paths = Paths.under(tmp_path)
    docs = [write_good(paths.seeds, 3400 + i) for i in range(2)]
    passed = datetime.now(UTC) - timedelta(seconds=30)
    config = write_config(tmp_path / "run.toml", NO_RESCAN + 'mode = "scheduled"\n'
                          f'digest_times = ["{passed:%H:%M:%S}"]\ntimezone = "UTC"\n'
                          f"grace_minutes = {grace}\n")
    first_line = "digest #1 published" if published else "wait for the next digest"
    with running(paths, config, telegram_env(api), first_line) as (process, lines):
        time.sleep(1)
        if published:  # the channel's messages follow the feed, on the delivery lane
            wait_until(lambda: delivered(api, docs), 60, "the caught-up digest", process, lines)
        stop(process, lines)
    assert delivered(api, docs) is published
    if published:
        exactly_once(api, paths, docs)


@pytest.mark.parametrize("moment", ["while_reading", "while_sending"])
def test_sigterm_finishes_the_item_in_hand_and_a_restart_publishes_nothing_twice(
        tmp_path: Path, api: FakeBotApi, moment: str) -> None:
    paths = Paths.under(tmp_path)
    docs = [write_good(paths.seeds, 3500 + i) for i in range(40)]
    config = write_config(tmp_path / "run.toml", NO_RESCAN + "[feed]\nmax_items = 500\n")
    api.delay_seconds = 0.4  # each message takes a while: SIGTERM lands mid-delivery
    env = telegram_env(api)
    process = start(run_args(paths, config), env)
    try:
        if moment == "while_reading":
            seen = wait_for_line(process, "read good_")
        else:
            seen = wait_for_line(process, "sending")
        lines = drain(process)
        lines[:0] = seen
        if moment == "while_sending":
            wait_until(lambda: len(api.messages) >= 1, 60, "a first message", process, lines)
        took = stop(process, lines)
    finally:
        if process.poll() is None:
            kill(process)
    first_text = "".join(lines)
    assert "stopping: finishing the item in hand" in first_text
    if moment == "while_reading":  # stopped between documents: nothing half-done published
        assert "digest #1" not in first_text, first_text[-3000:]
    first_run = len(api.messages)
    with running(paths, config, env, "SIGTERM") as (process, lines):
        wait_until(lambda: delivered(api, docs), 120, "every article", process, lines)
        time.sleep(1)
        stop(process, lines)
    print(f"\nSIGTERM {moment}: exit 0 after {took:.1f} s; {first_run} of "
          f"{len(api.messages)} message(s) sent before it", file=sys.stderr)
    if moment == "while_sending":
        assert first_run < len(api.messages), "the stop did not happen between messages"
    assert took < 30
    exactly_once(api, paths, docs)


def test_polling_fallback_picks_up_a_drop(tmp_path: Path, api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    config = write_config(tmp_path / "run.toml", NO_RESCAN + 'watch = "poll"\n'
                          "poll_seconds = 0.5\ndebounce_seconds = 1\n")
    doc = good_doc(3600)
    with running(paths, config, telegram_env(api)) as (process, lines):
        assert any("by polling" in line for line in lines), lines
        drop_file(paths.seeds, "polled.txt", doc.text)
        wait_until(lambda: delivered(api, [doc]), 30, "the polled drop", process, lines)
        stop(process, lines)
    exactly_once(api, paths, [doc])


def test_a_failing_job_is_one_line_and_the_worker_goes_on(tmp_path: Path,
                                                         api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    glossary = tmp_path / "terms.tsv"
    glossary.write_text("中欧班列\tChina-Europe Railway Express\n", encoding="utf-8")
    config = write_config(tmp_path / "run.toml", f'[paths]\nglossary = "{glossary}"\n'
                          + NO_RESCAN + "debounce_seconds = 0.5\n")
    first, second = good_doc(3700), good_doc(3701)
    with running(paths, config, telegram_env(api)) as (process, lines):
        glossary.write_text("a line without a tab\n", encoding="utf-8")  # an editor's slip
        drop_file(paths.seeds, "first.txt", first.text)
        wait_until(lambda: any(" ERROR " in line for line in lines), 30,
                   "the job's error", process, lines)
        glossary.write_text("中欧班列\tChina-Europe Railway Express\n", encoding="utf-8")
        drop_file(paths.seeds, "second.txt", second.text)
        wait_until(lambda: delivered(api, [first, second]), 30, "both documents",
                   process, lines)
        stop(process, lines)
    errors = [line for line in lines if "error" in line.lower()]
    assert len(errors) == 1, errors
    assert " ERROR glossary:" in errors[0] and "expected" in errors[0]
    exactly_once(api, paths, [first, second])


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>ニュース</title><link>https://news.example/</link>
<description>d</description>{items}</channel></rss>"""
ITEM = """<item><title>{title}</title><link>https://news.example/a/{n}</link><guid>a-{n}</guid>
<description>{body}</description></item>"""


def feed_bytes(docs: list[GoodDoc]) -> bytes:
    items = "".join(ITEM.format(title=d.title, n=d.number, body="".join(d.text.splitlines()[1:]))
                    for d in docs)
    return FEED.format(items=items).encode()


def test_each_feed_is_polled_on_its_own_interval(tmp_path: Path, api: FakeBotApi) -> None:
    from tests.support.http_server import Route, serve

    paths = Paths.under(tmp_path)
    first, second = good_doc(3800), good_doc(3801)
    routes = {"/feed.xml": Route(feed_bytes([first]), headers={"ETag": '"v1"'}),
              "/monthly.xml": Route(feed_bytes([]), headers={"ETag": '"m1"'})}
    with serve(routes) as server:
        fast, slow = server.url("/feed.xml"), server.url("/monthly.xml")
        config = write_config(tmp_path / "run.toml", (
            f'[sources]\nsettle_seconds = 0\nfeeds = ["{fast}", "{slow}"]\n'
            f'[sources.feed_intervals]\n"{fast}" = 0.02\n'  # every 1.2 s; the other: 30 min
            f'{NO_RESCAN}watch = "poll"\npoll_seconds = 3600\n'))
        with running(paths, config, telegram_env(api), "digest #1") as (process, lines):
            assert any(f"polling {fast} every 0.02 min" in line for line in lines), lines
            assert any(f"polling {slow} every 30 min" in line for line in lines), lines
            polls = server.requests.count("/feed.xml")
            server.routes["/feed.xml"] = Route(feed_bytes([first, second]),
                                               headers={"ETag": '"v2"'})
            wait_until(lambda: delivered(api, [second]), 30, "the feed's new entry",
                       process, lines)
            time.sleep(2.5)  # two more polls: nothing new, nothing sent again
            stop(process, lines)
        assert server.requests.count("/feed.xml") >= polls + 3
        assert server.requests.count("/monthly.xml") == 1  # at start only
    assert delivered(api, [first])
    assert api.duplicates() == {}
    text = "".join(lines)
    assert "digest #2 published" in text and "digest #3" not in text
