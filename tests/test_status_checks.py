"""Editors' checks (numbers changed, glossary terms not rendered as agreed) are listed by
`kakehashi status`: subscribers do not see them unless the config says so."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.core.model import Entry, Pair, SourceInfo
from bot.state.store import Store
from tests.conftest import run_cli

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def entry(guid: str, warnings: tuple[str, ...]) -> Entry:
    return Entry(guid=guid, document=f"{guid}.txt", title_ja="貿易額が過去最高",
                 title_en="x", pairs=(Pair("貿易額は948億ドルだった。", "x"),), terms=(),
                 warnings=warnings, source=SourceInfo(), created=NOW)


def test_status_lists_recent_entries_with_checks(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    notes = tuple(f"number {n}億ドル ({n}00 million) missing in translation"
                  for n in (948, 12, 7, 3))
    store = Store.open(state)
    with store.transaction():
        store.add_entries([entry("checked", notes), entry("clean", ())])
        store.create_digest(NOW, ["checked", "clean"])
    store.close()

    lines = run_cli("status", "--state", str(state)).stdout.splitlines()

    head = lines.index("checks for editors (recent entries; subscribers see them only with "
                       "digest.show_checks):")
    listed = lines[head + 1:]
    assert listed[0] == f"  checked checked.txt: {'; '.join(notes[:3])} (+1 more)"
    assert not any("clean.txt" in line for line in listed)


def test_status_without_checks_has_no_such_section(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    store = Store.open(state)
    with store.transaction():
        store.add_entries([entry("clean", ())])
        store.create_digest(NOW, ["clean"])
    store.close()
    assert "checks for editors" not in run_cli("status", "--state", str(state)).stdout
