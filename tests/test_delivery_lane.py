"""A Telegram outage holds up neither the feed nor the archive: `kakehashi run` sends on a
delivery lane of its own, and what it sends once Telegram is back arrives exactly once.

A real `kakehashi run` subprocess, the tiny model, python-telegram-bot against the fake Bot API
answering 500 to everything, with a retry budget far longer than the test: a job that waited
for Telegram would hold the second drop back for the whole test.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.reliability.helpers import Paths, drop_file, good_doc, normalized, write_config
from tests.support.fake_bot_api import FakeBotApi
from tests.test_service import (
    NO_RESCAN,
    delivered,
    exactly_once,
    in_feed,
    running,
    stop,
    telegram_env,
    wait_until,
)

pytestmark = pytest.mark.usefixtures("installed_model")
# Retried within one pass for an hour (longer than any wait below), every half second at most.
OUTAGE = ("[telegram]\nretry_budget_seconds = 3600\nretry_base_seconds = 0.2\n"
          "retry_max_seconds = 0.5\n")


def in_archive(paths: Paths, titles: list[str]) -> bool:
    from lxml import html

    index = paths.out / "index.html"
    if not index.exists():
        return False
    text = normalized(html.fromstring(index.read_bytes()).text_content())
    return all(normalized(title) in text for title in titles)


def outbox_statuses(state: Path) -> list[str]:
    with sqlite3.connect(state) as conn:
        return [status for (status,) in conn.execute(
            "SELECT status FROM deliveries ORDER BY digest_id, part")]


def test_a_telegram_outage_holds_up_neither_the_feed_nor_the_archive(
        tmp_path: Path, api: FakeBotApi) -> None:
    paths = Paths.under(tmp_path)
    config = write_config(tmp_path / "run.toml", OUTAGE + NO_RESCAN + "debounce_seconds = 0.5\n")
    first, second = good_doc(3900), good_doc(3901)
    api.fail_all = 500  # getMe and sendMessage alike: Telegram is down
    with running(paths, config, telegram_env(api)) as (process, lines):
        drop_file(paths.seeds, "first.txt", first.text)
        wait_until(lambda: in_feed(paths, [first]), 60, "the first drop in the feed",
                   process, lines)
        # The lane is now retrying the first digest's messages against the outage.
        wait_until(lambda: any("trying again in" in line for line in lines), 60,
                   "a failed send being retried", process, lines)
        drop_file(paths.seeds, "second.txt", second.text)
        wait_until(lambda: in_feed(paths, [first, second])
                   and in_archive(paths, [first.title, second.title]), 60,
                   "the second drop in the feed and the archive while Telegram fails",
                   process, lines)
        assert api.messages == [], "Telegram accepted a message during the outage"
        assert "pending" in outbox_statuses(paths.state)
        api.fail_all = None  # Telegram is back
        wait_until(lambda: delivered(api, [first, second]), 60,
                   "both digests in the channel once Telegram answers again", process, lines)
        stop(process, lines)
    text = "".join(lines)
    assert "digest #1 published" in text and "digest #2 published" in text, text[-3000:]
    exactly_once(api, paths, [first, second])
    assert set(outbox_statuses(paths.state)) == {"sent"}
    assert len(api.messages) == len(outbox_statuses(paths.state))
