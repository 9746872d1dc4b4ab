"""`kakehashi status --json` lists what the text form does of stories merged as
near-duplicates and of feed entries published from their teaser, credentials left out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bot.state.records import SavedPage
from bot.state.store import Store
from bot.state.storylog import Merge
from tests.conftest import run_cli

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PAGE = "https://reader:s3cret@news.example.jp/a/1.html"


def test_status_json_lists_merges_and_teasers(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    store = Store.open(state)
    with store.transaction():
        store.stories().record_merge(Merge("k2", "g1", "copy.txt", "貿易額が過去最高に",
                                           0.91, NOW.isoformat()))
        store.feeds().save_page(PAGE, SavedPage("", "", "", "", "HTTP 403"), NOW.timestamp())
    store.close()

    text = run_cli("status", "--state", str(state)).stdout
    result = run_cli("status", "--json", "--state", str(state))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)

    assert "copy.txt" in text and "news.example.jp/a/1.html" in text  # shown as text, too
    assert data["merges"] == [{"key": "k2", "guid": "g1", "name": "copy.txt",
                               "title": "貿易額が過去最高に", "similarity": 0.91,
                               "at": NOW.isoformat(), "kept_title": ""}]
    assert data["teasers"] == [{"url": "https://news.example.jp/a/1.html",
                                "reason": "HTTP 403", "fetched_at": "2026-12-01T09:00:00+00:00"}]
    assert "s3cret" not in result.stdout


def test_status_json_without_a_state_file_has_empty_lists(tmp_path: Path) -> None:
    data = json.loads(run_cli("status", "--json", "--state",
                              str(tmp_path / "none.sqlite3")).stdout)
    assert data["exists"] is False and data["merges"] == [] and data["teasers"] == []
