"""The archive as readers and search engines find it: links between digests, contents on a
long digest, a summary and link-preview tags on every page, robots.txt, no internal file
names, and the editors' checks folded away unless the config opens them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import FeedConfig
from bot.core.model import Digest
from bot.publish.render import article_path, source_path
from bot.publish.rss import write_feed
from bot.publish.web import write_web
from tests.support.pages import broken_links, parse_html5
from tests.support.site import NOW, SITE, hostile_entry, news_entry, report_entry


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


def three_digests(out: Path, site: str = SITE, show_checks: bool = False) -> None:
    long = [replace(news_entry(), guid=f"kakehashi-{n:024x}", title_en=f"Story {n}")
            for n in range(5)]
    digests = [Digest(3, NOW, tuple(long)), Digest(2, NOW, (hostile_entry(),)),
               Digest(1, NOW, (news_entry(), report_entry()))]
    write_web(out, digests, FeedConfig(site_url=site), show_checks=show_checks)
    write_feed(out, digests, FeedConfig(site_url=site), NOW)


def rel_links(page: Path) -> dict[str, str]:
    return {str(a.get("rel")): str(a.get("href")) for a in parse_html5(page).iter("a")
            if a.get("rel")}


def test_each_digest_links_the_one_before_and_after(tmp_path: Path):
    three_digests(tmp_path)
    assert rel_links(tmp_path / "digests" / "3.html") == {"prev": "2.html"}
    assert rel_links(tmp_path / "digests" / "2.html") == {"prev": "1.html", "next": "3.html"}
    assert rel_links(tmp_path / "digests" / "1.html") == {"next": "2.html"}
    assert broken_links(tmp_path) == []


def test_a_long_digest_opens_with_its_contents(tmp_path: Path):
    three_digests(tmp_path)
    root = parse_html5(tmp_path / "digests" / "3.html")
    (contents,) = [n for n in root.iter("nav") if n.get("class") == "contents"]
    targets = [a.get("href") for a in contents.iter("a")]
    assert targets == [f"#article-{n}" for n in range(1, 6)]
    ids = {e.get("id"): text_of(e.find("h2")) for e in root.iter("article")}  # type: ignore[arg-type]
    assert [ids[t[1:]] for t in targets] == [f"Story {n}" for n in range(5)]
    short = parse_html5(tmp_path / "digests" / "1.html")
    assert not [n for n in short.iter("nav") if n.get("class") == "contents"]


def meta(root: ET.Element) -> dict[str, str]:
    found = {}
    for element in root.iter("meta"):
        key = element.get("name") or element.get("property")
        if key:
            found[key] = element.get("content") or ""
    return found


@pytest.mark.parametrize(("name", "kind"), [
    ("index.html", "website"), ("digests/1.html", "article"),
    (article_path(news_entry().guid), "article")])
def test_every_page_describes_itself_for_search_and_link_previews(tmp_path: Path, name: str,
                                                                  kind: str):
    three_digests(tmp_path)
    root = parse_html5(tmp_path / name)
    tags = meta(root)
    assert 20 <= len(tags["description"]) <= 200
    assert tags["og:description"].startswith(tags["description"].rstrip("…"))
    assert tags["og:title"] == text_of(root.find("head/title"))  # type: ignore[arg-type]
    assert tags["og:type"] == kind and tags["og:site_name"] == "Kakehashi digest"
    assert tags["og:url"] == SITE + ("" if name == "index.html" else name)
    if name.startswith("articles/"):
        assert tags["description"].startswith(news_entry().pairs[0].en[:60])


def test_a_local_site_gives_no_address_to_share(tmp_path: Path):
    three_digests(tmp_path, site="http://localhost:8080/")
    for page in tmp_path.rglob("*.html"):
        assert "og:url" not in meta(parse_html5(page)), page
        assert "description" in meta(parse_html5(page)), page


def test_robots_txt_is_written_with_the_archive(tmp_path: Path):
    three_digests(tmp_path)
    lines = (tmp_path / "robots.txt").read_text().splitlines()
    assert lines[0] == "User-agent: *" and all(":" in line for line in lines)


def test_public_pages_never_show_the_internal_file_name(tmp_path: Path):
    three_digests(tmp_path)
    page = (tmp_path / article_path(report_entry().guid)).read_text()
    assert report_entry().document not in page and "minerals-report" not in page
    for path in tmp_path.rglob("*.html"):
        text = path.read_text()
        assert "rail-freight.md" not in text and "odd</b>" not in text, path
    hostile = parse_html5(tmp_path / article_path(hostile_entry().guid))
    assert "Source: example.org — <i>Original</i> title" in text_of(hostile.find("body/header"))  # type: ignore[arg-type]


@pytest.mark.parametrize("show", [False, True])
def test_checks_are_folded_for_editors_unless_the_config_opens_them(tmp_path: Path,
                                                                    show: bool):
    three_digests(tmp_path, show_checks=show)
    article = parse_html5(tmp_path / article_path(report_entry().guid))
    (box,) = [d for d in article.iter("details") if d.get("class") == "warnings"]
    assert (box.get("open") is not None) is show
    # After the story, not before it.
    order = [e for e in article.iter() if e.get("class") in ("pairs", "warnings")]
    assert [e.get("class") for e in order] == ["pairs", "warnings"]
    listing = text_of(parse_html5(tmp_path / "digests" / "1.html").find("body"))  # type: ignore[arg-type]
    index = text_of(parse_html5(tmp_path / "index.html").find("body"))  # type: ignore[arg-type]
    assert ("⚠ 2 checks to review" in listing) is show and ("⚠ 2" in index) is show


def test_each_source_site_has_a_page_of_its_articles(tmp_path: Path):
    three_digests(tmp_path)
    page = tmp_path / source_path("rail.example.com")
    root = parse_html5(page)
    assert text_of(root.find("body/header/h1")) == "From rail.example.com"  # type: ignore[arg-type]
    listed = [a.get("href") for a in root.iter("a") if "/articles/" in (a.get("href") or "")]
    # Newest digest first: the five stories of digest 3, then the news item of digest 1.
    expected = [f"kakehashi-{n:024x}" for n in range(5)] + [news_entry().guid]
    assert listed == [f"../{article_path(g)}" for g in expected]
    article = parse_html5(tmp_path / article_path(news_entry().guid))
    assert f"../{source_path('rail.example.com')}" in [a.get("href") for a in article.iter("a")]
    # The report names no site: no page for it; names that read alike get pages apart.
    assert len(list((tmp_path / "sources").glob("*.html"))) == 2  # rail.example.com, example.org
    assert source_path("News.jp") != source_path("news.jp")
    assert source_path("日経").startswith("sources/site-")
    assert broken_links(tmp_path) == []
