"""Editions end to end: one worker, one translation, several channels, feeds and archive
sections, each with only its own articles and its own digest numbers.

Real components: the random-weight test model (wrapped to count what reaches it), the fake
Bot API server on 127.0.0.1, feeds read back with feedparser."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from bot.config import Config, load_config
from bot.core.resources import resource_dir
from bot.glossary import Glossary, load_glossary
from bot.run.worker import run_once
from bot.state.store import Store
from bot.translate.engine import CTranslate2Translator
from bot.translate.packages import PackageInfo
from tests.support.fake_bot_api import FakeBotApi
from tests.support.recording import Recording

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
RAIL_CHAT, ASIA_CHAT = "-1001", "-1002"

# Title → (file, body): each title names its article in every output.
DOCS = {
    "鉄道貨物の輸送量が増加": ("rail-1.txt",
                      "国内の鉄道貨物の輸送量は前年より二割増えた。新しい貨物駅の開業が寄与した。"),
    "カザフスタンの穀物輸出が拡大": ("asia-1.txt",
                           "カザフスタンの穀物輸出は今年過去最高となった。主な行き先は中国である。"),
    "カザフスタン経由の鉄道便が倍増": ("both.txt",
                            "中国と欧州を結ぶ鉄道便のうちカザフスタン経由の便が倍増した。通関の簡素化が背景にある。"),
    "東京の桜が平年より早く開花": ("other.txt",
                          "東京で桜が平年より五日早く開花した。気温の高い日が続いたためである。"),
    "カザフスタンの首都で国際会議": ("asia-2.md",
                           "カザフスタンの首都で物流に関する国際会議が開かれた。各国の代表が参加した。"),
}
LATER = {"鉄道の新路線が開業": ("rail-2.txt",
                          "地方の鉄道の新路線が開業した。沿線の人口は十万人である。")}
RAIL = {"鉄道貨物の輸送量が増加", "カザフスタン経由の鉄道便が倍増"}
# "Kazakhstan" is the glossary's rendering of カザフスタン: it finds the Japanese too; the
# source filter leaves out the .md file.
ASIA = {"カザフスタンの穀物輸出が拡大", "カザフスタン経由の鉄道便が倍増"}

EDITIONS = f"""
[[editions]]
name = "rail"
chat_id = "{RAIL_CHAT}"
title = "Rail and logistics"
keywords = ["鉄道"]

