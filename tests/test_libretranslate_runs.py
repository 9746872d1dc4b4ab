"""Whole runs on translation.engine = "libretranslate", through the CLI as a user runs them,
against a fake server (tests/support/fake_libretranslate.py): no Argos package needed, every
glossary term enforced, and a server killed mid-run loses nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.state.store import Store
from tests.conftest import ROOT, run_cli
from tests.support.fake_libretranslate import FakeLibreTranslate, running
from tests.test_pipeline import article_count, check_feed, previews

KEY = "lt-key-0123456789abcdef"


def config_for(tmp_path: Path, *servers: FakeLibreTranslate) -> Path:
    path = tmp_path / "kakehashi.toml"
    urls = ", ".join(f'"{s.url}"' for s in servers)
    path.write_text(f'[sources]\nsettle_seconds = 0\n\n[translation]\nengine = '
                    f'"libretranslate"\nservers = [{urls}]\n', encoding="utf-8")
    return path


def no_models(tmp_path: Path) -> dict[str, str]:
    """An Argos folder with no package in it: the remote engine must not ask for one."""
    empty = tmp_path / "no-models"
    empty.mkdir(exist_ok=True)
    return {"ARGOS_PACKAGES_DIR": str(empty), "LIBRETRANSLATE_API_KEY": KEY}


def once(tmp_path: Path, config: Path, seeds: Path) -> tuple[int, str]:
    result = run_cli("once", "--config", str(config), "--seeds", str(seeds), "--out",
                     str(tmp_path / "out"), "--state", str(tmp_path / "state.sqlite3"),
                     env=no_models(tmp_path))
    return result.returncode, result.stderr


def stored_terms(state: Path) -> list[str]:
    store = Store.open(state)
    try:
        return [t.status for e in store.recent_entries(10_000) for t in e.terms]
    finally:
        store.close()


@pytest.mark.slow
def test_once_on_the_seeds_through_a_server_enforces_every_term(tmp_path: Path):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    with running(FakeLibreTranslate(api_keys=(KEY,), char_limit=2000, batch_limit=16)) as fake:
        code, stderr = once(tmp_path, config_for(tmp_path, fake), seeds)
    assert code == 0, stderr
    items = check_feed(tmp_path / "out" / "feed.xml")
    assert len(items) == article_count(seeds) and previews(tmp_path / "out")
    statuses = stored_terms(tmp_path / "state.sqlite3")
    # "found": in a sentence that was not translated (not a key sentence).
    assert statuses.count("enforced") >= 5 and "failed" not in statuses, statuses
    assert all(r["api_key"] == KEY for r in fake.received)
    assert max(len(r["q"]) for r in fake.received) <= 16
    assert KEY not in stderr + "".join(p.read_text() for p in previews(tmp_path / "out"))


@pytest.mark.slow
def test_a_server_killed_mid_run_loses_nothing(tmp_path: Path):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    fake = FakeLibreTranslate(api_keys=(KEY,), batch_limit=8, die_after=3)
    with running(fake):
        config = config_for(tmp_path, fake)
        code, stderr = once(tmp_path, config, seeds)
        assert code != 0
        (line,) = [x for x in stderr.splitlines() if "no LibreTranslate server" in x]
        assert fake.url in line and "next run" in line and KEY not in stderr
        before = fake.texts
        assert len(before) == 3 * 8
        fake.restart()
        code, stderr = once(tmp_path, config, seeds)
        assert code == 0, stderr
        # What the first run got back was kept: none of it was asked for again.
        assert not set(before) & set(fake.texts[len(before):])
        again = once(tmp_path, config, seeds)
    items = check_feed(tmp_path / "out" / "feed.xml")
    assert len(items) == article_count(seeds)
    assert len({item.findtext("guid") for item in items}) == len(items)
    assert again[0] == 0 and "nothing new" in again[1]


@pytest.mark.slow
def test_translate_and_demo_need_no_local_model(tmp_path: Path):
    with running(FakeLibreTranslate()) as fake:
        config = config_for(tmp_path, fake)
        said = run_cli("translate", "--config", str(config), "中欧班列はホルゴスを経由する。",
                       env=no_models(tmp_path))
        assert said.returncode == 0, said.stderr
        assert "China-Europe Railway Express" in said.stdout and "Horgos" in said.stdout
        demo = run_cli("demo", cwd=tmp_path,
                       env={**no_models(tmp_path), "KAKEHASHI_CONFIG": str(config)})
        assert demo.returncode == 0, demo.stderr
        assert "downloading" not in demo.stderr
        assert len(check_feed(tmp_path / "out" / "feed.xml")) == article_count(ROOT / "seeds")


@pytest.mark.slow
def test_an_unreachable_server_is_one_line_naming_it(tmp_path: Path):
    fake = FakeLibreTranslate().start()
    fake.stop()
    said = run_cli("translate", "--config", str(config_for(tmp_path, fake)), "中国。",
                   env=no_models(tmp_path))
    assert said.returncode == 1
    (line,) = [x for x in said.stderr.splitlines() if x.startswith("kakehashi: error:")]
    assert fake.url in line and "ConnectError" in line
    # Each failure was said as it came, the last one taking the server out of rotation.
    assert said.stderr.count(f"libretranslate: {fake.url} failed") == 3
    assert "out of rotation for 120 s" in said.stderr
