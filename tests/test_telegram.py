"""Publishing to Telegram with python-telegram-bot against a fake Bot API server."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.support.fake_bot_api import FakeBotApi


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(ROOT / "seeds" / "01_web_copy.txt", seeds)
    return seeds


def run_once(folder: Path, env: dict[str, str]) -> tuple[int, str]:
    out = folder.parent / "out"
    result = run_cli("once", "--seeds", str(folder), "--out", str(out),
                     "--state", str(folder.parent / "state.sqlite3"), env=env)
    return result.returncode, result.stderr


def telegram_env(api: FakeBotApi) -> dict[str, str]:
    return api.env("@kakehashi_test")


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_digest_is_sent_as_html_messages(api: FakeBotApi, folder: Path):
    code, stderr = run_once(folder, telegram_env(api))
    assert code == 0, stderr
    assert api.messages, "nothing reached the Bot API"
    for message in api.messages:
        assert message["chat_id"] == "@kakehashi_test"
        assert message["parse_mode"] == "HTML"
        assert json.loads(message["link_preview_options"]) == {"is_disabled": True}
    text = "\n".join(m["text"] for m in api.messages)
    assert "ホルゴス経由の中欧班列、上半期の運行本数が過去最多に" in text
    assert "ウズベキスタンと中国、貿易拡大へ新たな行動計画" in text
    assert not (folder.parent / "out" / "telegram").exists()

    sent = len(api.messages)
    code, stderr = run_once(folder, telegram_env(api))
    assert code == 0 and len(api.messages) == sent


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_failed_send_stays_in_the_outbox_and_is_retried(api: FakeBotApi, folder: Path):
    api.faults.append((403, "Forbidden: bot is not a member of the channel chat", None))
    code, stderr = run_once(folder, telegram_env(api))
    assert code == 1
    assert stderr.strip().splitlines()[-1].startswith("kakehashi: error: telegram: Forbidden")
    assert "Traceback" not in stderr and api.messages == []
    status = run_cli("status", "--state", str(folder.parent / "state.sqlite3"))
    waiting = int(re.search(r"undelivered: (\d+)", status.stdout).group(1))  # type: ignore[union-attr]
    assert waiting >= 1

    code, stderr = run_once(folder, telegram_env(api))
    assert code == 0, stderr
    assert len(api.messages) == waiting and "ホルゴス" in api.messages[0]["text"]


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_token_without_chat_is_a_clear_error(api: FakeBotApi, folder: Path):
    env = telegram_env(api)
    env["TELEGRAM_CHAT_ID"] = ""
    code, stderr = run_once(folder, env)
    assert code == 1 and "TELEGRAM_CHAT_ID" in stderr and "Traceback" not in stderr


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_short_flood_wait_is_waited_out(api: FakeBotApi, folder: Path):
    api.faults.append((429, "Too Many Requests: retry after 1", 1))
    code, stderr = run_once(folder, telegram_env(api))
    assert code == 0, stderr
    assert "Warning" not in stderr and api.messages
    # The rate limiter passes flood waits on to us without logging a traceback of its own.
    assert "Traceback" not in stderr and "Rate limit" not in stderr


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_rejected_message_does_not_block_the_others(api: FakeBotApi, folder: Path):
    for name in ("02_newsletter_pdf.txt", "03_windows_memo.txt", "04_report.md"):
        shutil.copy(ROOT / "seeds" / name, folder)  # enough for a digest of several messages
    api.faults.append((400, "Bad Request: message is too long", None))
    code, stderr = run_once(folder, telegram_env(api))
    assert code == 0, stderr
    assert "telegram refused message 1 of digest #1: Message is too long" in stderr
    status = run_cli("status", "--state", str(folder.parent / "state.sqlite3"))
    assert "undelivered: 0" in status.stdout
    assert len(api.messages) >= 1  # the later parts went out


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_migrated_chat_names_the_new_id(api: FakeBotApi, folder: Path):
    api.faults.append((400, "Bad Request: group chat was upgraded to a supergroup chat", None))
    api.migrate_to = -1009876543210
    code, stderr = run_once(folder, telegram_env(api))
    assert code == 1
    assert stderr.strip().splitlines()[-1] == ("kakehashi: error: telegram: the chat became a "
                                               "supergroup; set TELEGRAM_CHAT_ID to -1009876543210")


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_every_part_of_a_digest_arrives_numbered_with_links(api: FakeBotApi, folder: Path):
    for name in ("02_newsletter_pdf.txt", "03_windows_memo.txt", "04_report.md"):
        shutil.copy(ROOT / "seeds" / name, folder)
    config = folder.parent / "public.toml"
    config.write_text('[sources]\nsettle_seconds = 0\n[feed]\n'
                      'site_url = "https://digest.example.org/"\n')
    code, stderr = run_once(folder, {**telegram_env(api), "KAKEHASHI_CONFIG": str(config)})
    assert code == 0, stderr
    texts = [m["text"] for m in api.messages]  # the fake accepts only what Telegram would
    assert len(texts) > 1
    for number, text in enumerate(texts, start=1):
        assert text.startswith(f"<b>Kakehashi digest #1</b> · {number}/{len(texts)} · ")
        assert text.split("\n")[1].startswith(
            '<a href="https://digest.example.org/digests/1.html">Read on the web</a>')
    assert "⚠" not in "".join(texts)  # the editors' checks stay with the editors
