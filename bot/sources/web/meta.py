"""What a web page says of itself: headline, site, canonical URL and date, from its metadata
(JSON-LD, Open Graph, <link rel=canonical>, article:published_time, <time datetime>) before
any heuristic on its headings. Pure: takes the facts the HTML reader collected.

The headline never carries the site's name: `見出し | NHK | 宇宙` → `見出し`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit, urlunsplit

from bot.text.dates import printed_date

_ARTICLE_TYPES = frozenset({"Article", "NewsArticle", "ReportageNewsArticle", "BlogPosting",
                            "AnalysisNewsArticle", "OpinionNewsArticle", "BackgroundNewsArticle",
                            "ReviewNewsArticle", "LiveBlogPosting", "TechArticle", "Report",
                            "ScholarlyArticle", "SocialMediaPosting"})
_MAX_LD_OBJECTS = 5_000  # a page's JSON-LD is a few dozen objects; more is not metadata
_DATE_KEYS = ("article:published_time", "og:published_time", "datepublished", "pubdate",
              "publishdate", "date", "dc.date.issued", "dc.date", "dcterms.issued")
# A site name in a title is set off by a bar, a dash with spaces, a slash or a colon.
_SEPARATOR = r"\s*(?:[|｜/／:：]|\s[-–—]\s)\s*"
_GENERIC_SPLIT = re.compile(r"\s*[|｜]\s*|\s+[-–—]\s+")
_SPACED_BAR = re.compile(r"\s+\|\s+")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
                  r"(Z|[+-]\d{2}:?\d{2})?)?")
_SLASHED = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")


@dataclass(frozen=True)
class PageFacts:
    """What the HTML reader found on a page, unjudged."""

    meta: Mapping[str, str] = field(default_factory=dict)  # name/property → first content
    canonical: str = ""
    json_ld: tuple[str, ...] = ()
    title: str = ""  # <title>
    body_h1: str = ""  # the first <h1> inside the article
    h1_before: str = ""  # the last <h1> before the article
    h1s: tuple[str, ...] = ()  # every <h1> on the page
    time: str = ""  # the first <time datetime> inside the article
    dateline: str = ""  # the article's text around its body (headline, date line, tools)


@dataclass(frozen=True)
class PageMeta:
    """A page's headline, site name, canonical URL (http/https) and ISO publication date."""

    headline: str = ""
    site: str = ""
    url: str = ""
    published: str = ""


def page_meta(facts: PageFacts) -> PageMeta:
    """The page's own account of itself, metadata first, headings and <title> last."""
    article = _ld_article(facts.json_ld)
    site = _clean(facts.meta.get("og:site_name", "") or _publisher(article)
                  or facts.meta.get("application-name", ""))
    published = next(filter(None, map(iso_date, (
        _text(article.get("datePublished")), *(facts.meta.get(k, "") for k in _DATE_KEYS),
        facts.time))), "") or printed_date(facts.dateline)
    url = next(filter(None, map(clean_url, (
        facts.canonical, facts.meta.get("og:url", ""), _ld_url(article)))), "")
    return PageMeta(_headline(facts, article, site), site, url, published)


def _headline(facts: PageFacts, article: Mapping[str, object], site: str) -> str:
    """The article's own h1 when the page's metadata or <title> confirms it (what readers
    see, and some pages put their summary in JSON-LD's headline); else JSON-LD headline,
    og:title, the article's h1, an h1 the title starts with, the last h1 before the article,
    <title>: the first there is, without the site's name. Only a title's parts after a bar or
    dash are taken for an unknown site's name: headlines and headings are headlines, with
    whatever bars they hold."""
    h1s = [_clean(h1) for h1 in facts.h1s]
    own = _clean(facts.body_h1)
    if own and _confirmed(own, facts, article):
        return own
    for candidate, generic in ((_text(article.get("headline")), False),
                               (facts.meta.get("og:title", ""), True),
                               (facts.body_h1, False), (_h1_of_title(facts.title, h1s), False),
                               (facts.h1_before, False), (facts.title, True)):
        headline = strip_site(_clean(candidate), site, h1s, generic=generic)
        if headline:
            return headline
    return ""


def _confirmed(h1: str, facts: PageFacts, article: Mapping[str, object]) -> bool:
    """Does a second source name `h1` as the page's title (og:title, JSON-LD, <title>)?"""
    named = (_text(article.get("headline")), _text(article.get("name")),
             facts.meta.get("og:title", ""), facts.meta.get("twitter:title", ""))
    return (any(_clean(name) == h1 for name in named)
            or _clean(facts.title).startswith(h1))


