"""Output files: modes follow the umask, leftovers of a killed run go, numbers never clash."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.publish.files import remove_stale_temps, write_atomic, write_new
from bot.publish.preview import preview_body, write_preview
from tests.conftest import run_cli
from tests.test_concurrency import make_folder, once_args


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("installed_model", "umask")
@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_feed_and_previews_follow_the_umask(tmp_path: Path, mask: int):
    make_folder(tmp_path, ("04_report.md",))
    os.umask(mask)  # the child process inherits it, as from a user's shell
    result = run_cli(*once_args(tmp_path))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    previews = list((out / "telegram").glob("*.html"))
    assert previews
    for path in [out / "feed.xml", *previews]:
        assert mode(path) == 0o666 & ~mask, path


@pytest.mark.usefixtures("installed_model")
def test_temp_files_left_by_a_killed_run_are_removed(tmp_path: Path):
    make_folder(tmp_path, ("04_report.md",))
    out = tmp_path / "out"
    (out / "telegram").mkdir(parents=True)
    ours = [out / ".feed.xml.k2j_9x1a.tmp", out / "telegram" / ".001.html.abcdefgh.tmp"]
    theirs = [out / ".feed.xml.bak", out / "notes.tmp", out / ".feed.xml.short.tmp",
              out / "telegram" / ".draft.html.abcdefgh.tmp"]
    for path in ours + theirs:
        path.write_text("left behind")
    result = run_cli(*once_args(tmp_path))
    assert result.returncode == 0, result.stderr
    assert [p for p in ours if p.exists()] == []
    assert all(p.read_text() == "left behind" for p in theirs)
    assert not [p for p in out.rglob("*.tmp") if p not in theirs]


def test_stale_temps_of_every_archive_page_are_known(tmp_path: Path):
    ours = [".robots.txt.k2j_9x1a.tmp", ".rail.example.com-9092fbc0.html.abcdefgh.tmp",
            ".3.html.abcdefgh.tmp", ".kakehashi-0a1b.html.abcdefgh.tmp",
            ".search.html.abcdefgh.tmp", ".search.js.k2j_9x1a.tmp"]
    for name in [*ours, ".notes.html.abcdefgh.tmp"]:
        (tmp_path / name).write_text("left behind")
    assert sorted(p.name for p in remove_stale_temps(tmp_path)) == sorted(ours)
    assert [p.name for p in tmp_path.iterdir()] == [".notes.html.abcdefgh.tmp"]


def test_remove_stale_temps_without_a_folder(tmp_path: Path):
    assert remove_stale_temps(tmp_path / "missing") == []


def test_write_new_never_replaces_a_file(tmp_path: Path):
    path = tmp_path / "001.html"
    assert write_new(path, "first") is True
    assert write_new(path, "second") is False
    assert path.read_text() == "first" and list(tmp_path.iterdir()) == [path]


def test_a_preview_number_taken_meanwhile_is_skipped(tmp_path: Path):
    folder = tmp_path / "telegram"
    folder.mkdir()
    (folder / "001.html").write_text("someone else's")
    write_atomic(folder / "002.html", "also taken")
    path = write_preview(tmp_path, "body")
    assert path.name == "003.html" and preview_body(path.read_text()) == "body"
    assert (folder / "001.html").read_text() == "someone else's"


@pytest.mark.usefixtures("installed_model")
@pytest.mark.parametrize("landed", [True, False], ids=["page-landed", "page-lost"])
def test_a_preview_left_claimed_by_a_killed_run_is_written_exactly_once(tmp_path: Path,
                                                                         landed: bool):
    import sqlite3

    make_folder(tmp_path, ("04_report.md",))
    assert run_cli(*once_args(tmp_path)).returncode == 0
    folder = tmp_path / "out" / "telegram"
    pages = sorted(folder.glob("*.html"))
    # What a kill between writing the last preview and recording it leaves: the message
    # still claimed, and its page there (or not, if the kill came before the rename).
    conn = sqlite3.connect(tmp_path / "state.sqlite3")
    with conn:
        conn.execute("UPDATE deliveries SET status='sending', claimed_by='pid 1' WHERE part="
                     "(SELECT max(part) FROM deliveries)")
    conn.close()
    if not landed:
        pages[-1].unlink()

    result = run_cli(*once_args(tmp_path))

    assert result.returncode == 0, result.stderr
    bodies = [preview_body(p.read_text(encoding="utf-8")) for p in folder.glob("*.html")]
    assert len(bodies) == len(pages) and len(set(bodies)) == len(bodies)
    status = run_cli("status", "--state", str(tmp_path / "state.sqlite3")).stdout
    assert "being sent" not in status and "held" not in status.split("undelivered")[-1]
