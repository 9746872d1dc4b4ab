"""Search in the web archive: Pagefind's index built from a published archive and queried by a
real headless Chromium from `kakehashi serve`, in English and in Japanese; the search page's
own Content-Security-Policy (every other page keeps its script-free one); the index swapped in
whole; and publishing without Pagefind. Nothing is downloaded: Pagefind's binary comes with
the locked dependencies, the browser and the server run here, on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.config import FeedConfig
from bot.core.model import Digest, Entry
from bot.publish import search as search_module
from bot.publish.render import article_path, source_path
from bot.publish.search import (
    SEARCH_DIR,
    find_pagefind,
    has_index,
    indexed_pages,
    update_search,
)
from bot.publish.served import SEARCH_POLICY, is_served
from bot.publish.web import write_web
from tests.conftest import ROOT, run_cli
from tests.support import serving
from tests.support.browser import Browser, running_browser
from tests.support.pages import parse_html5
from tests.support.site import (
    NOW,
    SITE,
    hostile_entry,
    news_entry,
    report_entry,
    write_sample_site,
)

# The archive's policy as it was before search: every page but search.html keeps it.
SCRIPT_FREE = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'none'")
# Installed before any page's own script: what the page's policy refused, if anything.
WATCH_POLICY = """window.refused = [];
document.addEventListener('securitypolicyviolation',
  e => window.refused.push(e.effectiveDirective + ' ' + e.blockedURI));"""
RESULTS = "[...document.querySelectorAll('#results h2 a')].map(a => a.href)"
READY = "!document.getElementById('search').hidden"


def serve(out: Path) -> AbstractContextManager[tuple[subprocess.Popen[str], str]]:
    return serving.started([sys.executable, "-m", "bot", "serve", "--out", str(out),
                            "--port", "0"], cwd=ROOT)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("indexed")
    write_sample_site(out)
    assert update_search(out) == "search: indexed 3 article pages"
    return out


@pytest.fixture(scope="module")
def url(indexed: Path) -> Iterator[str]:
    with serve(indexed) as (_, address):
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with running_browser() as running:
        running.call("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_POLICY},
                     session=True)
        yield running


def search(browser: Browser, page: str, words: str,
           width: int = 1280) -> tuple[str, list[str]]:
    """Type WORDS into the search page; its status line and the paths of its results."""
    browser.load(page, width, 900)
    browser.wait_for(READY)
    browser.evaluate("document.getElementById('query').focus()")
    browser.call("Input.insertText", {"text": words}, session=True)
    status = browser.wait_for("document.getElementById('status').textContent")
    return status, [urlsplit(href).path for href in browser.evaluate(RESULTS)]


@pytest.mark.slow
def test_an_english_glossary_term_finds_its_article(browser: Browser, url: str):
    status, found = search(browser, url + "search.html", "Kazakhstan")
    assert found == ["/" + article_path(news_entry().guid)]
    assert status == "1 article found for “Kazakhstan”."
    assert browser.evaluate("window.refused") == []  # the page's policy let search run


def test_a_japanese_word_inside_a_longer_one_finds_its_article(browser: Browser, url: str):
    # 鉱物 is written only inside 重要鉱物: found because the index is segmented into words.
    status, found = search(browser, url + "search.html", "鉱物")
    assert found == ["/" + article_path(report_entry().guid)]
    assert status == "1 article found for “鉱物”."
    shown = browser.evaluate("""[...document.querySelectorAll('#results li')].map(li => ({
      ja: li.querySelector('[lang=ja]').textContent,
      marked: [...li.querySelectorAll('mark')].map(m => m.textContent)}))""")
    assert [item["ja"] for item in shown] == [report_entry().title_ja]
    assert shown[0]["marked"] and set(shown[0]["marked"]) == {"鉱物"}
    assert browser.evaluate("window.refused") == []


def test_a_result_opens_its_article(browser: Browser, url: str):
    search(browser, url + "search.html", "Kazakhstan")
    browser.evaluate("document.querySelector('#results a').click()")
    browser.wait_for("location.pathname.startsWith('/articles/')")
    browser.wait_for("document.readyState === 'complete'")
    assert browser.evaluate("document.querySelector('h1').textContent") == news_entry().title_en


def test_the_query_in_the_address_is_searched_on_opening(browser: Browser, url: str):
    browser.load(url + "search.html?q=transport", 390, 844)
    browser.wait_for("document.getElementById('status').textContent")
    assert browser.evaluate("document.getElementById('query').value") == "transport"
    paths = [urlsplit(href).path for href in browser.evaluate(RESULTS)]
    assert paths[0] == "/" + article_path(report_entry().guid)


def test_markup_from_a_hostile_feed_stays_text_in_the_results(browser: Browser, url: str):
    _, found = search(browser, url + "search.html", "quoted", width=390)
    assert found == ["/" + article_path(hostile_entry().guid)]
    # Its unbroken 300-character words wrap: the results never widen a phone's page.
    assert browser.evaluate("document.documentElement.scrollWidth") == 390
    assert browser.evaluate("document.querySelector('#results h2').textContent") == (
        hostile_entry().title_en)
    tags = browser.evaluate("[...document.querySelectorAll('#results *')].map(e => e.tagName)")
    assert set(tags) <= {"LI", "H2", "A", "P", "MARK"}, tags


def test_only_the_search_page_may_run_scripts(indexed: Path, url: str):
    status, _, headers = serving.get(url + "search.html")
    assert status == 200 and headers["Content-Security-Policy"] == SEARCH_POLICY
    assert "'unsafe-inline'" not in SEARCH_POLICY.split("script-src")[1].split(";")[0]
    pages = ["index.html", "digests/1.html", article_path(news_entry().guid),
             source_path("rail.example.com")]
    for page in pages:
        status, _, headers = serving.get(url + page)
        assert status == 200 and headers["Content-Security-Policy"] == SCRIPT_FREE, page


def test_the_index_is_served_with_its_types(indexed: Path, url: str):
    bundle = indexed / SEARCH_DIR
    expected = {"search.js": "text/javascript; charset=utf-8",
                f"{SEARCH_DIR}/pagefind.js": "text/javascript; charset=utf-8",
                f"{SEARCH_DIR}/pagefind-worker.js": "text/javascript; charset=utf-8",
                f"{SEARCH_DIR}/pagefind-entry.json": "application/json"}
    for pattern in ("*.pf_meta", "*.pagefind", "index/*.pf_index", "fragment/*.pf_fragment"):
        files = sorted(bundle.glob(pattern))
        assert files, pattern
        expected[files[0].relative_to(indexed).as_posix()] = "application/octet-stream"
    for name, kind in expected.items():
        status, body, headers = serving.get(url + name)
        assert (status, headers["Content-Type"]) == (200, kind), name
        assert "Content-Security-Policy" not in headers
        assert body == (indexed / name).read_bytes()
    assert is_served([SEARCH_DIR, "filter", "ja_0123abc.pf_filter"])
    assert not is_served([SEARCH_DIR, "index", "deeper", "x.pf_index"])
    assert not is_served([SEARCH_DIR, "elsewhere", "x.js"])
    assert not is_served(["articles", "index", "x.pf_index"])


def test_without_javascript_the_page_says_so_and_links_every_listing(indexed: Path):
    root = parse_html5(indexed / "search.html")
    form = next(e for e in root.iter("form"))
    assert form.get("hidden") is not None  # nothing to type into without the script
    browse = next(e for e in root.iter() if e.get("id") == "browse")
    assert browse.get("hidden") is None
    assert "needs JavaScript" in "".join(browse.itertext())
    links = {a.get("href") for a in browse.iter("a")}
    assert links == {"index.html", source_path("rail.example.com"), source_path("example.org")}
    for page in ("index.html", "digests/1.html", article_path(news_entry().guid),
                 source_path("example.org")):
        hrefs = {a.get("href") for a in parse_html5(indexed / page).iter("a")}
        assert hrefs & {"search.html", "../search.html"}, page


def test_without_an_index_the_page_says_search_is_not_available(browser: Browser,
                                                                tmp_path: Path):
    write_sample_site(tmp_path)
    with serve(tmp_path) as (_, address):
        browser.load(address + "search.html", 390, 844)
        why = browser.wait_for("document.getElementById('why').textContent.includes("
                               "'not available') && document.getElementById('why').textContent")
        assert browser.evaluate(READY) is False
    assert "no search index yet" in why


@pytest.mark.slow
def test_the_index_is_rebuilt_only_when_an_article_changed(tmp_path: Path):
    write_sample_site(tmp_path)
    assert update_search(tmp_path) == "search: indexed 3 article pages"
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / SEARCH_DIR).rglob("*")}
    digests = [Digest(2, NOW, (hostile_entry(),)),
               Digest(1, NOW, (news_entry(), report_entry()))]
    assert write_web(tmp_path, digests, _feed()) == []
    (tmp_path / ".pagefind-0badcafe").mkdir()  # a killed build's
    assert update_search(tmp_path) == ""
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / SEARCH_DIR).rglob("*")} == stamps
    assert not (tmp_path / ".pagefind-0badcafe").exists()
    # A new article page, as a run killed before it indexed leaves it: the next one does.
    assert write_web(tmp_path, [Digest(3, NOW, (_another_entry(),)), *digests], _feed())
    assert update_search(tmp_path) == "search: indexed 4 article pages"
    assert indexed_pages(tmp_path) == 4
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_failing_pagefind_leaves_the_old_index_and_a_warning(tmp_path: Path):
    write_sample_site(tmp_path)
    update_search(tmp_path)
    before = {p: p.read_bytes() for p in (tmp_path / SEARCH_DIR).rglob("*") if p.is_file()}
    failing = tmp_path / "pagefind-broken"
    failing.write_text("#!/bin/sh\necho 'Error: out of memory' >&2\nexit 3\n", encoding="utf-8")
    failing.chmod(0o755)
    os.utime(tmp_path / article_path(news_entry().guid))  # changed since the index was built
    said = update_search(tmp_path, failing)
    assert said.startswith("warning: search: Pagefind")
    assert "failed (exit 3): Error: out of memory" in said and "\n" not in said
    after = {p: p.read_bytes() for p in (tmp_path / SEARCH_DIR).rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pagefind")]


@pytest.mark.slow
def test_without_an_atomic_exchange_the_index_is_still_swapped_in_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    write_sample_site(tmp_path)
    update_search(tmp_path)
    monkeypatch.setattr(search_module, "_exchange", lambda first, second: False)
    digests = [Digest(3, NOW, (_another_entry(),)), Digest(2, NOW, (hostile_entry(),)),
               Digest(1, NOW, (news_entry(), report_entry()))]
    write_web(tmp_path, digests, _feed())
    assert update_search(tmp_path) == "search: indexed 4 article pages"
    assert has_index(tmp_path) and indexed_pages(tmp_path) == 4
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_pagefind_comes_with_the_dependencies():
    binary = find_pagefind()
    assert binary is not None and os.access(binary, os.X_OK)


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_without_pagefind_or_with_search_off_a_run_publishes_the_archive(tmp_path: Path):
    seeds, out = tmp_path / "seeds", tmp_path / "out"
    seeds.mkdir()
    (seeds / "news.txt").write_text("港湾の拡張計画\n港湾の拡張計画が発表された。\n",
                                    encoding="utf-8")
    args = ("once", "--seeds", str(seeds), "--out", str(out), "--state",
            str(tmp_path / "s.sqlite3"))
    config = tmp_path / "kakehashi.toml"
    config.write_text('[paths]\npagefind = "no-pagefind"\n[sources]\nsettle_seconds = 0\n',
                      encoding="utf-8")
    result = run_cli(*args, env={"KAKEHASHI_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "search:" in line]
    assert len(warnings) == 1 and "warning" in warnings[0].lower(), result.stderr
    assert "no-pagefind" in warnings[0] and "published without a new index" in warnings[0]
    assert (out / "index.html").is_file() and (out / "search.html").is_file()
    assert len(list((out / "articles").glob("*.html"))) == 1
    assert not (out / SEARCH_DIR).exists()
    # With Pagefind back, the next run builds the missing index, though nothing is new.
    config.write_text("[sources]\nsettle_seconds = 0\n", encoding="utf-8")
    again = run_cli(*args, env={"KAKEHASHI_CONFIG": str(config)})
    assert again.returncode == 0 and "search: indexed 1 article page" in again.stderr
    assert (out / SEARCH_DIR / "pagefind.js").is_file()
    # Search off (feed.search = false): no index built, no search page, no link to it.
    (seeds / "more.txt").write_text("鉄道の延伸計画\n鉄道の延伸計画が発表された。\n",
                                    encoding="utf-8")
    config.write_text("[sources]\nsettle_seconds = 0\n[feed]\nsearch = false\n",
                      encoding="utf-8")
    shutil.rmtree(out)
    off = run_cli(*args, env={"KAKEHASHI_CONFIG": str(config)})
    assert off.returncode == 0 and "search:" not in off.stderr, off.stderr
    pages = [out / "index.html", *out.glob("*/*.html")]
    assert len(list((out / "articles").glob("*.html"))) == 2
    assert not (out / "search.html").exists() and not (out / SEARCH_DIR).exists()
    assert not [page for page in pages if "search.html" in page.read_text("utf-8")]


def _feed() -> FeedConfig:
    return FeedConfig(site_url=SITE)


def _another_entry() -> Entry:
    return replace(news_entry(), guid="kakehashi-00000000000000000000abcd",
                   title_en="Another freight record")
