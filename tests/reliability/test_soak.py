"""A soak of the unattended service: the real `kakehashi run --serve` process watched over a
few minutes as an operator would, with the fake Bot API as Telegram.

`test_restarts_reload_and_monitoring` starts the worker three times on one state file:
bad input (a broken PDF, a feed that never answers) is told to the admin chat once, not
again after either restart, and a new fault after a restart is told once; SIGHUP renames
the feed; /metrics and /healthz answer. The
last stop shows /healthz saying 503 once the scheduler has stopped: the service shuts its
scheduler down before its companions, and the HTTP server closes only after them, so while
the admin alerts' last message ("the worker stopped") is held unanswered by the fake Bot
API the real process serves with its scheduler stopped (no in-process service is needed).

`test_feed_and_archive_do_not_wait_for_a_failing_telegram` has the fake answer 500 to
everything for OUTAGE_SECONDS (KAKEHASHI_SOAK_OUTAGE_SECONDS, 45 by default: over three
times the delivery's retry budget, which the test's config cuts to 12 s, so the outage
outlasts several delivery passes as a long one does the default 90 s budget): files dropped
during it must reach feed.xml and the archive within a minute each, and once Telegram
answers again every message must arrive exactly once.

Every wait is a condition with a generous timeout; no duration is asserted.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import feedparser
import pytest

from tests.conftest import ROOT
from tests.reliability.helpers import Paths, drop_file, feed_titles, good_doc, normalized
from tests.support.fake_bot_api import FakeBotApi
from tests.support.service_process import Worker, run_serve
from tests.support.serving import get

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("installed_model")]

PUBLIC, ADMIN = "@kakehashi_soak", "-1009990001"
OUTAGE_SECONDS = float(os.environ.get("KAKEHASHI_SOAK_OUTAGE_SECONDS", "45"))
# The outage must outlast the delivery's retry budget several times over (see above).
RETRY = "[telegram]\nretry_budget_seconds = 12\nretry_max_seconds = 4\n"
APPEARS_WITHIN = 60.0  # "within seconds", generously: a drop's wait for feed.xml and index
# The metric names bot/service/monitor.py defines, as the text format spells them.
METRICS = ("kakehashi_jobs_total", "kakehashi_documents_total",
           "kakehashi_entries_translated_total", "kakehashi_sentences_translated_total",
           "kakehashi_articles_published_total", "kakehashi_last_success_timestamp_seconds",
           "kakehashi_feeds_failing", "kakehashi_messages", "kakehashi_scheduler_up")
# A feed nobody answers (the discard port is closed): a fault the state file keeps, so only
# the alerts' own record (bot/state/alertlog.py) stops a restart from telling it again.
DEAD_FEED = "http://127.0.0.1:9/feed.xml"
SCHEDULE = "[schedule]\ninterval_minutes = 60\ndebounce_seconds = 0.5\n"
ALERTS = f'[telegram]\nalert_chat_id = "{ADMIN}"\nalert_interval_seconds = 1\n'


def not_a_pdf(name: str) -> bytes:
    """A PDF's first line and nothing after it; unique to `name`, as the same bytes under
    another name are a copy already seen, not a new fault."""
    return f"%PDF-1.4\n{name} is no PDF, only its first line\n".encode()


def config_text(title: str, alerts: bool) -> str:
    feeds = f'feeds = ["{DEAD_FEED}"]\n' if alerts else ""
    return ("[sources]\nsettle_seconds = 0\n" + feeds + SCHEDULE
            + f'[feed]\ntitle = "{title}"\n' + (ALERTS if alerts else RETRY))


def worker_args(paths: Paths, config: Path) -> list[str]:
    return ["--config", str(config), "--seeds", str(paths.seeds), "--out", str(paths.out),
            "--state", str(paths.state)]


def env_for(api: FakeBotApi) -> dict[str, str]:
    return {**os.environ, **api.env(PUBLIC)}


def channel_title(out: Path) -> str | None:
    if not (out / "feed.xml").exists():
        return None
    return str(feedparser.parse((out / "feed.xml").read_bytes()).feed.get("title"))


def in_feed(out: Path, title: str) -> bool:
    return (out / "feed.xml").exists() and normalized(title) in {
        normalized(t) for t in feed_titles(out)}


def in_archive(out: Path, title: str) -> bool:
    index = out / "index.html"
    return index.exists() and normalized(title) in normalized(index.read_text("utf-8"))


def published(out: Path, title: str) -> bool:
    return in_feed(out, title) and in_archive(out, title)


def wait_published(worker: Worker, out: Path, title: str, what: str) -> None:
    worker.wait(lambda: published(out, title), f"{what} in feed.xml and index.html",
                APPEARS_WITHIN)


def told(api: FakeBotApi, needle: str) -> list[str]:
    """The admin chat's messages that mention `needle`."""
    return [text for text in api.sent_to(ADMIN) if needle in text]


def started_job(worker: Worker) -> None:
    """Until the start-up job has finished and /healthz says so."""
    worker.wait(lambda: worker.jobs() >= 1, "the start-up job in /metrics")
    worker.wait(lambda: get(worker.url + "healthz")[0] == 200, "a healthy answer")


