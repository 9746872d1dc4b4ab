"""Jinja2 rendering over templates/: Telegram HTML messages, the RSS document, web pages."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache
from ipaddress import ip_address
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from bot.config import FeedConfig
from bot.model import Digest, Entry, SourceInfo, Term
from bot.resources import resource_dir
from bot.text.links import safe_link
from bot.text.safe import safe_text

TELEGRAM_LIMIT = 4096
# One sentence of runaway model output must not make a message impossible to send.
MAX_SENTENCE_CHARS = 1200
# Characters a guid may not bring into a file name; what reads as a tag in a plain-text title.
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


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
    env.filters["notags"] = strip_tags
    env.filters["dated"] = article_date
    env.filters["highlight"] = highlight_terms
    env.globals["article_path"] = article_path
    env.globals["digest_path"] = digest_path
    return env


def _finalize(value: object) -> object:
    # A space, not a newline, for the odd line breaks: a value may sit in an attribute.
    if isinstance(value, Markup):
        return Markup(safe_text(str(value), " "))
    return safe_text(value, " ") if isinstance(value, str) else value


def clip(text: str, limit: int = MAX_SENTENCE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def article_path(guid: str) -> str:
    """An article's page in the web archive, relative to OUT/ (and to the public site)."""
    return f"articles/{_FILE_UNSAFE.sub('_', guid)}.html"


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


def strip_tags(text: str) -> str:
    """Text without anything that reads as an HTML tag (titles are plain text in RSS)."""
    return _TAG.sub("", text)


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


def render_telegram(digest: Digest, limit: int = TELEGRAM_LIMIT, site: str = "") -> list[str]:
    """The digest as Telegram HTML messages, each at most `limit` characters of markup;
    with a public `site`, each article's title links to its page in the web archive."""
    env = environment()
    header = env.get_template("telegram/header.html.j2").render(digest=digest).strip()
    entry_template = env.get_template("telegram/entry.html.j2")
    blocks: list[str] = []
    for entry in digest.entries:
        blocks.extend(_entry_blocks(entry_template, entry, limit, site))
    return _pack([header, *blocks], limit)


def _entry_blocks(template: jinja2.Template, entry: Entry, limit: int, site: str) -> list[str]:
    """One block per entry, or several (continued) when an entry alone exceeds the limit."""
    page = site + article_path(entry.guid) if site else ""

    def render(start: int, end: int) -> str:
        return template.render(entry=entry, pairs=entry.pairs[start:end], page=page,
                               first=start == 0, last=end == len(entry.pairs)).strip()

    whole = render(0, len(entry.pairs))
    if len(whole) <= limit:
        return [whole]
    blocks, start = [], 0
    while start < len(entry.pairs):
        end = start + 1
        while end < len(entry.pairs) and len(render(start, end + 1)) <= limit:
            end += 1
        blocks.append(render(start, end))
        start = end
    return blocks


def _pack(blocks: list[str], limit: int) -> list[str]:
    messages: list[str] = []
    for block in blocks:
        if messages and len(messages[-1]) + 2 + len(block) <= limit:
            messages[-1] += "\n\n" + block
        else:
            messages.append(block)
    return messages


def render_feed(entries: list[Entry], feed: FeedConfig, built: datetime) -> str:
    """The RSS 2.0 document for `entries` (newest first), last built at `built`."""
    template = environment().get_template("rss/feed.xml.j2")
    return template.render(entries=entries, feed=feed, site=site_root(feed.site_url),
                           built=built)


def render_page(name: str, **context: object) -> str:
    """One page of the web archive (templates/web/NAME)."""
    return environment().get_template(f"web/{name}").render(**context).strip() + "\n"


def render_preview(body: str) -> str:
    """A Telegram message wrapped in a page a browser shows as Telegram would: the message
    itself, unchanged, between the markers `preview_body` reads."""
    return render_page("telegram.html.j2", body=Markup(body))
