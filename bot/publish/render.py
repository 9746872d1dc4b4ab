"""Jinja2 rendering over templates/: Telegram HTML messages, the RSS document, web pages."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache
from ipaddress import ip_address
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from bot.config import FeedConfig
from bot.core.model import Digest, Entry, SourceInfo, Term
from bot.core.resources import resource_dir
from bot.publish.render_feed import categories, distinct_times, other_sources, source_name
from bot.publish.render_telegram import TELEGRAM_LIMIT, clip_units, numbered_parts, telegram_length
from bot.text.links import safe_link
from bot.text.safe import safe_text

# One sentence of runaway model output must not make a message impossible to send.
MAX_SENTENCE_CHARS = 1200
# The archive's icon, inline (a bridge over a blue square): a page asks for no file, so no
# missing /favicon.ico shows up as an error in a browser's console.
FAVICON = ("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E"
           "%3Crect width='16' height='16' rx='3' fill='%230b57a4'/%3E%3Cpath d='M1 12Q8 2 15 12"
           "M1 12H15M5 8.5V12M8 7V12M11 8.5V12' stroke='%23fff' stroke-width='1.5' fill='none'/%3E"
           "%3C/svg%3E")
# What heads every Telegram message of a digest (an edition's messages: its title).
DIGEST_TITLE = "Kakehashi digest"
# The default edition's feed file, at the root of OUT/ (an edition's: its feed_file).
FEED_LINK = "feed.xml"
# Characters a guid may not bring into a file name.
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_SLUG_UNSAFE = re.compile(r"[^a-z0-9.-]")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one Jinja2 environment; autoescape on, because both outputs are markup."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_dir("templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
        # Every value rendered, whatever the state file holds (an older one may keep text from
        # before input was cleaned): one character XML cannot carry breaks the whole feed.
        finalize=_finalize,
    )
    env.filters["clip"] = clip
    env.filters["rfc822"] = format_datetime
    # Links are checked again here: one stored before links were checked, or taken from a
    # document's text, must not make the feed invalid or a Telegram message refused.
    env.filters["uri"] = safe_link  # cleans the text first: it may come from an old state file
    env.filters["dated"] = article_date
    env.filters["highlight"] = highlight_terms
    env.globals["article_path"] = article_path
    env.globals["digest_path"] = digest_path
    env.globals["source_path"] = source_path
    env.globals["source_of"] = source_name
    env.filters["other_sources"] = other_sources  # a merged story's other sources
    env.globals["favicon"] = FAVICON
    return env


def _finalize(value: object) -> object:
    # A space, not a newline, for the odd line breaks: a value may sit in an attribute.
    if isinstance(value, Markup):
        return Markup(safe_text(str(value), " "))
    return safe_text(value, " ") if isinstance(value, str) else value


def clip(text: str, limit: int = MAX_SENTENCE_CHARS) -> str:
    """`text` within `limit` UTF-16 units, Telegram's measure (see bot.publish.render_telegram)."""
    return clip_units(text, limit)


def article_path(guid: str) -> str:
    """An article's page in the web archive, relative to OUT/ (and to the public site)."""
    return f"articles/{_FILE_UNSAFE.sub('_', guid)}.html"


