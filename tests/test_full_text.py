"""full_text feeds: a teaser feed's entries are read from their pages, politely; a page that
cannot be read leaves the teaser, with its reason in the run's lines and in `status`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Config, PathsConfig, SourcesConfig, load_config
from bot.core.errors import ConfigError
from bot.glossary import Glossary
from bot.run.ingest import ingest_sources
from bot.run.job import Ingest, IngestReport
from bot.sources.pages import PageFetcher, PageSettings
from bot.sources.robots import HostPacer, pace_delay
from bot.state.feedlog import PAGE_DAYS
from bot.state.records import SavedPage
from bot.state.status import status_lines
from bot.state.store import Store
from bot.translate.translator import WholeBatches
from tests.conftest import run_cli
from tests.support.feed_polling import RSS_TYPE, make_rss
from tests.support.page_server import Page, PageServer, article_page, serve_pages

TEASER = "中欧班列の記録更新について速報でお伝えします。詳しくは記事本文をご覧ください。"
PAGE = article_page(
    "中欧班列の運行本数が過去最多に",
    "ホルゴスを通過する中欧班列の運行本数が十一月に過去最多を更新した。",
    "国境での通関手続きが電子化され、待ち時間は半分に短くなった。",
    "鉄道当局は来年も便数を増やす計画だと説明している。",
)
PAGE_SENTENCES = ("ホルゴスを通過する中欧班列の運行本数が十一月に過去最多を更新した。",
                  "国境での通関手続きが電子化され、待ち時間は半分に短くなった。")


class Echo(WholeBatches):
    """Each sentence 'translated' as itself: the entries show which Japanese got in."""

    identity = "echo"

    def translate(self, sentences: Sequence[str]) -> list[str]:
        return [f"en: {s}" for s in sentences]


def item(link: str, guid: str, title: str, teaser: str) -> str:
    return (f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
            f"<description>{teaser}</description></item>")


def feed_page(server: PageServer, items: str) -> Page:
    return Page(make_rss(items).encode(), headers=dict(RSS_TYPE))


def run_once(tmp_path: Path, server: PageServer, *, full_text: bool = True,
             **settings: float) -> tuple[IngestReport, Store, list[str]]:
    feed = server.url("/feed.xml")
    sources = SourcesConfig(feeds=(feed,), full_text=((feed, True),) if full_text else (),
                            feed_timeout_seconds=5.0, page_host_interval_seconds=0.0,
                            **settings)
    config = Config(paths=PathsConfig(state=tmp_path / "state.sqlite3"), sources=sources)
    store = Store.open(config.paths.state)
    lines: list[str] = []
    job = Ingest(config, store, Glossary(), Echo(), datetime.now(UTC), lines.append)
    report = IngestReport()
    ingest_sources(job, report, folder=False)
    return report, store, lines


def japanese_of(store: Store) -> str:
    return "\n".join(pair.ja for entry in store.pending_entries() for pair in entry.pairs)


def test_a_teaser_feed_with_full_text_publishes_the_pages_sentences(tmp_path: Path) -> None:
    with serve_pages({"/news/1": Page(PAGE)}) as server:
        server.pages["/feed.xml"] = feed_page(server, item(
            server.url("/news/1"), "n-1", "中欧班列の運行本数が過去最多に", TEASER))
        report, store, lines = run_once(tmp_path, server)
    assert report.entries == 1, lines
    published = japanese_of(store)
    assert all(sentence in published for sentence in PAGE_SENTENCES)
    assert "速報" not in published  # the teaser's sentences gave way to the page's
    entry = store.pending_entries()[0]
    assert entry.title_ja == "中欧班列の運行本数が過去最多に"  # the feed's title is kept
    assert entry.source.url == server.url("/news/1")
    assert not [line for line in lines if line.startswith("warning:")]
    # robots.txt asked first (its 404: everything allowed), then the page, once each.
    assert server.paths() == ["/feed.xml", "/robots.txt", "/news/1"]
    user_agents = {headers.get("user-agent") for _, headers in server.requests}
    assert user_agents == {"Kakehashi/0.1 (+feed reader)"}


def test_full_text_off_fetches_no_page(tmp_path: Path) -> None:
    with serve_pages({"/news/1": Page(PAGE)}) as server:
        server.pages["/feed.xml"] = feed_page(server, item(
            server.url("/news/1"), "n-1", "中欧班列の記録更新", TEASER))
        report, store, _ = run_once(tmp_path, server, full_text=False)
    assert server.paths() == ["/feed.xml"]
    assert report.entries == 1
    assert "詳しくは記事本文をご覧ください。" in japanese_of(store)


BAD_PAGES = {
    "/slow": (Page(hold=True), "timed out after 2 s"),
    "/huge": (Page(article_page("大きな記事", "長い本文です。" * 20_000)),
              "page too large (420,"),
    "/loop": (Page(status=302, headers={"Location": "/loop"}), "too many redirects (limit 5)"),
    "/doc.pdf": (Page(b"%PDF-1.4 " + b"0" * 100, headers={"Content-Type": "application/pdf"}),
                 "not an HTML page (application/pdf)"),
    "/photo": (Page(b"\x89PNG\r\n" + b"0" * 100, headers={"Content-Type": "image/png"}),
               "not an HTML page (image/png)"),
    "/private/1": (Page(PAGE), "robots.txt disallows it"),
    "/gone": (Page(b"not here", 404, {}), "HTTP 404 Not Found"),
    "/binary": (Page(bytes(range(256)) * 8), "binary file (NUL bytes), not text"),
    "/empty": (Page(b"<html><body><nav><a href=/>top</a></nav></body></html>"),
               "no article text on the page"),
}
PLACES = ["北京", "上海", "広州", "深圳", "成都", "武漢", "西安", "天津", "重慶"]


@pytest.mark.slow
def test_a_page_that_cannot_be_read_leaves_the_teaser_with_its_reason(tmp_path: Path) -> None:
    pages = {path: page for path, (page, _) in BAD_PAGES.items()}
    pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /private/\n",
                                headers={"Content-Type": "text/plain"})
    with serve_pages(pages) as server:
        items = "".join(item(server.url(path), f"g{n}", f"{PLACES[n]}の話題",
                             f"{PLACES[n]}で新しい物流拠点の建設が始まった。")
                        for n, path in enumerate(BAD_PAGES))
        server.pages["/feed.xml"] = feed_page(server, items)
        report, store, lines = run_once(tmp_path, server, page_timeout_seconds=2.0,
                                        max_page_bytes=100_000)
        config = Config(paths=PathsConfig(state=tmp_path / "state.sqlite3"))
        status = "\n".join(status_lines(config))
    assert report.entries == len(BAD_PAGES), lines
    published = japanese_of(store)
    for n, (path, (_, reason)) in enumerate(BAD_PAGES.items()):
        assert f"{PLACES[n]}で新しい物流拠点の建設が始まった。" in published  # its teaser
        warning = f"warning: teaser only for {server.url(path)}: {reason}"
        assert any(line.startswith(warning) for line in lines), (warning, lines)
        assert re.search(f"  {re.escape(server.url(path))} \\(.*\\): {re.escape(reason)}",
                         status), (reason, status)
    assert "feed entries published from their teaser" in status
    assert "/private/1" not in server.paths()  # robots.txt said no: never asked
    assert server.paths().count("/robots.txt") == 1  # once per host and run
    assert server.paths().count("/loop") == 6  # the first request and 5 redirects


def test_unreachable_robots_txt_fetches_nothing_from_the_host(tmp_path: Path) -> None:
    pages = {"/news/1": Page(PAGE), "/robots.txt": Page(b"down", 503, {})}
    with serve_pages(pages) as server:
        server.pages["/feed.xml"] = feed_page(server, item(
            server.url("/news/1"), "n-1", "中欧班列の記録更新", TEASER))
        _, store, lines = run_once(tmp_path, server)
    assert "/news/1" not in server.paths()
    assert "詳しくは記事本文をご覧ください。" in japanese_of(store)
    assert any("robots.txt unreachable (HTTP 503 Service Unavailable)" in line
               for line in lines)


def test_a_page_asked_again_is_asked_conditionally_and_its_text_kept(tmp_path: Path) -> None:
    page = Page(PAGE, etag='"p1"', headers={**Page().headers,
                                            "Last-Modified": "Tue, 24 Nov 2026 00:00:00 GMT"})
    with serve_pages({"/news/1": page}) as server:
        link = server.url("/news/1")
        server.pages["/feed.xml"] = feed_page(server, item(link, "n-1", "中欧班列", TEASER))
        first, store, _ = run_once(tmp_path, server)
        store.close()
        # The entry comes again under another guid (re-issued): its page is asked again.
        server.pages["/feed.xml"] = feed_page(server, item(link, "n-1b", "中欧班列", TEASER))
        again, store, lines = run_once(tmp_path, server)
    asked = [headers for path, headers in server.requests if path == "/news/1"]
    assert len(asked) == 2
    assert "if-none-match" not in asked[0] and "if-modified-since" not in asked[0]
    assert asked[1]["if-none-match"] == '"p1"'
    assert asked[1]["if-modified-since"] == "Tue, 24 Nov 2026 00:00:00 GMT"
    assert [status for path, status in server.answers if path == "/news/1"] == [200, 304]
    assert first.entries == 1
    # The 304 reused the text read before: the same article as the first run's, not a new
    # one from the teaser.
    assert again.entries == 0
    assert [reason for _, reason in again.skipped] == [
        "every article in it was published before (same title and text)"]
    assert not [line for line in lines if "teaser only" in line]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_pace_between_two_requests_to_a_host() -> None:
    assert pace_delay(None, 50.0, 2.0) == 0.0
    assert pace_delay(49.5, 50.0, 2.0) == 1.5
    assert pace_delay(40.0, 50.0, 2.0) == 0.0
    clock = FakeClock()
    pacer = HostPacer(2.0, clock, clock.sleep)
    pacer.wait("a.example")
    pacer.wait("b.example")  # another host: no wait
    clock.now += 0.5
    pacer.wait("a.example")
    pacer.wait("a.example", interval=5.0)  # the host's Crawl-delay, longer
    assert clock.slept == [1.5, 5.0]


def test_pages_of_one_host_are_paced_and_robots_crawl_delay_counts() -> None:
    pages = {"/a": Page(PAGE), "/b": Page(PAGE), "/robots.txt": Page(
        b"User-agent: Kakehashi\nCrawl-delay: 7\n", headers={"Content-Type": "text/plain"})}
    clock = FakeClock()
    with serve_pages(pages) as server:
        fetcher = PageFetcher(PageSettings(timeout=5.0, host_interval=3.0), clock, clock.sleep)
        first = fetcher.fetch(server.url("/a"))
        second = fetcher.fetch(server.url("/b"))
        # Another origin (same server by another name): its own robots.txt, no wait on it.
        other = fetcher.fetch(server.url("/a", host="localhost"))
    assert not first.reason and not second.reason and not other.reason
    assert PAGE_SENTENCES[0] in first.text and "中欧班列の運行本数が過去最多に" not in first.text
    assert server.paths() == ["/robots.txt", "/a", "/b", "/robots.txt", "/a"]
    # robots.txt at 100, /a after its Crawl-delay (7 > 3), /b 7 s later; localhost: robots.txt
    # at once, then the page after its own delay.
    assert clock.slept == [7.0, 7.0, 7.0]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "k.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_text_is_a_table_of_listed_feeds(tmp_path: Path) -> None:
    feed = "https://a.example/f"
    config = load_config(write(tmp_path, f'[sources]\nfeeds = ["{feed}"]\n'
                                         f'[sources.full_text]\n"{feed}" = true\n'), {})
    assert config.sources.full_text_of(feed)
    assert not config.sources.full_text_of("https://b.example/f")
    assert not SourcesConfig(feeds=(feed,)).full_text_of(feed)  # off by default


@pytest.mark.parametrize(("text", "message"), [
    ('[sources.full_text]\n"https://b.example/f" = true\n',
     "config: sources.full_text: https://b.example/f is not in sources.feeds"),
    ('[sources.full_text]\n"https://a.example/f" = 1\n',
     'config: sources.full_text must be a table of "URL" = true or false'),
    ("page_timeout_seconds = 0\n",
     "config: sources.page_timeout_seconds must be > 0 and <= 600 (got 0)"),
    ("max_page_bytes = 0\n", "config: sources.max_page_bytes must be >= 1 and <= 1000000000"
     " (got 0)"),
    ("page_host_interval_seconds = -1.0\n",
     "config: sources.page_host_interval_seconds must be >= 0 and <= 3600 (got -1)"),
])
def test_bad_full_text_settings_are_one_line_errors(tmp_path: Path, text: str,
                                                    message: str) -> None:
    head = '[sources]\nfeeds = ["https://a.example/f"]\n'
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, head + text), {})
    assert str(raised.value) == message


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_once_publishes_the_page_and_status_lists_the_teasers(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    with serve_pages({"/news/1": Page(PAGE)}) as server:
        items = (item(server.url("/news/1"), "n-1", "中欧班列の運行本数が過去最多に", TEASER)
                 + item(server.url("/gone"), "n-2", "風力発電所が完成",
                        "カザフスタン南部で中国企業が建設した風力発電所が完成した。"))
        server.pages["/feed.xml"] = feed_page(server, items)
        feed = server.url("/feed.xml")
        config = write(tmp_path, f'[sources]\nfeeds = ["{feed}"]\n'
                                 f'[sources.full_text]\n"{feed}" = true\n')
        state = str(tmp_path / "s.sqlite3")
        run = run_cli("once", "--config", str(config), "--seeds", str(tmp_path / "seeds"),
                      "--out", str(tmp_path / "out"), "--state", state)
        status = run_cli("status", "--config", str(config), "--state", state)
    assert run.returncode == 0, run.stderr
    assert f"WARNING teaser only for {server.url('/gone')}: HTTP 404 Not Found" in run.stderr
    archive = "\n".join(path.read_text(encoding="utf-8")
                        for path in (tmp_path / "out").rglob("*.html"))
    assert PAGE_SENTENCES[0] in archive and "速報" not in archive
    assert "カザフスタン南部で中国企業が建設した風力発電所が完成した。" in archive
    assert "feed entries published from their teaser (full_text page not read):" in status.stdout
    assert f"{server.url('/gone')} (" in status.stdout
    assert "): HTTP 404 Not Found" in status.stdout


def test_pages_are_forgotten_after_a_month(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    day = 86_400.0
    with store.transaction():
        store.feeds().save_page("https://a.example/old", SavedPage("", "", "", "", "404"), 0.0)
        store.feeds().save_page("https://a.example/kept", SavedPage("", "", "", "", "404"),
                                PAGE_DAYS * day - 1)
        store.feeds().save_page("https://a.example/new", SavedPage("", "", "本文", "", ""),
                                PAGE_DAYS * day + 1)
    assert store.feeds().page("https://a.example/old") is None
    assert [t.url for t in store.feeds().teasers()] == ["https://a.example/kept"]
    assert store.feeds().page("https://a.example/new") == SavedPage("", "", "本文", "", "")
