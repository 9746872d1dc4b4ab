"""Jinja2 rendering over templates/: Telegram HTML messages and the RSS document."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache

import jinja2
from markupsafe import Markup

from bot.config import FeedConfig
from bot.model import Digest, Entry
from bot.resources import resource_dir
from bot.text.links import safe_link
from bot.text.safe import safe_text

TELEGRAM_LIMIT = 4096
# One sentence of runaway model output must not make a message impossible to send.
MAX_SENTENCE_CHARS = 1200


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
    env.filters["uri"] = safe_link
    return env


def _finalize(value: object) -> object:
    # A space, not a newline, for the odd line breaks: a value may sit in an attribute.
    if isinstance(value, Markup):
        return Markup(safe_text(str(value), " "))
    return safe_text(value, " ") if isinstance(value, str) else value


def clip(text: str, limit: int = MAX_SENTENCE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_telegram(digest: Digest, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The digest as Telegram HTML messages, each at most `limit` characters of markup."""
    env = environment()
    header = env.get_template("telegram/header.html.j2").render(digest=digest).strip()
    entry_template = env.get_template("telegram/entry.html.j2")
    blocks: list[str] = []
    for entry in digest.entries:
        blocks.extend(_entry_blocks(entry_template, entry, limit))
    return _pack([header, *blocks], limit)


def _entry_blocks(template: jinja2.Template, entry: Entry, limit: int) -> list[str]:
    """One block per entry, or several (continued) when an entry alone exceeds the limit."""
    whole = template.render(entry=entry, pairs=entry.pairs, first=True, last=True).strip()
    if len(whole) <= limit:
        return [whole]
    blocks, start = [], 0
    while start < len(entry.pairs):
        end = start + 1
        while end < len(entry.pairs) and len(
            template.render(entry=entry, pairs=entry.pairs[start : end + 1], first=start == 0,
                            last=end + 1 == len(entry.pairs)).strip()
        ) <= limit:
            end += 1
        blocks.append(template.render(entry=entry, pairs=entry.pairs[start:end],
                                      first=start == 0, last=end == len(entry.pairs)).strip())
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
    site = feed.site_url if feed.site_url.endswith("/") else feed.site_url + "/"
    return template.render(entries=entries, feed=feed, site=site, built=built)
