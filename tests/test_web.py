"""The web archive, the feed's links and descriptions, and readable Telegram previews."""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import html5lib
import pytest
from html5lib.html5parser import ParseError
from lxml import etree

from bot.config import FeedConfig
from bot.core.model import Digest
from bot.publish.preview import preview_body, write_preview
from bot.publish.render import (
    article_path,
    public_site,
    render_feed,
    render_telegram,
    source_path,
)
from bot.publish.web import write_web
from bot.text.links import safe_link
from tests.conftest import run_cli
from tests.support.pages import broken_links, parse_html5
from tests.support.site import (
    NOW,
    SITE,
    hostile_entry,
    news_entry,
    report_entry,
    write_sample_site,
)
from tests.support.telegram_html import telegram_html_problems

URI = re.compile(r"https?://[\x21-\x7e]+")


def text_of(element: object) -> str:
    return "".join(element.itertext())  # type: ignore[attr-defined]


def test_the_strict_parser_is_a_real_judge(tmp_path: Path):
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><html lang=en><title>x</title><p>a</div>", encoding="utf-8")
    with pytest.raises(ParseError):
        parse_html5(page)


def test_every_page_is_valid_html5_self_contained_and_labelled(tmp_path: Path):
    write_sample_site(tmp_path)
    pages = sorted(tmp_path.rglob("*.html"))
    assert {p.relative_to(tmp_path).parts[0] for p in pages} == {
        "index.html", "search.html", "digests", "articles", "sources", "telegram"}
    for page in pages:
        root = parse_html5(page)
        assert root.get("lang") == "en", page
        assert root.find("head/meta[@name='viewport']") is not None
        tags = {element.tag for element in root.iter()}
        if page.name == "search.html":  # its one script, from this site (tests/test_search.py)
            (script,) = root.iter("script")
            assert script.attrib == {"type": "module", "src": "search.js"}
            script.attrib.clear()
            tags.discard("script")
        assert not tags & {"script", "iframe", "object", "embed", "img"}, page
        assert all(element.get("src") is None for element in root.iter())
        for link in root.iter("link"):  # the feed, by a relative link; the icon, inline
            href = link.get("href") or ""
            if link.get("rel") == "icon":
                assert href.startswith("data:image/svg+xml,")
            else:
                assert link.get("rel") == "alternate" and "://" not in href
        style = text_of(root.find("head/style"))
        assert "url(" not in style and "@import" not in style
        assert "prefers-color-scheme: dark" in style
        for element in root.iter():  # Japanese text is marked as Japanese
            if element.get("class") in ("ja", "ja-title"):
                assert element.get("lang") == "ja", page


def test_every_link_inside_out_resolves(tmp_path: Path):
    write_sample_site(tmp_path)
    assert broken_links(tmp_path) == []
    (tmp_path / "articles" / "kakehashi-0a1b2c3d4e5f60718293a4b5.html").unlink()
    assert broken_links(tmp_path)  # the judge notices a missing page


def test_article_page_sets_languages_side_by_side_with_terms_and_source(tmp_path: Path):
    write_sample_site(tmp_path)
    entry = news_entry()
    root = parse_html5(tmp_path / article_path(entry.guid))
    cells = [p for p in root.iter("p") if p.get("class") in ("en", "ja")]
    assert [p.get("class") for p in cells] == ["en", "ja"] * len(entry.pairs)
    assert [text_of(p) for p in cells[::2]] == [pair.en for pair in entry.pairs]
    assert [text_of(p) for p in cells[1::2]] == [pair.ja for pair in entry.pairs]
    marks = {(m.text, m.get("title")) for m in root.iter("mark")}
    assert ("中欧班列", "China-Europe Railway Express") in marks
    assert ("China-Europe Railway Express", "中欧班列") in marks
    assert ("Kazakhstan", "カザフスタン") in marks
    assert entry.source.url in [a.get("href") for a in root.iter("a")]
    assert "Article date 2025-12-30" in text_of(root.find("body"))


def test_warnings_and_failed_terms_are_visible(tmp_path: Path):
    write_sample_site(tmp_path)
    entry = report_entry()
    root = parse_html5(tmp_path / article_path(entry.guid))
    (box,) = [s for s in root.iter("details") if s.get("class") == "warnings"]
    assert [text_of(li) for li in box.iter("li")] == list(entry.warnings)
    assert text_of(box.find("summary")).startswith("Editors' checks: 2 notes")
    assert box.get("open") is None  # folded away: the checks are for editors
    (failed,) = [m for m in root.iter("mark") if m.text == "輸送路"]
    assert failed.get("class") == "term failed" and failed.get("title") == "transport route"
    assert "2025-02" in text_of(root.find("body"))


