"""Configuration: the file, the environment for secrets, flags on top, clear errors."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import load_config, override_paths
from bot.errors import ConfigError
from tests.conftest import ROOT


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
        ("[translation]\nbeam_size = 0\n", "beam_size and max_batch_size must be >= 1"),
        ("[translaton]\n", "unknown section [translaton]"),
        ("[digest]\nsummary = 3\n", "unknown key digest.summary"),
        ("[feed]\nsite_url = 'example.org'\n", "feed.site_url must be an absolute"),
        ("[paths]\nseeds = 3\n", "paths.seeds must be a string"),
        ("not toml at all", "is not valid TOML"),
        ("[translation]\ncache = 1\n", "translation.cache must be bool"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, message: str):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(write(tmp_path, text), {})
