"""Configuration: the file, the environment for secrets, flags on top, clear errors."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import load_config, override_paths
from bot.core.errors import ConfigError
from tests.conftest import ROOT, run_cli


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "k.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid_and_matches_defaults(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    from_example = load_config(ROOT / "kakehashi.example.toml", {})
    defaults = load_config(None, {})
    assert replace(from_example, paths=defaults.paths) == defaults
    for name in ("seeds", "out", "state"):
        example, default = getattr(from_example.paths, name), getattr(defaults.paths, name)
        assert example.resolve() == default.resolve()


def test_paths_are_relative_to_the_file_and_flags_override(tmp_path: Path):
    config = load_config(write(tmp_path, '[paths]\nseeds = "in"\nglossary = "g.tsv"\n'), {})
    assert config.paths.seeds == tmp_path / "in"
    assert config.paths.glossary == (tmp_path / "g.tsv",)
    flagged = override_paths(config, seeds=Path("other"), out=None)
    assert flagged.paths.seeds == Path("other") and flagged.paths.out == config.paths.out


def test_secrets_come_from_the_environment_only(tmp_path: Path):
    path = write(tmp_path, '[telegram]\nchat_id = "@from_file"\n')
    config = load_config(path, {"TELEGRAM_BOT_TOKEN": "1:abc"})
    assert config.telegram.token == "1:abc" and config.telegram.chat_id == "@from_file"
    assert "1:abc" not in repr(config)
    env = {"TELEGRAM_CHAT_ID": "@env", "TELEGRAM_API_BASE_URL": "http://127.0.0.1:1/bot"}
    config = load_config(path, env)
    assert config.telegram.chat_id == "@env"
    assert config.telegram.api_base_url == "http://127.0.0.1:1/bot"
    with pytest.raises(ConfigError, match=r"unknown key telegram\.token"):
        load_config(write(tmp_path, '[telegram]\ntoken = "secret"\n'), {})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[translation]\nbeam_size = 'two'\n", "translation.beam_size must be int"),
        ("[translation]\nbeam_size = 0\n", "translation.beam_size must be >= 1 and <= 16"
                                           " (got 0)"),
        ("[translaton]\n", "unknown section [translaton]"),
        ("[digest]\nsummary = 3\n", "unknown key digest.summary"),
        ("[feed]\nsite_url = 'example.org'\n", "feed.site_url must be an absolute"),
        ("[paths]\nseeds = 3\n", "paths.seeds must be a string"),
        ("not toml at all", "is not valid TOML"),
        ("[translation]\ncache = 1\n", "translation.cache must be bool"),
        ("[digest]\nmerge_threshold = 'off'\n", "digest.merge_threshold must be float"),
        ("[digest]\nmerge_window_days = 2.5\n", "digest.merge_window_days must be int"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, message: str):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(write(tmp_path, text), {})


@pytest.mark.parametrize(("text", "message"), [
    ("[telegram]\nretry_budget_seconds = 1e308\n",
     "config: telegram.retry_budget_seconds must be >= 0 and <= 86400 (got 1e+308)"),
    ("[telegram]\nretry_max_seconds = inf\n",
     "config: telegram.retry_max_seconds must be > 0 and <= 3600 (got inf)"),
    ("[schedule]\npoll_seconds = nan\n",
     "config: schedule.poll_seconds must be > 0 and <= 86400 (got nan)"),
    ("[schedule]\nlock_wait_seconds = -inf\n",
     "config: schedule.lock_wait_seconds must be >= 0 and <= 86400 (got -inf)"),
    ("[sources]\nmax_file_bytes = 9223372036854775807\n",
     "config: sources.max_file_bytes must be >= 1 and <= 10000000000 (got 9223372036854775807)"),
    ("[sources]\nfeeds = ['https://a.example/f']\n[sources.feed_intervals]\n"
     "'https://a.example/f' = nan\n",
     'config: sources.feed_intervals."https://a.example/f" must be > 0 and <= 525600 (got nan)'),
    ("[digest]\nsummary_chars = 10000000\n",
     "config: digest.summary_chars must be >= 1 and <= 100000 (got 10000000)"),
    ("[digest]\nmerge_threshold = 1.5\n",
     "config: digest.merge_threshold must be >= 0 and <= 1 (got 1.5)"),
    ("[digest]\nmerge_threshold = -0.1\n",
     "config: digest.merge_threshold must be >= 0 and <= 1 (got -0.1)"),
    ("[digest]\nmerge_window_days = 100000\n",
     "config: digest.merge_window_days must be >= 0 and <= 3650 (got 100000)"),
])
def test_every_number_is_bounded_and_its_error_names_the_key_and_range(
        tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text), {})
    assert str(raised.value) == message


def test_every_number_a_section_holds_has_a_bound() -> None:
    from dataclasses import fields

    from bot.config import Config
    from bot.config.bounds import BOUNDS

    bounded = {bound.key for bound in BOUNDS} | {"telegram.webhook_port", "serve.port"}
    # [[editions]] (a tuple of tables) holds no numbers.
    numbers = {f"{section.name}.{f.name}" for section in fields(Config)
               if section.name != "editions" for f in fields(getattr(Config(), section.name))
               if type(getattr(getattr(Config(), section.name), f.name)) in (int, float)}
    assert numbers - bounded == set()


BAD_BASE_URLS = ["127.0.0.1:8081/bot", "http://127.0.0.1:80x/bot", "http://127.0.0.1:99999/bot",
                 "http://127.0.0.1 :8081/bot", "http:///bot", "ftp://h.example/bot",
                 "http://under_score/bot", "http://h.example:0/bot"]


@pytest.mark.parametrize("url", BAD_BASE_URLS)
def test_a_malformed_bot_api_url_is_a_configuration_error(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match=r"^config: TELEGRAM_API_BASE_URL"):
        load_config(None, {"TELEGRAM_API_BASE_URL": url})
    path = write(tmp_path, f"[telegram]\napi_base_url = {url!r}\n")
    with pytest.raises(ConfigError, match=r"^config: telegram\.api_base_url"):
        load_config(path, {})


@pytest.mark.parametrize("url", ["http://127.0.0.1:8081/bot", "https://api.telegram.org/bot",
                                 "http://[::1]:8081/bot"])
def test_a_well_formed_bot_api_url_is_kept(url: str) -> None:
    assert load_config(None, {"TELEGRAM_API_BASE_URL": url}).telegram.api_base_url == url


@pytest.mark.parametrize(("env", "text", "expected"), [
    ({"TELEGRAM_API_BASE_URL": "127.0.0.1:8081/bot"}, "", "config: TELEGRAM_API_BASE_URL must"
     " be an http(s) URL with a host"),
    ({"TELEGRAM_API_BASE_URL": "http://127.0.0.1:8o81/bot"}, "", "bad port"),
    ({}, "[telegram]\nretry_budget_seconds = 1e308\n",
     "telegram.retry_budget_seconds must be >= 0 and <= 86400 (got 1e+308)"),
])
def test_a_configuration_error_exits_2_at_once_with_one_line(
        tmp_path: Path, env: dict[str, str], text: str, expected: str) -> None:
    config = write(tmp_path, text)
    (tmp_path / "seeds").mkdir()
    result = run_cli("once", "--config", str(config), "--seeds", str(tmp_path / "seeds"),
                     "--out", str(tmp_path / "out"), "--state", str(tmp_path / "s.sqlite3"),
                     env={"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_CHAT_ID": "@c", **env})
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kakehashi: error: config: "), lines
    assert expected in lines[0]
    assert not (tmp_path / "s.sqlite3").exists()  # stopped before touching anything


def test_merging_settings_load_and_zero_turns_it_off(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[digest]\nmerge_threshold = 0\n"
                                         "merge_window_days = 0\n"), {})
    assert (config.digest.merge_threshold, config.digest.merge_window_days) == (0, 0)
    assert load_config(None, {}).digest.merge_threshold == 0.6