def _h1_of_title(title: str, h1s: list[str]) -> str:
    title = _clean(title)
    return next((h1 for h1 in h1s if h1 and title.startswith(h1)), "")


def strip_site(title: str, site: str = "", h1s: list[str] | tuple[str, ...] = (),
               generic: bool = True) -> str:
    """`title` without the site's name set off at its end or start (`見出し | NHK`); with
    `generic`, also without what follows a bar or a spaced dash (`見出し | NHK | 宇宙`)."""
    for h1 in h1s:  # the page's own heading, when the title is it plus a suffix
        if h1 and len(h1) < len(title) and re.fullmatch(re.escape(h1) + _SEPARATOR + ".+", title):
            return h1
    if site == title:
        site = ""  # a blog whose site name is each post's title names no site
    names = [name for name in (site, *_GENERIC_SPLIT.split(site)) if name]
    changed = True
    while changed:  # "見出し | やさしい | EASY" with the site "やさしい | EASY" in either order
        changed = False
        for name in map(re.escape, names):
            # Only the whole site name is taken off the start: a part of it may be the headline.
            start = f"|^{name}{_SEPARATOR}" if name == re.escape(site) else ""
            stripped = re.sub(f"(?:{_SEPARATOR}{name})+${start}", "", title)
            if stripped != title and stripped:
                title, changed = stripped, True
    # Unknown site names: a headline comes first, the site and its sections after it. A
    # headline may hold a bar or a dash of its own, but not a spaced bar: that is a title's.
    parts = (_GENERIC_SPLIT if generic else _SPACED_BAR).split(title)
    return parts[0] if len(parts) > 1 and parts[0] else title


def iso_date(value: str) -> str:
    """An ISO 8601 date or date-time as the page gives it (`2024-12-05`,
    `2024-12-05T16:00:51+09:00`), a `2024/12/05` date made ISO, or "" when not a date."""
    value = value.strip()
    match = _ISO.match(value)
    if match and match.end() == len(value):
        try:
            date(int(match[1]), int(match[2]), int(match[3]))
            if match[4]:
                datetime.fromisoformat(value.replace(" ", "T", 1).replace("Z", "+00:00"))
        except ValueError:
            return ""
        # One form for every page: `T` between date and time, `+09:00` for `+0900`.
        return re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value.replace(" ", "T", 1))
    match = _SLASHED.match(value)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return ""
    return ""


def clean_url(url: str) -> str:
    """An absolute http(s) URL without credentials, or ""."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not host or re.search(r"\s", url):
        return ""
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    return urlunsplit((parts.scheme.lower(), host + port, parts.path, parts.query,
                       parts.fragment))


def _clean(text: str) -> str:
    return " ".join(text.split())


def _text(value: object) -> str:
    if isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, str) else ""


def _ld_objects(scripts: tuple[str, ...]) -> Iterator[dict[str, object]]:
    """Every JSON object in the page's JSON-LD, nested ones and @graph members included."""
    seen = 0
    for script in scripts:
        text = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|//\s*\]\]>\s*$|^\s*<!--|-->\s*$", "", script)
        try:
            stack: list[object] = [json.loads(text)]
        except (ValueError, RecursionError):
            continue  # broken JSON-LD is common; the page's other metadata still counts
        while stack and seen < _MAX_LD_OBJECTS:
            item = stack.pop()
            seen += 1
            if isinstance(item, dict):
                yield item
                stack.extend(reversed(list(item.values())))
            elif isinstance(item, list):
                stack.extend(reversed(item))


def _types(item: Mapping[str, object]) -> set[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)}


def _ld_article(scripts: tuple[str, ...]) -> dict[str, object]:
    """The page's article object (NewsArticle, Article…), its publisher resolved by @id."""
    objects = list(_ld_objects(scripts))
    by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str) and len(o) > 1}
    article = next((o for o in objects if _types(o) & _ARTICLE_TYPES), {})
    publisher = article.get("publisher")
    if isinstance(publisher, list) and publisher:
        publisher = publisher[0]
    if isinstance(publisher, dict) and "name" not in publisher:
        publisher = by_id.get(str(publisher.get("@id")), publisher)
    return {**article, "publisher": publisher} if article else {}


def _publisher(article: Mapping[str, object]) -> str:
    publisher = article.get("publisher")
    return _text(publisher.get("name")) if isinstance(publisher, dict) else ""


def _ld_url(article: Mapping[str, object]) -> str:
    for key in ("url", "mainEntityOfPage"):
        value = article.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if _text(value):
            return _text(value)
    return ""
