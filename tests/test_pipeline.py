"""The whole job end to end on the tiny model: folder in, feed and previews out."""

from __future__ import annotations

import shutil
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from bot.cli.app import inspect_file
from bot.config import Config, PathsConfig
from bot.publish.preview import preview_body
from tests.conftest import ROOT, run_cli
from tests.support.telegram_html import telegram_html_problems

ATOM = "{http://www.w3.org/2005/Atom}"


def article_count(folder: Path) -> int:
    """How many articles `inspect` finds in every document of `folder`."""
    return sum(len(inspect_file(Config(), path)["articles"])
               for path in sorted(folder.iterdir()) if path.name.lower() != "readme.md")


def check_feed(path: Path) -> list[etree._Element]:
    """Parse feed.xml strictly and return its items, asserting RSS 2.0 essentials."""
    root = etree.parse(str(path)).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    self_links = [a for a in channel.findall(f"{ATOM}link") if a.get("rel") == "self"]
    assert len(self_links) == 1 and self_links[0].get("href", "").startswith("http")
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    items = channel.findall("item")
    assert len(parsed.entries) == len(items)
    for item in items:
        guid = item.findtext("guid")
        assert guid and guid.startswith("kakehashi-")
        published = parsedate_to_datetime(item.findtext("pubDate") or "")
        assert published.tzinfo is not None
        assert item.findtext("title") and item.findtext("description")
    return items


def previews(out: Path) -> list[Path]:
    return sorted((out / "telegram").glob("*.html"))


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_once_on_real_seeds_publishes_each_article_once(shared_seeds: Path, tmp_path: Path):
    seeds = tmp_path / "seeds"
    shutil.copytree(shared_seeds, seeds)
    out, state = tmp_path / "out", tmp_path / "state.sqlite3"

    first = run_cli("once", "--seeds", str(seeds), "--out", str(out), "--state", str(state))

    assert first.returncode == 0, first.stderr
    items = check_feed(out / "feed.xml")
    assert len(items) == article_count(seeds)
    assert len({item.findtext("guid") for item in items}) == len(items)
    sent = previews(out)
    assert sent
    for preview in sent:
        body = preview_body(preview.read_text(encoding="utf-8"))
        assert telegram_html_problems(body) == [], preview.name
        assert len(body.rstrip("\n")) <= 4096

    feed_before = (out / "feed.xml").read_bytes()
    second = run_cli("once", "--seeds", str(seeds), "--out", str(out), "--state", str(state))
    assert second.returncode == 0, second.stderr
    assert "nothing new" in second.stderr
    assert (out / "feed.xml").read_bytes() == feed_before
    assert previews(out) == sent


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_same_content_under_another_name_is_not_published_twice(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(ROOT / "seeds" / "04_report.md", seeds / "report.md")
    out, state = tmp_path / "out", tmp_path / "state.sqlite3"
    args = ("once", "--seeds", str(seeds), "--out", str(out), "--state", str(state))
    assert run_cli(*args).returncode == 0
    items_before = len(check_feed(out / "feed.xml"))

    shutil.copy(seeds / "report.md", seeds / "report copy.md")
    again = run_cli(*args)

    assert again.returncode == 0, again.stderr
    assert "nothing new" in again.stderr
    assert len(check_feed(out / "feed.xml")) == items_before == 1


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_bundled_seeds_run_leaves_the_input_folder_untouched(tmp_path: Path):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    before = {p.name: p.read_bytes() for p in seeds.iterdir()}
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "notes.txt").write_text("Plain English notes, nothing to translate here.\n")

    result = run_cli("once", "--seeds", str(seeds), "--out", str(tmp_path / "out"),
                     "--state", str(tmp_path / "s.sqlite3"))

    assert result.returncode == 0, result.stderr
    assert "skipped empty.txt: empty file" in result.stderr
    assert "skipped notes.txt: not Japanese text" in result.stderr
    assert len(check_feed(tmp_path / "out" / "feed.xml")) == article_count(ROOT / "seeds")
    assert {p.name: p.read_bytes() for p in seeds.iterdir() if p.name in before} == before
    status = run_cli("status", "--state", str(tmp_path / "s.sqlite3"))
    assert "empty.txt" in status.stdout and "not Japanese text" in status.stdout


def test_default_paths_are_relative_to_the_working_folder():
    assert PathsConfig().seeds == Path("seeds")


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_demo_runs_on_the_bundled_seeds(tmp_path: Path):
    result = run_cli("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(check_feed(tmp_path / "out" / "feed.xml")) == article_count(ROOT / "seeds")
    assert previews(tmp_path / "out")
    again = run_cli("demo", cwd=tmp_path)
    assert again.returncode == 0 and "nothing new" in again.stderr


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_oversized_file_is_skipped_with_its_reason(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(ROOT / "seeds" / "04_report.md", seeds)
    (seeds / "big.txt").write_text("中国" * 40_000, encoding="utf-8")
    config = tmp_path / "k.toml"
    config.write_text("[sources]\nsettle_seconds = 0\nmax_file_bytes = 100000\n")
    args = ("once", "--config", str(config), "--seeds", str(seeds), "--out",
            str(tmp_path / "out"), "--state", str(tmp_path / "s.sqlite3"))
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert "skipped big.txt: file too large (240,000 bytes; limit 100,000)" in result.stderr
    assert len(check_feed(tmp_path / "out" / "feed.xml")) == 1
    again = run_cli(*args)  # the stat index: neither file is read again
    assert "skipped big.txt" not in again.stderr and "nothing new" in again.stderr


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_pdf_newsletters_become_articles_and_scans_are_skipped(tmp_path: Path):
    from tests.support.make_pdf import make_japanese_pdf, wrap_japanese

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    body = ("中国と中央アジアを結ぶ貨物列車の運行本数は今年も増え続けており、国境の駅では積み替えの"
            "待ち時間が大きく短くなった。関係者は来年も同じ傾向が続くとみている。")
    make_japanese_pdf(seeds / "letter.pdf", [[" 【物流】国境の駅で待ち時間短縮 ", "",
                                              *wrap_japanese(body)]])
    make_japanese_pdf(seeds / "scan.pdf", [["x"]], image_only_pages={0})
    result = run_cli("once", "--seeds", str(seeds), "--out", str(tmp_path / "out"),
                     "--state", str(tmp_path / "s.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert "skipped scan.pdf: PDF has no text layer" in result.stderr
    (item,) = check_feed(tmp_path / "out" / "feed.xml")
    assert "国境の駅で待ち時間短縮" in (item.findtext("title") or "")
    assert body[:40] in (item.findtext("description") or "")
    inspect = run_cli("inspect", str(seeds / "scan.pdf"))
    assert inspect.returncode == 1 and inspect.stderr.count("\n") == 1
    assert "no text layer" in inspect.stderr
