"""`release --messages` names one row of the outbox: its digest, its part and its channel
(DIGEST:PART on Telegram, CHANNEL:DIGEST:PART on another), as `status` lists it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.channels import TELEGRAM
from bot.state.records import DeliveryStatus, Message, MessageRef
from bot.state.store import Store
from tests.conftest import run_cli

OTHER = "archive"  # a second channel in the same state file


def held_on_two_channels(path: Path) -> None:
    """Digest 1, part 1 held on Telegram and on another channel; part 2 sent on both."""
    store = Store.open(path)
    try:
        with store.transaction():
            digest = store.create_digest(datetime(2026, 11, 26, tzinfo=UTC), [])
            for channel in (TELEGRAM, OTHER):
                store.outbox().queue(digest, channel, ["one", "two"])
        for channel in (TELEGRAM, OTHER):
            store.outbox().record(Message(digest, 1, "one"), channel, DeliveryStatus.HELD,
                                  "uncertain: may have arrived")
            store.outbox().record(Message(digest, 2, "two"), channel, DeliveryStatus.SENT)
    finally:
        store.close()


def statuses(path: Path) -> dict[tuple[str, int], str]:
    with sqlite3.connect(path) as conn:
        return {(c, p): s for c, p, s in conn.execute(
            "SELECT channel, part, status FROM deliveries")}


def held_names(state: Path) -> list[str]:
    """The names `status` gives the held messages: the first word of each held line."""
    result = run_cli("status", "--state", str(state))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("messages held:"))
    shown = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        shown.append(line.split()[0])
    return shown


def test_releasing_a_held_message_releases_that_channel_only(tmp_path: Path):
    state = tmp_path / "state.sqlite3"
    held_on_two_channels(state)
    telegram, other = "1:1", f"{OTHER}:1:1"
    assert sorted(held_names(state)) == sorted([telegram, other])

    released = run_cli("release", "--messages", other, "--state", str(state))
    assert released.returncode == 0, released.stderr
    assert released.stdout == "released 1 message(s); the next run sends them again\n"
    assert statuses(state) == {(TELEGRAM, 1): "held", (TELEGRAM, 2): "sent",
                               (OTHER, 1): "pending", (OTHER, 2): "sent"}
    assert held_names(state) == [telegram]

    released = run_cli("release", "--messages", telegram, "--state", str(state))
    assert released.returncode == 0, released.stderr
    assert statuses(state)[(TELEGRAM, 1)] == "pending"
    assert "messages held:" not in run_cli("status", "--state", str(state)).stdout


def test_a_message_on_a_channel_without_it_is_unknown_and_nothing_is_released(tmp_path: Path):
    state = tmp_path / "state.sqlite3"
    held_on_two_channels(state)
    result = run_cli("release", "--messages", "1:1", "rss:1:1", "--state", str(state))
    assert result.returncode == 1
    assert result.stderr == (f"kakehashi: error: release: no message rss:1:1 in {state} "
                             "(see 'kakehashi status'); nothing released\n")
    assert statuses(state)[(TELEGRAM, 1)] == "held"  # all or nothing


@pytest.mark.parametrize(("text", "ref"), [
    ("3:2", MessageRef(TELEGRAM, 3, 2)),
    ("#3:2", MessageRef(TELEGRAM, 3, 2)),
    (f"{TELEGRAM}:3:2", MessageRef(TELEGRAM, 3, 2)),
    ("archive:12:1", MessageRef("archive", 12, 1)),
])
def test_a_message_name_reads_back_as_written(text: str, ref: MessageRef):
    assert MessageRef.parse(text) == ref
    assert MessageRef.parse(str(ref)) == ref


@pytest.mark.parametrize("text", ["3", "3:", "3:2:1", ":3:2", "a:b:3:2", "３:2", "3-2"])
def test_what_is_not_a_message_name_is_refused(text: str):
    with pytest.raises(ValueError, match="is not DIGEST:PART"):
        MessageRef.parse(text)
