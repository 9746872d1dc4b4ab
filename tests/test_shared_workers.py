"""Three `kakehashi run` workers on one PostgreSQL state (a real server: tests/support/
postgres.py), the real python-telegram-bot sending to a fake Bot API, feeds served from
127.0.0.1: the backlog is shared (each article translated, published and delivered once),
one worker publishes, and a killed worker's share is taken over."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.helpers import good_doc, normalized, write_good
from tests.support.fake_bot_api import FakeBotApi
from tests.support.http_server import Route, serve
from tests.support.shared_workers import (
    all_done,
    one,
    published_once,
    publisher_pid,
    rows,
    status_text,
    titles_of,
    wait,
    workers,
    write_config,
)

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("installed_model")]
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
# A private chat: python-telegram-bot paces a channel at 20 messages a minute, which would
# make this test about Telegram's pace (bot/telegram/api.py), not about the workers.
CHAT = "4242"


def _rss(numbers: range) -> bytes:
    items = "".join(
        f"<item><title>{d.title}</title><link>https://news.example.jp/a/{d.number}</link>"
        f"<guid>urn:test:{d.number}</guid><description>{''.join(d.text.splitlines()[1:])}"
        "</description></item>" for d in map(good_doc, numbers))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t'
            f"</title><link>https://news.example.jp/</link><description>d</description>{items}"
            "</channel></rss>").encode()


def test_three_workers_share_a_backlog_each_article_once(
        tmp_path: Path, postgres_url: str, api: FakeBotApi) -> None:
    folders = [tmp_path / f"folder{i}" for i in range(3)]
    for n in range(300):  # a hundred documents in each worker's folder
        write_good(folders[n % 3], n)
    for n in range(10):  # and ten of them dropped into a second worker's folder too
        write_good(folders[(n + 1) % 3], n, name=f"copy_{n:04d}.txt")
    routes = {"/a.xml": Route(_rss(range(1000, 1010)), headers=RSS),
              "/b.xml": Route(_rss(range(1010, 1020)), headers=RSS)}
    titles = titles_of([*range(300), *range(1000, 1020)])
    out = tmp_path / "out"
    with serve(routes) as feeds:
        config = write_config(tmp_path / "run.toml", [feeds.url("/a.xml"), feeds.url("/b.xml")])
        with workers(3, folders, out, postgres_url, config, api.env(CHAT),
                     tmp_path / "logs") as crew:
            wait(lambda: all_done(postgres_url, api, titles, out), "every article delivered",
                 crew)
            status = status_text(postgres_url)
            # One publisher while they ran (when it stops first, another takes over: fine).
            publishers = sum("this worker publishes" in w.text() for w in crew)
            for worker in crew:
                worker.stop()
    # Translated once: the model got each text once, across the three workers (a text sent
    # twice would count twice here and once in the shared memory).
    assert sum(w.model_calls() for w in crew) == one(postgres_url,
                                                     "SELECT count(*) FROM translations")
    assert all(w.model_calls() for w in crew), "a worker translated nothing: nothing shared"
    # Published once, delivered once, every message sent.
    assert published_once(out, titles) == []
    assert api.duplicates() == {}
    delivered = normalized("\n".join(api.texts()))
    assert [t for t in titles if delivered.count(normalized(t)) != 1] == []
    # One worker published: the digests were numbered by one, in one sequence.
    assert "workers: 3 alive" in status and status.count("publisher") == 1, status
    assert publishers == 1
    # Stopped cleanly, the workers left: no member, no claim.
    assert rows(postgres_url, "SELECT id FROM workers") == []
    assert rows(postgres_url, "SELECT key FROM claims") == []


def test_killed_workers_share_is_taken_over(tmp_path: Path, postgres_url: str,
                                            api: FakeBotApi) -> None:
    folder = tmp_path / "shared"  # one folder (a shared volume) watched by all three
    for n in range(90):
        write_good(folder, n)
    titles = titles_of(range(90))
    out = tmp_path / "out"
    api.hold(after=0)  # the first message is held: the publisher is caught sending it
    config = write_config(tmp_path / "run.toml", [])
    unrecorded = ("SELECT w.pid, c.key FROM claims c JOIN workers w ON w.id = c.worker"
                  " WHERE position(':' in c.key) = 0 AND NOT EXISTS"  # documents' text keys
                  " (SELECT 1 FROM documents d WHERE d.hash = c.key)")
    with workers(3, [folder], out, postgres_url, config, api.env(CHAT),
                 tmp_path / "logs") as crew:
        by_pid = {w.process.pid: w for w in crew}
        # First a worker caught translating: claims on documents it has not recorded yet.
        caught: list[tuple[object, ...]] = []
        wait(lambda: bool(one(postgres_url, "SELECT to_regclass('claims')"))
             and bool(caught.extend(rows(postgres_url, unrecorded)) or caught),
             "a worker with claims in hand", crew)
        translator = int(str(caught[0][0]))
        claimed = {str(key) for pid, key in caught if pid == caught[0][0]}
        by_pid[translator].kill()
        recorded = {str(k) for (k,) in rows(postgres_url, "SELECT hash FROM documents")}
        assert claimed - recorded, "the kill landed after its documents were recorded"
        # Then the publisher, caught sending: the message may or may not have arrived.
        api.wait_held(timeout=600)
        publisher = publisher_pid(postgres_url)
        assert publisher is not None and publisher != translator
        by_pid[publisher].kill()
        api.release()
        survivor = next(w for w in crew if w.alive())
        wait(lambda: all_done(postgres_url, api, titles, out), "every article delivered",
             [survivor])
        survivor.stop()
    recorded = {str(k) for (k,) in rows(postgres_url, "SELECT hash FROM documents")}
    assert claimed <= recorded  # the killed translator's documents were redone
    assert published_once(out, titles) == []
    assert sum(api.duplicates().values()) - len(api.duplicates()) <= 1  # the held one at most
    assert survivor.text().count("may or may not have arrived") <= 1
    assert "this worker publishes" in survivor.text()