[[editions]]
name = "asia"
chat_id = {ASIA_CHAT}
feed_file = "central-asia.xml"
keywords = ["Kazakhstan"]
sources = ["*.txt"]
"""


def write_docs(seeds: Path, docs: dict[str, tuple[str, str]]) -> None:
    seeds.mkdir(parents=True, exist_ok=True)
    for title, (name, body) in docs.items():
        (seeds / name).write_text(f"{title}\n{body}\n", encoding="utf-8")


def configure(root: Path, editions: str, env: dict[str, str]) -> Config:
    root.mkdir(parents=True, exist_ok=True)
    path = root / "k.toml"
    path.write_text(f'[paths]\nseeds = "seeds"\nout = "out"\nstate = "state.sqlite3"\n'
                    f"[sources]\nsettle_seconds = 0\n{editions}", encoding="utf-8")
    return load_config(path, env)


def run(config: Config, package: PackageInfo, now: datetime) -> Recording:
    glossary: Glossary = load_glossary((resource_dir("glossary"),))
    model = Recording(CTranslate2Translator(package, config.translation))
    store = Store.open(config.paths.state)
    try:
        run_once(config, store, glossary, model, now=now)
    finally:
        store.close()
    return model


def titles_in(text: str, among: dict[str, tuple[str, str]]) -> set[str]:
    return {title for title in among if title in text}


def feed_titles(path: Path) -> set[str]:
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, parsed.bozo_exception
    return {title for entry in parsed.entries for title in {**DOCS, **LATER}
            if title in entry.get("summary", "") + entry.get("title", "")}


def channels(state: Path) -> dict[str, set[int]]:
    with sqlite3.connect(state) as conn:
        found: dict[str, set[int]] = {}
        for channel, digest in conn.execute("SELECT channel, digest_id FROM deliveries"):
            found.setdefault(channel, set()).add(digest)
        return found


@pytest.mark.slow
def test_three_editions_each_get_only_their_articles_translated_once(
        installed_model: PackageInfo, api: FakeBotApi, tmp_path: Path) -> None:
    env = {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url}
    plain = configure(tmp_path / "plain", "", {})
    config = configure(tmp_path / "editions", EDITIONS, env)
    for root in (tmp_path / "plain", tmp_path / "editions"):
        write_docs(root / "seeds", DOCS)
    alone = run(plain, installed_model, NOW)
    model = run(config, installed_model, NOW)

    # The filters run after translation: three editions cost the model what one does.
    assert sorted(model.texts) == sorted(alone.texts) and model.texts

    rail, asia = "\n".join(api.sent_to(RAIL_CHAT)), "\n".join(api.sent_to(ASIA_CHAT))
    assert titles_in(rail, DOCS) == RAIL and titles_in(asia, DOCS) == ASIA
    assert {str(m["chat_id"]) for m in api.messages} == {RAIL_CHAT, ASIA_CHAT}
    out = config.paths.out
    assert feed_titles(out / "feed.xml") == set(DOCS)  # the default edition: everything
    assert feed_titles(out / "rail" / "feed.xml") == RAIL
    assert feed_titles(out / "central-asia.xml") == ASIA
    assert titles_in((out / "rail" / "index.html").read_text(), DOCS) == RAIL
    assert titles_in((out / "asia" / "index.html").read_text(), DOCS) == ASIA
    assert titles_in((out / "index.html").read_text(), DOCS) == set(DOCS)
    assert "Rail and logistics" in (out / "rail" / "feed.xml").read_text()

    # A second run: only the rail edition has something new, numbered after its own last.
    write_docs(config.paths.seeds, LATER)
    run(config, installed_model, NOW + timedelta(hours=1))
    assert channels(config.paths.state) == {"telegram.rail": {1, 2}, "telegram.asia": {1}}
    assert "<b>Rail and logistics #2</b>" in api.sent_to(RAIL_CHAT)[-1]  # its own title
    assert titles_in(api.sent_to(RAIL_CHAT)[-1], LATER) == set(LATER)
    assert sorted(p.name for p in (out / "rail" / "digests").iterdir()) == ["1.html", "2.html"]
    assert sorted(p.name for p in (out / "asia" / "digests").iterdir()) == ["1.html"]
    assert sorted(p.name for p in (out / "digests").iterdir()) == ["1.html", "2.html"]
    assert feed_titles(out / "rail" / "feed.xml") == RAIL | set(LATER)
    assert feed_titles(out / "central-asia.xml") == ASIA


@pytest.mark.slow
def test_the_default_edition_is_todays_single_channel(
        installed_model: PackageInfo, tmp_path: Path) -> None:
    """With editions beside it, the default edition writes what a config without editions
    writes, byte for byte; without editions nothing of theirs appears."""
    plain = configure(tmp_path / "plain", "", {})
    config = configure(tmp_path / "editions", EDITIONS, {})
    for root in (tmp_path / "plain", tmp_path / "editions"):
        write_docs(root / "seeds", DOCS)
    run(plain, installed_model, NOW)
    run(config, installed_model, NOW)
    before, after = plain.paths.out, config.paths.out
    for name in ("feed.xml", "index.html", "digests/1.html", "telegram/001.html"):
        assert (before / name).read_bytes() == (after / name).read_bytes(), name
    assert not (before / "rail").exists() and not (before / "central-asia.xml").exists()
    assert channels(plain.paths.state) == {"telegram": {1}}
    # Without a token every edition with a chat gets its previews in its own folder.
    assert titles_in((after / "rail" / "telegram" / "001.html").read_text(), DOCS) == RAIL


@pytest.mark.slow
def test_a_chat_that_refuses_the_bot_holds_up_only_its_own_edition(
        installed_model: PackageInfo, api: FakeBotApi, tmp_path: Path) -> None:
    from bot.core.errors import PublishError

    env = {"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url}
    config = configure(tmp_path, EDITIONS, env)
    write_docs(config.paths.seeds, DOCS)
    # The first message sent is the rail edition's (editions are delivered in order).
    api.faults.append((403, "Forbidden: bot is not a member of the channel chat", None))
    with pytest.raises(PublishError, match=f"may not post to {RAIL_CHAT}"):
        run(config, installed_model, NOW)
    assert api.sent_to(RAIL_CHAT) == []
    assert titles_in("\n".join(api.sent_to(ASIA_CHAT)), DOCS) == ASIA  # went out all the same
