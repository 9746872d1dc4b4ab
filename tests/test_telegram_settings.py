"""The [telegram] settings of retries and alerts: defaults, the environment, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from bot.core.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "k.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_retry_and_alert_defaults() -> None:
    telegram = load_config(None, {}).telegram
    assert telegram.retry_budget_seconds == 90.0
    assert (telegram.retry_base_seconds, telegram.retry_max_seconds) == (1.0, 30.0)
    assert telegram.alert_chat_id == "" and telegram.alert_interval_seconds == 300.0


def test_the_alert_chat_comes_from_the_file_or_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\nalert_chat_id = "-1001"\nretry_budget_seconds = 5\n')
    assert load_config(path, {}).telegram.alert_chat_id == "-1001"
    assert load_config(path, {}).telegram.retry_budget_seconds == 5.0
    env = {"TELEGRAM_ALERT_CHAT_ID": "42"}
    assert load_config(path, env).telegram.alert_chat_id == "42"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("retry_budget_seconds = -1", "retry_budget_seconds must be >= 0"),
        ("retry_base_seconds = 0", "telegram.retry_base_seconds must be > 0 and <= 3600"),
        ("retry_base_seconds = 40", "telegram.retry_base_seconds must be <= retry_max_seconds"),
        ("retry_max_seconds = 'long'", "telegram.retry_max_seconds must be float"),
        ("alert_interval_seconds = 0", "alert_interval_seconds must be > 0"),
        ('chat_id = "@news"\nalert_chat_id = "@news"', "alerts go to an admin chat only"),
    ],
)
def test_bad_settings_are_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, f"[telegram]\n{text}\n"), {})


def test_the_alert_chat_may_not_be_the_public_chat_set_in_the_environment(
        tmp_path: Path) -> None:
    path = write(tmp_path, '[telegram]\nalert_chat_id = "@news"\n')
    with pytest.raises(ConfigError, match="admin chat only"):
        load_config(path, {"TELEGRAM_CHAT_ID": "@news"})
