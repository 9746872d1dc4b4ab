"""axe-core, the accessibility engine inside Lighthouse, run on every kind of archive page in
headless Chromium, light and dark, phone and desktop: no violations.

axe-core is taken from an npm install (`npm i -g lighthouse` brings it, or `npm i -g
axe-core`), or from AXE_CORE_JS; without it, or without Chromium, the tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def violations(browser: Browser, axe: str, page: Path, width: int, dark: bool) -> list[str]:
    browser.load(page, width, 900, dark=dark)
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
    pages = [tmp_path / "index.html", *sorted((tmp_path / "digests").glob("*.html")),
             *sorted((tmp_path / "articles").glob("*.html")),
             *sorted((tmp_path / "sources").glob("*.html"))]
    found = {page.name: violations(*axe_browser, page, width, dark) for page in pages}
    assert {name: v for name, v in found.items() if v} == {}