def test_restarts_reload_and_monitoring(tmp_path: Path, api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    config = tmp_path / "run.toml"
    config.write_text(config_text("Soak digest", alerts=True), encoding="utf-8")
    first, second = good_doc(5101), good_doc(5102)
    drop_file(paths.seeds, "first.txt", first.text)
    (paths.seeds / "first.pdf").write_bytes(not_a_pdf("first.pdf"))
    args, env = worker_args(paths, config), env_for(api)

    with run_serve(args, ROOT, tmp_path / "run1.log", env) as worker:
        started_job(worker)
        status, body, headers = get(worker.url + "healthz")
        assert status == 200 and body.startswith(b"ok: last job"), body
        assert headers["Content-Type"].startswith("text/plain")
        worker.wait(lambda: in_feed(paths.out, first.title), "the first file in feed.xml")
        worker.wait(lambda: bool(told(api, "skipped file: first.pdf")), "the bad file told")
        worker.wait(lambda: bool(told(api, DEAD_FEED)), "the failing feed told")
        samples = worker.samples()
        assert {name for name, _ in samples} >= set(METRICS), sorted(samples)
        assert samples[("kakehashi_scheduler_up", ())] == 1
        assert samples[("kakehashi_documents_total", (("result", "skipped"),))] >= 1
        assert samples[("kakehashi_documents_total", (("result", "read"),))] >= 1

        # SIGHUP: the file's new title is in the next feed.xml, and the process runs on.
        config.write_text(config_text("Soak digest, renamed", alerts=True), encoding="utf-8")
        worker.process.send_signal(signal.SIGHUP)
        worker.wait(lambda: "configuration reloaded: 1 change(s): feed.title" in worker.text(),
                    "the reload line")
        drop_file(paths.seeds, "second.txt", second.text)
        worker.wait(lambda: channel_title(paths.out) == "Soak digest, renamed",
                    "the new title in feed.xml")
        assert in_feed(paths.out, second.title)
        assert worker.process.poll() is None
        worker.stop()

    # First restart: nothing told before is told again; a new fault is told once.
    with run_serve(args, ROOT, tmp_path / "run2.log", env) as worker:
        started_job(worker)
        (paths.seeds / "second.pdf").write_bytes(not_a_pdf("second.pdf"))
        worker.wait(lambda: bool(told(api, "skipped file: second.pdf")), "the new bad file told")
        worker.wait(lambda: worker.samples()[
            ("kakehashi_documents_total", (("result", "skipped"),))] >= 1,
            "the new bad file counted as skipped")
        worker.stop()

    # Second restart: still nothing again. Its stop is held at the admin chat, so the
    # process serves on with its scheduler stopped: /healthz must say 503.
    with run_serve(args, ROOT, tmp_path / "run3.log", env) as worker:
        started_job(worker)
        api.hold(after=len(api.messages))
        worker.process.send_signal(signal.SIGTERM)
        try:
            worker.wait(lambda: get(worker.url + "healthz")[0] == 503,
                        "503 from /healthz with the scheduler stopped", timeout=60)
            status, body, _ = get(worker.url + "healthz")
            assert (status, body) == (503, b"unhealthy: the scheduler has stopped\n")
            assert worker.samples()[("kakehashi_scheduler_up", ())] == 0
        finally:
            api.release()
        worker.stop()

    assert len(told(api, "skipped file: first.pdf")) == 1, api.sent_to(ADMIN)
    assert len(told(api, "skipped file: second.pdf")) == 1, api.sent_to(ADMIN)
    assert len(told(api, DEAD_FEED)) == 1, api.sent_to(ADMIN)  # failing all along
    assert len(told(api, "worker stopped")) == 3, api.sent_to(ADMIN)  # each stop, once
    assert not any(text.startswith("Kakehashi: ") for text in api.sent_to(PUBLIC))
    assert api.duplicates() == {}


def test_feed_and_archive_do_not_wait_for_a_failing_telegram(tmp_path: Path,
                                                             api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    config = tmp_path / "run.toml"
    config.write_text(config_text("Soak digest", alerts=False), encoding="utf-8")
    before = good_doc(5201)
    drop_file(paths.seeds, "before.txt", before.text)
    during = [good_doc(5210 + n) for n in range(3)]
    took: list[float] = []

    with run_serve(worker_args(paths, config), ROOT, tmp_path / "run.log",
                   env_for(api)) as worker:
        started_job(worker)
        worker.wait(lambda: bool(messages_with(api, before.title)), "the first delivery")
        api.fail_all = 500
        began = time.monotonic()
        for n, doc in enumerate(during):
            time.sleep(max(0.0, began + n * OUTAGE_SECONDS / len(during) - time.monotonic()))
            dropped = time.monotonic()
            drop_file(paths.seeds, f"during_{n}.txt", doc.text)
            wait_published(worker, paths.out, doc.title, f"file {n} of the outage")
            took.append(time.monotonic() - dropped)
        time.sleep(max(0.0, began + OUTAGE_SECONDS - time.monotonic()))
        api.fail_all = None
        worker.wait(lambda: all(messages_with(api, d.title) for d in during),
                    "every message delivered once Telegram answers", timeout=120)
        worker.stop()

    print(f"outage {OUTAGE_SECONDS:g} s: drops reached feed.xml and index.html in "
          + ", ".join(f"{t:.1f} s" for t in took))
    for doc in [before, *during]:
        assert len(messages_with(api, doc.title)) == 1, (doc.title, api.sent_to(PUBLIC))
    assert api.duplicates() == {}
    assert api.sent_to(ADMIN) == []


def messages_with(api: FakeBotApi, title: str) -> list[str]:
    """The public chat's messages that carry `title`."""
    return [text for text in api.sent_to(PUBLIC) if normalized(title) in normalized(text)]
