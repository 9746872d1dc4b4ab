"""The watched folder: what is listed, the stat index, the stability check."""

from __future__ import annotations

import os
from pathlib import Path

from bot.sources.folder import scan_folder, settled, unseen


def write(path: Path, text: str = "中国と中央アジアの協力。", age: float = 3600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    then = path.stat().st_mtime - age
    os.utime(path, (then, then))
    return path


def test_scan_skips_dotfiles_partial_downloads_and_readme(tmp_path: Path):
    for name in ("a.txt", "sub/b.md", ".hidden.txt", "c.txt.part", "d.tmp", "README.md",
                 ".git/config", "e.html"):
        write(tmp_path / name)
    assert [c.name for c in scan_folder(tmp_path)] == ["a.txt", "e.html", "sub/b.md"]


def test_unseen_uses_size_and_mtime_only(tmp_path: Path):
    files = [write(tmp_path / "a.txt"), write(tmp_path / "b.txt")]
    index = {c.name: c.signature for c in scan_folder(tmp_path)}
    assert unseen(scan_folder(tmp_path), index) == []
    write(files[1], "中国と中央アジアの協力が深まる。")
    assert [c.name for c in unseen(scan_folder(tmp_path), index)] == ["b.txt"]


def test_a_file_still_being_written_waits_for_the_next_run(tmp_path: Path):
    write(tmp_path / "old.txt")
    growing = write(tmp_path / "growing.txt", age=0)
    write(tmp_path / "young.txt", age=0)
    candidates = scan_folder(tmp_path)
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        with growing.open("a", encoding="utf-8") as fh:  # the copy goes on meanwhile
            fh.write("まだ書き込み中。")

    chosen = settled(candidates, 2.0, sleep=sleep)
    assert naps == [2.0]
    assert [c.name for c in chosen] == ["old.txt", "young.txt"]


def test_settled_files_are_not_waited_for(tmp_path: Path):
    write(tmp_path / "old.txt")
    naps: list[float] = []
    assert len(settled(scan_folder(tmp_path), 2.0, sleep=naps.append)) == 1
    assert naps == []