def source_path(source: str) -> str:
    """A source site's page in the web archive, relative to OUT/: a readable name, and a
    hash of the whole one, since names that differ only in other characters (or a Japanese
    site name) would read alike."""
    slug = _SLUG_UNSAFE.sub("_", source.lower()).strip("._")[:40]
    digest = hashlib.sha1(source.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"sources/{slug or 'site'}-{digest}.html"


def digest_path(digest_id: int) -> str:
    """A digest's page in the web archive, relative to OUT/."""
    return f"digests/{digest_id}.html"


def site_root(site_url: str) -> str:
    """The public base URL with its trailing slash."""
    return site_url if site_url.endswith("/") else site_url + "/"


def public_site(site_url: str) -> str:
    """The base URL to give subscribers, or "" when only this machine can open it."""
    host = (urlsplit(site_url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return ""
    try:
        if ip_address(host).is_loopback or ip_address(host).is_unspecified:
            return ""
    except ValueError:
        pass  # a name, not an address
    return site_root(site_url)


def article_date(source: SourceInfo) -> str:
    """The article's own date for display: 2024-11-06, or "2024-11-06 (file date)"."""
    day = source.published[:10]
    if not day:
        return ""
    return f"{day} (file date)" if source.published_from == "file" else day


def highlight_terms(text: str, terms: tuple[Term, ...], side: str) -> Markup:
    """`text` escaped, each glossary term (side "ja" or "en") marked with its counterpart."""
    found = {getattr(t, side): t for t in terms if getattr(t, side)}
    if not found:
        return Markup(escape(text))
    flags = re.IGNORECASE if side == "en" else 0
    pattern = re.compile("|".join(re.escape(k) for k in sorted(found, key=len, reverse=True)),
                         flags)
    lookup = {k.casefold(): t for k, t in found.items()}
    parts, last = [], 0
    for match in pattern.finditer(text):
        term = lookup[match.group().casefold()]
        other = term.en if side == "ja" else term.ja
        parts += [escape(text[last:match.start()]),
                  Markup('<mark class="term {}" title="{}">{}</mark>').format(
                      term.status, other, match.group())]
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def render_telegram(digest: Digest, limit: int = TELEGRAM_LIMIT, site: str = "",
                    show_checks: bool = False, title: str = DIGEST_TITLE,
                    feed_url: str = "") -> list[str]:
    """The digest as Telegram HTML messages of at most `limit` units (bot.publish.render_telegram),
    each numbered ("2/6") under a short header; with a public `site`, the header links to
    the digest's page, the archive and the feed, and each title to its article's page.
    The editors' checks are left out unless `show_checks`; `title` heads each part (an
    edition's own), `feed_url` is its feed's address ("": SITE/feed.xml)."""
    env = environment()
    header_template = env.get_template("telegram/header.html.j2")
    entry_template = env.get_template("telegram/entry.html.j2")
    links = {"digest": site + digest_path(digest.id), "archive": site + "index.html",
             "feed": feed_url or site + FEED_LINK} if site else {}

    def header(part: int, total: int) -> str:
        return header_template.render(digest=digest, part=part, total=total, links=links,
                                      title=title).strip()

    def blocks(budget: int) -> list[str]:
        return [block for entry in digest.entries
                for block in _entry_blocks(entry_template, entry, budget, site, show_checks)]

    return numbered_parts(header, blocks, limit)


def _entry_blocks(template: jinja2.Template, entry: Entry, budget: int, site: str,
                  show_checks: bool) -> list[str]:
    """One block per entry, or several marked as continued when one alone exceeds the
    budget: each cut at a sentence, as many sentences per block as fit."""
    page = site + article_path(entry.guid) if site else ""

    def render(start: int, end: int) -> str:
        return template.render(entry=entry, pairs=entry.pairs[start:end], page=page,
                               first=start == 0, last=end == len(entry.pairs),
                               show_checks=show_checks).strip()

    whole = render(0, len(entry.pairs))
    if telegram_length(whole) <= budget:
        return [whole]
    blocks, start = [], 0
    while start < len(entry.pairs):
        end = start + 1
        while end < len(entry.pairs) and telegram_length(render(start, end + 1)) <= budget:
            end += 1
        blocks.append(render(start, end))
        start = end
    return blocks


def render_feed(entries: Sequence[Entry], feed: FeedConfig, built: datetime,
                published: Sequence[datetime] | None = None, show_checks: bool = False,
                href: str = "") -> str:
    """The RSS 2.0 document for `entries` in the order given (newest first), last built at
    `built`; item i dated published[i] (default: each entry's time, made distinct)."""
    dates = distinct_times([e.created for e in entries]) if published is None else published
    items = [(entry, date, categories(entry)) for entry, date in zip(entries, dates,
                                                                     strict=True)]
    template = environment().get_template("rss/feed.xml.j2")
    site = site_root(feed.site_url)
    return template.render(items=items, feed=feed, site=site, built=built,
                           show_checks=show_checks, self_href=href or site + FEED_LINK)


def render_page(name: str, **context: object) -> str:
    """One page of the web archive (templates/web/NAME); its feed link `feed_link` (from the
    archive's root) is the default edition's unless given."""
    context.setdefault("feed_link", FEED_LINK)
    return environment().get_template(f"web/{name}").render(**context).strip() + "\n"


def render_preview(body: str) -> str:
    """A Telegram message wrapped in a page a browser shows as Telegram would: the message
    itself, unchanged, between the markers `preview_body` reads."""
    return render_page("telegram.html.j2", body=Markup(body))
