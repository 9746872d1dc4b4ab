"""A real headless Chromium renders every kind of page at phone and desktop widths.

Screenshots are kept in pytest's temporary folder (printed on failure), never in the repo.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.publish.render import article_path
from tests.conftest import run_cli
from tests.support.browser import Browser, running_browser
from tests.support.site import hostile_entry, news_entry, report_entry, write_sample_site

PHONE, DESKTOP = (390, 844), (1280, 900)
# The first English cell and the first Japanese cell: where they sit on the page.
FIRST_PAIR = """(() => {
  const en = document.querySelector('.pairs .en').getBoundingClientRect();
  const ja = document.querySelector('.pairs .ja').getBoundingClientRect();
  return {enLeft: en.left, enTop: en.top, enBottom: en.bottom, jaLeft: ja.left, jaTop: ja.top};
})()"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with running_browser() as running:
        yield running


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample-out")
    write_sample_site(out)
    return out


def page_kinds(out: Path) -> dict[str, Path]:
    return {"index": out / "index.html", "digest": next((out / "digests").glob("*.html")),
            "article": next((out / "articles").glob("*.html")),
            "source": next((out / "sources").glob("*.html")),
            "telegram": next((out / "telegram").glob("*.html"))}


def luminance(css_color: str) -> float:
    red, green, blue = (int(v) / 255 for v in re.findall(r"\d+", css_color)[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def check_page(browser: Browser, page: Path, shots: Path, name: str) -> None:
    for width, height in (PHONE, DESKTOP):
        layout = browser.load(page, width, height)
        browser.screenshot(shots / f"{name}-{width}.png")
        assert layout.client_width == width, f"{name} at {width}px: {layout}"
        assert not layout.scrolls_sideways, f"{name} at {width}px scrolls sideways: {layout}"


@pytest.mark.parametrize("kind", ["index", "digest", "article", "source", "telegram"])
def test_sample_pages_fit_phone_and_desktop(browser: Browser, sample_out: Path, kind: str,
                                            tmp_path: Path):
    check_page(browser, page_kinds(sample_out)[kind], tmp_path, kind)


def test_hostile_article_fits_a_phone(browser: Browser, sample_out: Path, tmp_path: Path):
    page = sample_out / article_path(hostile_entry().guid)
    check_page(browser, page, tmp_path, "hostile")


def test_languages_sit_side_by_side_on_desktop_and_stack_on_a_phone(
        browser: Browser, sample_out: Path):
    page = sample_out / article_path(news_entry().guid)
    browser.load(page, *DESKTOP)
    wide = browser.evaluate(FIRST_PAIR)
    assert wide["jaLeft"] > wide["enLeft"] + 300 and abs(wide["jaTop"] - wide["enTop"]) < 2
    browser.load(page, *PHONE)
    narrow = browser.evaluate(FIRST_PAIR)
    assert abs(narrow["jaLeft"] - narrow["enLeft"]) < 2 and narrow["jaTop"] >= narrow["enBottom"]


@pytest.mark.parametrize("kind", ["index", "article", "telegram"])
def test_dark_mode_is_readable(browser: Browser, sample_out: Path, kind: str, tmp_path: Path):
    page = page_kinds(sample_out)[kind]
    light = browser.load(page, *PHONE)
    dark = browser.load(page, *PHONE, dark=True)
    browser.screenshot(tmp_path / f"{kind}-dark.png")
    assert luminance(light.background) > 0.8 and luminance(light.color) < 0.3
    assert luminance(dark.background) < 0.2 and luminance(dark.color) > 0.7


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_pages_made_from_the_real_samples_fit(browser: Browser, shared_seeds: Path,
                                              tmp_path: Path):
    seeds, out = tmp_path / "seeds", tmp_path / "out"
    shutil.copytree(shared_seeds, seeds)
    result = run_cli("once", "--seeds", str(seeds), "--out", str(out), "--state",
                     str(tmp_path / "s.sqlite3"))
    assert result.returncode == 0, result.stderr
    pages = [out / "index.html", *(out / "digests").glob("*.html"),
             *(out / "articles").glob("*.html"), *sorted((out / "telegram").glob("*.html"))[:2]]
    assert len(pages) > 5
    for number, page in enumerate(pages):
        check_page(browser, page, tmp_path / "shots", f"{number:02d}-{page.stem}")


CHECKS_AFTER_STORY = """(() => {
  const cells = document.querySelectorAll('.pairs p');
  const box = document.querySelector('.warnings').getBoundingClientRect();
  return {storyBottom: cells[cells.length - 1].getBoundingClientRect().bottom,
          boxTop: box.top, boxHeight: box.height};
})()"""


def test_editors_checks_come_after_the_story_on_a_phone(browser: Browser, sample_out: Path):
    browser.load(sample_out / article_path(report_entry().guid), *PHONE)
    found = browser.evaluate(CHECKS_AFTER_STORY)
    assert found["boxTop"] >= found["storyBottom"], found
    # Folded: its summary line shows, the notes do not take the reader's screen.
    assert 0 < found["boxHeight"] < 80, found
