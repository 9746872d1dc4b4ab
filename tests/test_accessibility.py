"""axe-core, the accessibility engine inside Lighthouse, run on every kind of archive page in
headless Chromium, light and dark, phone and desktop: no violations.

axe-core is taken from an npm install (`npm i -g lighthouse` brings it, or `npm i -g
axe-core`), or from AXE_CORE_JS; without it, or without Chromium, the tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.publish.search import update_search
from tests.conftest import ROOT
from tests.support import serving
from tests.support.browser import Browser, find_chromium
from tests.support.site import write_sample_site

RUN_AXE = """axe.run(document, {resultTypes: ['violations']}).then(
  r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"""


def find_axe() -> Path | None:
    """axe.min.js from AXE_CORE_JS or the global npm folder (on its own or in Lighthouse)."""
    if os.environ.get("AXE_CORE_JS"):
        return Path(os.environ["AXE_CORE_JS"])
    npm = shutil.which("npm")
    if npm is None:
        return None
    root = Path(subprocess.run([npm, "root", "-g"], capture_output=True, text=True,
                               timeout=60).stdout.strip())
    for place in ("axe-core", "lighthouse/node_modules/axe-core"):
        if (root / place / "axe.min.js").is_file():
            return root / place / "axe.min.js"
    return None


@pytest.fixture(scope="module")
def axe_browser() -> Iterator[tuple[Browser, str]]:
    executable, axe = find_chromium(), find_axe()
    if executable is None or axe is None:
        pytest.skip("needs chromium and axe-core (npm i -g axe-core)")
    browser = Browser(executable)
    yield browser, axe.read_text(encoding="utf-8")
    browser.close()


def violations(browser: Browser, axe: str, page: Path | str, width: int, dark: bool,
               ready: str = "true") -> list[str]:
    """axe-core's findings on PAGE (a file or a URL), once the expression READY is true."""
    browser.load(page, width, 900, dark=dark)
    browser.wait_for(ready)
    browser.evaluate(axe)
    result = browser.call("Runtime.evaluate", {"expression": RUN_AXE, "awaitPromise": True,
                                               "returnByValue": True}, session=True)
    return list(result["result"]["value"])


def test_the_judge_finds_a_violation(axe_browser: tuple[Browser, str], tmp_path: Path):
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><title>x</title><a href='x'></a>", encoding="utf-8")
    found = violations(*axe_browser, page, 390, False)
    assert any(v.startswith("link-name") for v in found), found


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_archive_pages_have_no_accessibility_violations(axe_browser: tuple[Browser, str],
                                                       tmp_path: Path, width: int, dark: bool):
    write_sample_site(tmp_path)
    # search.html opened as a file: its script cannot load there, as with JavaScript off.
    pages = [tmp_path / "index.html", tmp_path / "search.html",
             *sorted((tmp_path / "digests").glob("*.html")),
             *sorted((tmp_path / "articles").glob("*.html")),
             *sorted((tmp_path / "sources").glob("*.html"))]
    found = {page.name: violations(*axe_browser, page, width, dark) for page in pages}
    assert {name: v for name, v in found.items() if v} == {}


@pytest.fixture(scope="module")
def search_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`kakehashi serve` on an archive with its search index, and on one without."""
    indexed, bare = tmp_path_factory.mktemp("indexed"), tmp_path_factory.mktemp("bare")
    write_sample_site(indexed)
    assert update_search(indexed).startswith("search: indexed")
    write_sample_site(bare)
    command = [sys.executable, "-m", "bot", "serve", "--port", "0", "--out"]
    with serving.started([*command, str(indexed)], cwd=ROOT) as (_, with_index), \
            serving.started([*command, str(bare)], cwd=ROOT) as (_, without_index):
        yield with_index, without_index


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_search_page_has_no_accessibility_violations(
        axe_browser: tuple[Browser, str], search_sites: tuple[str, str], width: int,
        dark: bool):
    with_index, without_index = search_sites
    found = {  # two articles found for 輸送 (transport), and a page without an index
        "results": violations(*axe_browser, with_index + "search.html?q=%E8%BC%B8%E9%80%81",
                              width, dark,
                              "document.querySelectorAll('#results li').length > 1"),
        "no index": violations(*axe_browser, without_index + "search.html", width, dark,
                               "document.getElementById('why').textContent.includes("
                               "'not available')"),
    }
    assert {state: v for state, v in found.items() if v} == {}
