"""The watched folder: what is listed, the stat index, the stability check."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from bot.core.errors import InputError
from bot.sources.folder import (
    MAX_DEPTH,
    FolderScan,
    read_bytes,
    scan_folder,
    settled,
    unseen,
    walk_folder,
)


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


def unread_reasons(root: Path, follow: bool = False) -> dict[str, str]:
    return {u.name: u.reason for u in walk_folder(root, follow).unread}


def test_links_are_not_followed_by_default_and_are_listed(tmp_path: Path):
    outside = write(tmp_path / "outside" / "secret.txt")
    write(tmp_path / "seeds" / "a.txt")
    (tmp_path / "seeds" / "link.txt").symlink_to(outside)
    (tmp_path / "seeds" / "linked-folder").symlink_to(outside.parent)

    scan = walk_folder(tmp_path / "seeds")

    assert [c.name for c in scan.files] == ["a.txt"]
    reasons = unread_reasons(tmp_path / "seeds")
    assert set(reasons) == {"link.txt", "linked-folder"}
    assert all("not followed" in r for r in reasons.values())


def test_followed_links_are_read_and_loops_and_dangling_links_listed(tmp_path: Path):
    seeds = tmp_path / "seeds"
    outside = write(tmp_path / "outside" / "secret.txt")
    write(seeds / "sub" / "a.txt")
    (seeds / "link.txt").symlink_to(outside)
    (seeds / "sub" / "up").symlink_to(seeds)  # a folder loop
    (seeds / "self.txt").symlink_to(seeds / "self.txt")
    (seeds / "gone.txt").symlink_to(tmp_path / "missing.txt")

    scan = walk_folder(seeds, follow_symlinks=True)

    assert [c.name for c in scan.files] == ["link.txt", "sub/a.txt"]
    assert scan.files[0].path.read_text(encoding="utf-8") == outside.read_text(encoding="utf-8")
    reasons = unread_reasons(seeds, follow=True)
    assert "link loop" in reasons["sub/up"]
    assert "symbolic link loop" in reasons["self.txt"]
    assert "dangling symbolic link" in reasons["gone.txt"]


def test_special_files_are_listed_and_never_opened(tmp_path: Path):
    write(tmp_path / "a.txt")
    os.mkfifo(tmp_path / "pipe.txt")  # opening it for reading would block the run
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(tmp_path / "s.txt"))
    listener.close()

    reasons = unread_reasons(tmp_path)

    assert [c.name for c in scan_folder(tmp_path)] == ["a.txt"]
    assert "named pipe (FIFO)" in reasons["pipe.txt"] and "socket" in reasons["s.txt"]


def test_device_files_are_listed(tmp_path: Path):
    try:
        os.mknod(tmp_path / "null.txt", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device file needs CAP_MKNOD, which this user lacks")
    assert "character device" in unread_reasons(tmp_path)["null.txt"]


def test_a_file_that_became_a_fifo_or_a_link_is_refused_without_blocking(tmp_path: Path):
    path = write(tmp_path / "a.txt")
    (candidate,) = scan_folder(tmp_path)
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(InputError, match="not a regular file"):
        read_bytes(candidate, 1000, follow_symlinks=False)
    path.unlink()
    path.symlink_to(write(tmp_path / "elsewhere" / "b.txt"))
    with pytest.raises(InputError, match="symbolic link"):
        read_bytes(candidate, 1000, follow_symlinks=False)


def test_a_file_grown_past_the_limit_since_the_scan_is_refused(tmp_path: Path):
    path = write(tmp_path / "a.txt", "短い。")
    (candidate,) = scan_folder(tmp_path)
    write(path, "長い文章。" * 100)
    with pytest.raises(InputError, match="too large"):
        read_bytes(candidate, len("短い。".encode()) + 10)


def test_deep_folders_are_walked_without_recursion_and_bounded(tmp_path: Path):
    folder = tmp_path
    for level in range(1, 1201):
        folder = folder / "d"
        folder.mkdir()
        if level in (3, MAX_DEPTH - 1):
            write(folder / f"at{level}.txt")
    try:
        scan = walk_folder(tmp_path)
    finally:
        remove_chain(tmp_path / "d")
    assert [c.name.rsplit("/", 1)[-1] for c in scan.files] == ["at3.txt",
                                                               f"at{MAX_DEPTH - 1}.txt"]
    (deep,) = scan.unread
    assert deep.name.count("/") == MAX_DEPTH - 1 and "deeper than" in deep.reason


def remove_chain(top: Path) -> None:
    """Remove nested folders bottom-up (shutil.rmtree recurses once per level)."""
    folders = [top]
    while (folders[-1] / "d").is_dir():
        folders.append(folders[-1] / "d")
    for folder in reversed(folders):
        for child in folder.iterdir():
            if not child.is_dir():
                child.unlink()
        folder.rmdir()


def test_a_folder_named_like_a_file_is_walked(tmp_path: Path):
    write(tmp_path / "x.txt" / "inside.md")
    assert [c.name for c in scan_folder(tmp_path)] == ["x.txt/inside.md"]


def test_unreadable_folders_are_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    write(tmp_path / "locked" / "a.txt")
    write(tmp_path / "open" / "b.txt")
    if os.geteuid() == 0:  # root reads any folder: the refusal is scripted instead
        real = os.scandir

        def scandir(path: str) -> object:
            if str(path).endswith("locked"):
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        monkeypatch.setattr(os, "scandir", scandir)
    (tmp_path / "locked").chmod(0)
    try:
        scan = walk_folder(tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert [c.name for c in scan.files] == ["open/b.txt"]
    assert unread_reasons_of(scan) == {"locked": "cannot read folder: Permission denied"}


def unread_reasons_of(scan: FolderScan) -> dict[str, str]:
    return {u.name: u.reason for u in scan.unread}


def test_names_that_are_not_utf8_get_a_safe_name_and_a_lossless_key(tmp_path: Path):
    root = os.fsencode(tmp_path)
    for raw in (b"bad\xff.md", b"bad\xfe.md", "報告".encode("shift_jis") + b".txt",
                b"two\nlines.txt"):
        with open(os.path.join(root, raw), "wb") as fh:
            fh.write("中国と中央アジアの協力。".encode())

    files = {c.name: c for c in scan_folder(tmp_path)}

    assert set(files) == {"bad\\xfe.md", "bad\\xff.md", "\\x95\\xf1\\x8d\\x90.txt",
                          "two\\x0alines.txt"}
    assert files["two\\x0alines.txt"].ident == "two\nlines.txt"  # valid UTF-8: kept as is
    keys = {c.ident for c in files.values()}
    assert len(keys) == 4 and "bytes:" + b"bad\xff.md".hex() in keys
    for candidate in files.values():
        candidate.ident.encode("utf-8")
        assert read_bytes(candidate, 1000).decode() == "中国と中央アジアの協力。"


def test_a_folder_named_like_a_document_is_walked_and_listed(tmp_path: Path):
    (tmp_path / "report.txt").mkdir()
    (tmp_path / "report.txt" / "本文.txt").write_text("本文です。", encoding="utf-8")
    scan = walk_folder(tmp_path)
    assert [c.name for c in scan.files] == ["report.txt/本文.txt"]
    assert [(u.name, "folder named like a document" in u.reason) for u in scan.unread] == [
        ("report.txt", True)]
