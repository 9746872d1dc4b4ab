"""[[editions]]: read into EditionConfig, turned into Edition records, bad ones refused in
one line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import editions_of, load_config
from bot.core.channels import TELEGRAM
from bot.core.errors import ConfigError
from tests.conftest import run_cli

GOOD = """
[schedule]
timezone = "Asia/Tokyo"
mode = "scheduled"
digest_times = ["18:00"]

[[editions]]
name = "rail"
chat_id = -1001
keywords = ["鉄道", "Port"]
sources = ["rail-*.txt"]
mode = "immediate"

[[editions]]
name = "asia"
feed_file = "central-asia.xml"
title = "Central Asia"
digest_times = ["08:00", "20:00"]
timezone = "Asia/Almaty"
exclude_keywords = ["広告"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kakehashi.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_editions_are_read_with_the_schedule_as_their_default(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), {"TELEGRAM_CHAT_ID": "@main"})
    default, rail, asia = editions_of(config)
    assert (default.name, default.chat_id, default.feed_file, default.channel,
            default.folder, default.key) == ("default", "@main", "feed.xml", TELEGRAM, "", "")
    assert default.mode == "scheduled" and default.filter.everything
    assert (rail.chat_id, rail.feed_file, rail.channel, rail.folder) == (
        "-1001", "rail/feed.xml", "telegram.rail", "rail")
    assert rail.mode == "immediate" and rail.timezone == "Asia/Tokyo"
    assert rail.filter.keywords == ("鉄道", "Port") and rail.filter.sources == ("rail-*.txt",)
    assert (asia.feed_file, asia.title, asia.mode, asia.digest_times, asia.timezone) == (
        "central-asia.xml", "Central Asia", "scheduled", ("08:00", "20:00"), "Asia/Almaty")
    assert not asia.queues_telegram and rail.queues_telegram


def test_without_editions_the_default_is_the_only_one(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[telegram]\nchat_id = \"@c\"\n"), {})
    (only,) = editions_of(config)
    assert (only.name, only.chat_id, only.feed_file, only.channel) == (
        "default", "@c", "feed.xml", TELEGRAM)


@pytest.mark.parametrize(("text", "message"), [
    ('[[editions]]\nname = "a"\n[[editions]]\nname = "a"\n', "name 'a' is used twice"),
    ('[[editions]]\nname = "../x"\n', "name '../x' must be"),
    ('[[editions]]\nname = "A b"\n', "name 'A b' must be"),
    ('[[editions]]\nname = "digests"\n', "the name 'digests' is taken"),
    ('[[editions]]\nname = "default"\n', "the name 'default' is taken"),
    ('[[editions]]\nname = "a"\nfeed_file = "x.xml"\n[[editions]]\nname = "b"\n'
     'feed_file = "x.xml"\n', "editions.b.feed_file 'x.xml' is used twice"),
    ('[[editions]]\nname = "a"\nfeed_file = "feed.xml"\n', "is used twice"),
    ('[[editions]]\nname = "a"\nfeed_file = "../x.xml"\n', "must be a file under OUT/"),
    ('[[editions]]\nname = "a"\nfeed_file = "feeds/asia/a.xml"\n', "or one folder of it"),
    ('[[editions]]\nname = "a"\nfeed_file = "articles/a.xml"\n', "or one folder of it"),
    ('[[editions]]\nname = "a"\ncolour = "red"\n', "unknown key editions.a.colour"),
    ('[[editions]]\nname = "a"\nkeywords = "鉄道"\n', "editions.a.keywords must be a list"),
    ('[[editions]]\nname = "a"\nmode = "hourly"\n', 'editions.a.mode must be "immediate"'),
    ('[[editions]]\nname = "a"\nmode = "scheduled"\n', "needs digest_times"),
    ('[[editions]]\nname = "a"\ntimezone = "Mars/Base"\n', "editions.a.timezone: unknown"),
    ("[editions]\nname = 'a'\n", "editions must be an array of tables"),
])
def test_bad_editions_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), {})
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_bad_edition_stops_once_with_one_line(tmp_path: Path) -> None:
    config = write(tmp_path, '[[editions]]\nname = "rail"\n[[editions]]\nname = "rail"\n')
    (tmp_path / "seeds").mkdir()
    result = run_cli("once", "--config", str(config), "--seeds", str(tmp_path / "seeds"),
                     "--out", str(tmp_path / "out"), "--state", str(tmp_path / "s.sqlite3"))
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "kakehashi: error: config: editions: name 'rail' is used twice"]
    assert not (tmp_path / "s.sqlite3").exists()
