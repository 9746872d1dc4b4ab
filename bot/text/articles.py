"""Cut a document's cleaned lines into articles, each with a title and its source. Pure."""

from __future__ import annotations

import re

from bot.model import Article, SourceInfo
from bot.text.sentences import split_sentences

_REFERENCE = re.compile(r"^References?(\(s\))?\s*:?\s*$", re.IGNORECASE)
_NEWSLETTER_HEADER = re.compile(r"^【[^】]{1,20}】\s*\S")
_SITE = re.compile(r"^[\w.-]+\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
_TITLE_MAX = 80
_DERIVED_TITLE_MAX = 40


def split_articles(lines: list[str]) -> list[Article]:
    """Articles in document order. Boundaries: `Reference(s):` footers and 【…】 headers."""
    articles: list[Article] = []
    body: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _REFERENCE.match(line):
            source, i = _read_reference(lines, i + 1)
            _flush(articles, body, source)
            body = []
            continue
        if _NEWSLETTER_HEADER.match(line) and body:
            _flush(articles, body, SourceInfo())
            body = []
        body.append(line)
        i += 1
    _flush(articles, body, SourceInfo())
    return articles


def _read_reference(lines: list[str], i: int) -> tuple[SourceInfo, int]:
    """A web-copy footer: the English original title, then the site (either may be absent)."""
    original, site, url = "", "", ""
    for _ in range(2):
        if i >= len(lines) or (_is_title(lines[i]) and re.search(r"[\u3040-\u30ff]", lines[i])):
            break
        value = lines[i]
        if value.startswith(("http://", "https://")):
            url = value
        elif _SITE.match(value):
            site = value
        elif not original:
            original = value
        else:
            break
        i += 1
    return SourceInfo(site=site, url=url, original_title=original), i


def _flush(articles: list[Article], body: list[str], source: SourceInfo) -> None:
    paragraphs = [p for p in body if p.strip()]
    if not paragraphs:
        return
    if _is_title(paragraphs[0]) and len(paragraphs) > 1:
        title, rest = paragraphs[0], paragraphs[1:]
    else:
        title, rest = derive_title(paragraphs[0]), paragraphs
    articles.append(Article(title=title.strip(), paragraphs=tuple(rest), source=source))


def _is_title(line: str) -> bool:
    return len(line) <= _TITLE_MAX and not line.rstrip().endswith(("。", "．"))


def derive_title(paragraph: str) -> str:
    """A short title from an article's first sentence, for articles without a headline."""
    first = split_sentences(paragraph)[0].rstrip("。")
    if len(first) <= _DERIVED_TITLE_MAX:
        return first
    return first[:_DERIVED_TITLE_MAX].rstrip("、,・ ") + "…"