def test_hostile_text_stays_text(tmp_path: Path):
    write_sample_site(tmp_path)
    entry = hostile_entry()
    root = parse_html5(tmp_path / article_path(entry.guid))
    assert [e.tag for e in root.iter() if e.tag in ("script", "b", "i")] == []
    assert "<script>alert(1)</script>見出し" in text_of(root.find("body/header/p"))
    assert text_of(root.find("body/header/h1")) == entry.title_en
    assert entry.pairs[1].en in [text_of(p) for p in root.iter("p")]


def test_pages_are_rewritten_only_when_they_change(tmp_path: Path):
    first = [Digest(1, NOW, (news_entry(), report_entry()))]
    feed = FeedConfig(site_url=SITE)
    # index, robots, search page and script, the digest, two articles, the one source with a site
    assert len(write_web(tmp_path, first, feed)) == 8
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.*")}
    assert write_web(tmp_path, first, feed) == []
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.*")} == stamps
    written = write_web(tmp_path, [Digest(2, NOW, (hostile_entry(),)), *first], feed)
    # Digest 1's page gains its link to the newer digest 2; example.org gets its page, which
    # the search page lists.
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "articles/kakehashi-123456789abcdef012345678.html", "digests/1.html", "digests/2.html",
        "index.html", "search.html", source_path("example.org")]
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_preview_is_a_readable_page_holding_the_exact_message(tmp_path: Path):
    messages = render_telegram(Digest(1, NOW, (news_entry(), hostile_entry())), site=SITE)
    for message in messages:
        page = write_preview(tmp_path, message)
        assert preview_body(page.read_text(encoding="utf-8")) == message
        assert telegram_html_problems(message) == []
        root = parse_html5(page)
        (box,) = [d for d in root.iter("div") if d.get("class") == "message"]
        assert text_of(box).strip()
    assert preview_body("<b>bare</b>\n") == "<b>bare</b>"  # previews of older versions


def test_telegram_links_each_title_to_its_page_only_on_a_public_site():
    digest = Digest(1, NOW, (news_entry(),))
    page = SITE + article_path(news_entry().guid)
    linked = "\n".join(render_telegram(digest, site=public_site(SITE)))
    assert f'<a href="{page}">' in linked
    local = "\n".join(render_telegram(digest, site=public_site("http://localhost:8000/")))
    assert "/articles/" not in local
    assert telegram_html_problems(linked) == []


@pytest.mark.parametrize("url", ["http://localhost:8000/", "http://127.0.0.1/", "http://[::1]:80/",
                                 "http://app.localhost/", "http://0.0.0.0:8000"])
def test_a_loopback_site_is_not_public(url: str):
    assert public_site(url) == ""


@pytest.mark.parametrize(("url", "public"), [
    ("https://digest.example.org/kakehashi", "https://digest.example.org/kakehashi/"),
    ("http://192.0.2.7:8000/", "http://192.0.2.7:8000/")])
def test_a_public_site_keeps_its_path(url: str, public: str):
    assert public_site(url) == public


def test_feed_items_link_somewhere_valid_and_describe_in_order():
    entries = [hostile_entry(), news_entry(), report_entry()]
    xml = render_feed(entries, FeedConfig(site_url=SITE), NOW).encode()
    assert feedparser.parse(xml).bozo == 0
    items = etree.fromstring(xml).findall("channel/item")
    assert len(items) == 3
    for item, entry in zip(items, entries, strict=True):
        link = item.findtext("link") or ""
        assert URI.fullmatch(link), link
        assert link == (safe_link(entry.source.url) or SITE + article_path(entry.guid))
        # A title is text: markup in it is shown as written, never dropped.
        assert item.findtext("title") == f"{entry.title_en} / {entry.title_ja}"
        description = item.findtext("description") or ""
        html5lib.HTMLParser(strict=True).parseFragment(description)
        english, japanese = entry.pairs[0].en, entry.pairs[0].ja
        plain = text_of(html5lib.parseFragment(description, namespaceHTMLElements=False))
        assert plain.index(english) < plain.index(japanese) < plain.index("Bilingual page")
        assert SITE + article_path(entry.guid) in description
    report = items[2].findtext("description") or ""
    assert "Dated 2025-02" in report and "⚠" not in report  # checks are for editors
    shown = render_feed(entries, FeedConfig(site_url=SITE), NOW, show_checks=True).encode()
    report = etree.fromstring(shown).findall("channel/item")[2].findtext("description") or ""
    assert report.index("Bilingual page") < report.index("⚠ number 3.5万 (35,000) missing")
    news = items[1].findtext("description") or ""
    assert "Source: rail.example.com, 2025-12-30" in news


