"""The command line: help everywhere, documented commands, one-line errors, lean start-up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli.main import build_parser, main
from tests.conftest import ROOT, argos_env, run_cli


def command_paths() -> list[list[str]]:
    """Every command and sub-command of the parser, e.g. ['models', 'install']."""
    found: list[list[str]] = []

    def walk(parser: object, prefix: list[str]) -> None:
        for action in getattr(parser, "_actions", []):
            for name, sub in getattr(action, "choices", {}).items() if hasattr(
                    action, "add_parser") else []:
                found.append([*prefix, name])
                walk(sub, [*prefix, name])

    walk(build_parser(), [])
    return found


COMMANDS = command_paths()


def test_commands_exist():
    assert ["once"] in COMMANDS and ["demo"] in COMMANDS and ["models", "install"] in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: kakehashi " + " ".join(command))
    assert len(out.splitlines()) > 3


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_is_in_the_readme(command: list[str]):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"kakehashi {' '.join(command)}" in readme


def test_help_does_not_import_heavy_libraries():
    result = run_cli("--help", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0
    imported = set(re.findall(r"\|\s+([\w.]+)$", result.stderr, re.MULTILINE))
    assert "bot.cli.main" in imported
    for heavy in ("ctranslate2", "telegram", "feedparser", "argostranslate", "jinja2"):
        assert heavy not in imported


def test_once_without_a_model_fails_before_touching_anything(tmp_path: Path):
    out, state = tmp_path / "out", tmp_path / "state.sqlite3"
    result = run_cli("once", "--seeds", str(ROOT / "seeds"), "--out", str(out),
                     "--state", str(state), env=argos_env(tmp_path / "argos"))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "kakehashi models install ja en" in result.stderr
    assert "kakehashi models install --file" in result.stderr
    assert not out.exists() and not state.exists()


def test_demo_without_model_or_network_says_how_to_install(tmp_path: Path):
    result = run_cli("demo", env=argos_env(tmp_path / "argos"), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("kakehashi: error:")
    assert "cannot reach the Argos package index" in last
    assert "kakehashi models install --file" in last
    assert not (tmp_path / "out").exists()


@pytest.mark.usefixtures("installed_model")
def test_missing_watched_folder_fails_before_touching_anything(tmp_path: Path):
    result = run_cli("once", "--seeds", str(tmp_path / "nope"), "--out", str(tmp_path / "out"),
                     "--state", str(tmp_path / "s.sqlite3"))
    assert result.returncode == 2
    assert result.stderr == ("kakehashi: error: the watched folder does not exist: "
                             f"{tmp_path / 'nope'}\n")
    assert list(tmp_path.iterdir()) == []


def test_missing_config_file_is_a_one_line_error(tmp_path: Path):
    result = run_cli("status", "--config", str(tmp_path / "nope.toml"))
    assert result.returncode == 2
    assert result.stderr == f"kakehashi: error: config: file not found: {tmp_path / 'nope.toml'}\n"


def test_inspect_json_contract(tmp_path: Path):
    result = run_cli("inspect", str(ROOT / "seeds" / "01_web_copy.txt"), "--json")
    assert result.returncode == 0, result.stderr
    import json

    report = json.loads(result.stdout)
    assert [a["title"] for a in report["articles"]] == [
        "ホルゴス経由の中欧班列、上半期の運行本数が過去最多に",
        "ウズベキスタンと中国、貿易拡大へ新たな行動計画",
    ]
    for article in report["articles"]:
        assert isinstance(article["sentences"], list) and article["sentences"]
        assert all(isinstance(i, int) and 0 <= i < len(article["sentences"])
                   for i in article["summary"])
        assert article["summary"][0] == 0
        assert all(set(t) == {"ja", "en"} for t in article["terms"])
    first_terms = {t["ja"]: t["en"] for t in report["articles"][0]["terms"]}
    assert "ホルゴス" in first_terms and "中欧班列" in first_terms
    assert not any("Reference" in s for a in report["articles"] for s in a["sentences"])


def test_inspect_says_why_a_file_would_be_skipped(tmp_path: Path):
    english = tmp_path / "notes.txt"
    english.write_text("Plain English notes about freight trains.\n", encoding="utf-8")
    result = run_cli("inspect", str(english), "--json")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"kakehashi: error: inspect: {english}: not Japanese text: " \
        "skipped, nothing to translate\n"


def test_inspect_bad_file_is_a_one_line_error(tmp_path: Path):
    bad = tmp_path / "image.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = run_cli("inspect", str(bad))
    assert result.returncode == 1
    assert result.stderr.startswith("kakehashi: error: inspect:") and "binary" in result.stderr
    assert result.stderr.count("\n") == 1


def test_an_unexpected_failure_is_one_line_unless_debugging(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    import bot.state.status

    def broken(config: object) -> list[str]:
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.state.status, "status_lines", broken)
    monkeypatch.delenv("KAKEHASHI_DEBUG", raising=False)
    assert main(["status", "--state", str(tmp_path / "s.sqlite3")]) == 70
    assert capsys.readouterr().err == ("kakehashi: internal error: RuntimeError: boom (run again "
                                       "with KAKEHASHI_DEBUG=1 for the traceback)\n")
    monkeypatch.setenv("KAKEHASHI_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["status", "--state", str(tmp_path / "s.sqlite3")])


def test_a_busy_state_file_is_waited_for_then_reported(tmp_path: Path):
    import sqlite3

    from bot.core.errors import StoreError
    from bot.state.store import Store

    state = tmp_path / "s.sqlite3"
    Store.open(state).close()
    holder = sqlite3.connect(state, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    store = Store.open(state)
    store._conn.execute("PRAGMA busy_timeout=100")  # do not wait the full 30 s here
    try:
        with pytest.raises(StoreError, match="state file is busy"), store.transaction():
            pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()


def test_release_messages_needs_keys_or_all(tmp_path: Path):
    state = str(tmp_path / "s.sqlite3")
    result = run_cli("release", "--messages", "--state", state)
    assert result.returncode == 2
    assert result.stderr == ("kakehashi: error: release: give DIGEST:PART (see 'kakehashi "
                             "status') or --all\n")
    result = run_cli("release", "--messages", "three", "--state", state)
    assert result.returncode == 2
    assert result.stderr == ("kakehashi: error: release: 'three' is not DIGEST:PART (e.g. 3:2; "
                             "CHANNEL:DIGEST:PART on a channel other than Telegram)\n")
    # A state file that is not there is a mistyped --state: said so, and not created.
    result = run_cli("release", "--messages", "--all", "--state", state)
    assert result.returncode == 1 and result.stderr == (
        f"kakehashi: error: release: no state file at {state} (run 'kakehashi once' first, "
        "or give --state)\n")
    assert list(tmp_path.iterdir()) == []
    from bot.state.store import Store

    Store.open(tmp_path / "s.sqlite3").close()
    result = run_cli("release", "--messages", "--all", "--state", state)
    assert result.returncode == 0 and result.stdout == "nothing released: no message is held\n"


def test_status_does_not_create_a_lock_file(tmp_path: Path):
    from bot.state.store import Store

    state = tmp_path / "s.sqlite3"
    Store.open(state).close()
    result = run_cli("status", "--state", str(state))
    assert result.returncode == 0 and "undelivered: 0" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".lock")) == []


@pytest.mark.parametrize("setting", ['[telegram]\nuncertain = "maybe"',
                                     "[schedule]\nlock_wait_seconds = -1"])
def test_delivery_settings_are_checked(tmp_path: Path, setting: str):
    config = tmp_path / "k.toml"
    config.write_text(setting + "\n")
    result = run_cli("status", "--config", str(config))
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("kakehashi: error: config: ")
