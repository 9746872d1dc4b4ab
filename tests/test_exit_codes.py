"""Exit codes as the README says: 2 for usage errors, 1 for failures (an unknown guid
among them), 141 and silence when the reader of stdout goes away."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

USAGE_ERRORS = {
    "models install, nothing": (["models", "install"], "give a language pair"),
    "models install, one code": (["models", "install", "ja"], "give a language pair"),
    "models install, three codes": (["models", "install", "ja", "en", "fr"],
                                    "give a language pair"),
    "models install, codes and file": (["models", "install", "ja", "en", "--file", "x"],
                                       "not both"),
    "release, nothing": (["release"], "give GUIDs"),
    "release, guid and --all": (["release", "abc", "--all"], "not both"),
    "release --messages, nothing": (["release", "--messages"], "give DIGEST:PART"),
    "release --messages, not a key": (["release", "--messages", "3-2"], "is not DIGEST:PART"),
    "release --messages, key and --all": (["release", "--messages", "3:2", "--all"],
                                          "not both"),
    "translate, blank": (["translate", "  "], "give the Japanese text"),
    "eval, zero limit": (["eval", "pairs.tsv", "--limit", "0"], "--limit must be 1 or more"),
    "eval, unknown engine": (["eval", "pairs.tsv", "--engine", "deepl"], "invalid choice"),
    "glossary suggest, zero count": (["glossary", "suggest", ".", "--min-count", "0"],
                                     "--min-count must be 1 or more"),
    "quiet and verbose": (["--quiet", "status", "--verbose"], "cannot be used together"),
    "unknown option": (["status", "--loud"], "unrecognized arguments"),
    "unknown command": (["publish"], "invalid choice"),
    "models, no action": (["models"], "usage: kakehashi models"),
}


@pytest.mark.parametrize("case", sorted(USAGE_ERRORS))
def test_usage_errors_exit_2(case: str, tmp_path: Path):
    args, message = USAGE_ERRORS[case]
    result = run_cli(*args, "--state", str(tmp_path / "s.sqlite3")) if args[0] == "release" \
        else run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing was created by a refused command


def read_first_line_then_close(*args: str) -> tuple[str, int, str]:
    """Run the command, read one line of its stdout, close the pipe as `head -1` does."""
    with subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline().decode("utf-8")
        process.stdout.close()
        stderr = process.stderr.read().decode("utf-8")
        return first, process.wait(timeout=120), stderr


def assert_quiet_close(first: str, code: int, stderr: str) -> None:
    assert first.strip()
    assert code == 141, stderr  # 128 + SIGPIPE: what a shell reports for `cat big | head -1`
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert "BrokenPipe" not in stderr and "Broken pipe" not in stderr, stderr


def test_glossary_lint_into_a_closed_pipe(tmp_path: Path):
    glossary = tmp_path / "big.tsv"
    # Far more findings than a pipe buffers (64 KiB): the writer meets the closed pipe.
    rows = [f"用語{i}\tterm {i}\n用語{i}\tother rendering {i}\n" for i in range(4000)]
    glossary.write_text("ja\ten\n" + "".join(rows), encoding="utf-8")
    assert_quiet_close(*read_first_line_then_close("glossary", "lint", str(glossary)))


def test_status_into_a_closed_pipe(tmp_path: Path):
    from datetime import UTC, datetime

    from bot.state.store import Store

    state = tmp_path / "s.sqlite3"
    store = Store.open(state)
    with store.transaction():
        for i in range(3000):
            store.record_document(f"skip:{i}", f"unreadable-document-{i:05d}.pdf",
                                  datetime.now(UTC), "skipped", "not a PDF: no header found")
    store.close()
    assert_quiet_close(*read_first_line_then_close("status", "--state", str(state)))


def test_inspect_into_a_closed_pipe(tmp_path: Path):
    long = tmp_path / "long.txt"
    sentence = "号の貨物列車は予定どおり午前中に国境の駅を通過した。"
    sentences = "".join(f"第{i}{sentence}" for i in range(3000))
    long.write_text("長い報告\n\n" + sentences + "\n", encoding="utf-8")
    assert_quiet_close(*read_first_line_then_close("inspect", str(long)))


def test_a_short_output_read_in_full_exits_0(tmp_path: Path):
    result = run_cli("status", "--state", str(tmp_path / "none.sqlite3"))
    assert result.returncode == 0 and result.stdout.startswith("no state yet")


@pytest.mark.usefixtures("installed_model")
def test_release_of_an_unknown_guid_names_it_and_releases_nothing(tmp_path: Path):
    held = held_entries(tmp_path)
    result = run_cli("release", held[0], "kakehashi-nosuchentry", *state_args(tmp_path))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (f"kakehashi: error: release: no entry kakehashi-nosuchentry in "
                             f"{tmp_path / 's.sqlite3'} (see 'kakehashi status'); "
                             "nothing released\n")
    assert held_entries(tmp_path, run=False) == held  # all or nothing: still held

    released = run_cli("release", held[0], *state_args(tmp_path))
    assert released.returncode == 0, released.stderr
    assert released.stdout == "released 1 entry; the next run publishes them\n"
    again = run_cli("release", held[0], *state_args(tmp_path))
    assert again.returncode == 0 and again.stdout == "nothing released: no entry named is held\n"
    assert f"entry {held[0]} was not held" in again.stderr


def test_release_of_an_unknown_message_names_it(tmp_path: Path):
    from bot.state.store import Store

    Store.open(tmp_path / "s.sqlite3").close()
    result = run_cli("release", "--messages", "7:1", "#8:2", *state_args(tmp_path))
    assert result.returncode == 1
    assert result.stderr == (f"kakehashi: error: release: no messages 7:1, 8:2 in "
                             f"{tmp_path / 's.sqlite3'} (see 'kakehashi status'); "
                             "nothing released\n")


def state_args(tmp_path: Path) -> list[str]:
    return ["--state", str(tmp_path / "s.sqlite3"), "--config", str(strict_config(tmp_path))]


def strict_config(tmp_path: Path) -> Path:
    path = tmp_path / "strict.toml"
    path.write_text("[sources]\nsettle_seconds = 0\n[glossary]\nstrict = true\n")
    return path


def held_entries(tmp_path: Path, run: bool = True) -> list[str]:
    """Guids `status` lists as HELD, after a strict run over a sample (the tiny model's
    random output never renders the glossary's terms, so its entries are held)."""
    if run:
        seeds = tmp_path / "in"
        seeds.mkdir()
        shutil.copy(ROOT / "seeds" / "01_web_copy.txt", seeds)
        once = run_cli("once", "--seeds", str(seeds), "--out", str(tmp_path / "out"),
                       *state_args(tmp_path))
        assert once.returncode == 0, once.stderr
    status = run_cli("status", *state_args(tmp_path))
    held = [line.split()[0] for line in status.stdout.splitlines() if " HELD " in line]
    assert held, status.stdout
    return held