def test_the_article_date_never_replaces_the_publication_time():
    xml = render_feed([news_entry()], FeedConfig(site_url=SITE), NOW).encode()
    (item,) = etree.fromstring(xml).findall("channel/item")
    assert parsedate_to_datetime(item.findtext("pubDate") or "") == NOW


NEWS = ("鉄道貨物の新路線が開通\n"
        "2025年3月4日、新しい貨物路線が開通した。輸送日数は三日短くなった。\n")
REPORT = ("地域協力に関する年次報告\n発行日：2024年12月1日\n\n"
          "本報告は地域協力の現状をまとめたものである。協力の範囲は年々広がっている。\n")
PLAIN = "港湾の拡張計画\n港湾の拡張計画が発表された。完成は数年後の見込みである。\n"


@pytest.mark.usefixtures("installed_model")
def test_once_writes_the_archive_with_each_articles_own_date(tmp_path: Path):
    seeds, out, state = tmp_path / "seeds", tmp_path / "out", tmp_path / "s.sqlite3"
    seeds.mkdir()
    for name, text in (("news.txt", NEWS), ("report.txt", REPORT), ("plain.txt", PLAIN)):
        (seeds / name).write_text(text, encoding="utf-8")
    filed = datetime(2023, 5, 6, 12, 0, tzinfo=UTC).timestamp()
    os.utime(seeds / "plain.txt", (filed, filed))
    args = ("once", "--seeds", str(seeds), "--out", str(out), "--state", str(state))
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert f"wrote {out / 'index.html'}" in result.stderr
    items = etree.parse(str(out / "feed.xml")).getroot().findall("channel/item")
    described = {item.findtext("guid"): item.findtext("description") or "" for item in items}
    assert sorted(d for text in described.values()
                  for d in re.findall(r"Dated ([\d-]+(?: \(file date\))?)", text)) == [
        "2023-05-06 (file date)", "2024-12-01", "2025-03-04"]
    for item in items:
        page = out / article_path(item.findtext("guid") or "")
        assert item.findtext("link") == "http://localhost:8080/" + article_path(
            item.findtext("guid") or "")
        assert page.is_file()
    assert (out / "digests" / "1.html").is_file()
    for page in out.rglob("*.html"):
        parse_html5(page)
    assert broken_links(out) == []
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    again = run_cli(*args)
    assert again.returncode == 0 and "nothing new" in again.stderr
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == stamps


@pytest.mark.usefixtures("installed_model")
def test_once_on_the_real_samples_links_every_item(shared_seeds: Path, tmp_path: Path):
    seeds, out = tmp_path / "seeds", tmp_path / "out"
    shutil.copytree(shared_seeds, seeds)
    result = run_cli("once", "--seeds", str(seeds), "--out", str(out), "--state",
                     str(tmp_path / "s.sqlite3"))
    assert result.returncode == 0, result.stderr
    items = etree.parse(str(out / "feed.xml")).getroot().findall("channel/item")
    assert items and all(URI.fullmatch(item.findtext("link") or "") for item in items)
    guids = {item.findtext("guid") for item in items}
    assert {p.stem for p in (out / "articles").glob("*.html")} == guids
    for page in out.rglob("*.html"):
        parse_html5(page)
    assert broken_links(out) == []


def test_render_keeps_links_through_the_uri_filter():
    entry = hostile_entry()
    xml = render_feed([entry], FeedConfig(site_url=SITE), NOW)
    link = etree.fromstring(xml.encode()).findtext("channel/item/link") or ""
    assert URI.fullmatch(link)


def test_recent_digests_hold_every_entry_the_feed_shows():
    from dataclasses import replace

    from bot.state.store import Store

    store = Store.open(":memory:")
    try:
        made = [replace(news_entry(), guid=f"kakehashi-{n:024x}") for n in range(5)]
        with store.transaction():
            store.add_entries(made)
            first = store.create_digest(NOW, [e.guid for e in made[:3]])
            second = store.create_digest(NOW, [e.guid for e in made[3:]])
        digests = store.recent_digests(10)
        assert [(d.id, [e.guid for e in d.entries]) for d in digests] == [
            (second, [e.guid for e in made[3:]]), (first, [e.guid for e in made[:3]])]
        # The feed's newest entries all sit in the digests returned, whatever the limit.
        shown = {e.guid for e in store.recent_entries(3)}
        kept = {e.guid for d in store.recent_digests(3) for e in d.entries}
        assert shown <= kept
        assert [d.id for d in store.recent_digests(2)] == [second]
    finally:
        store.close()
