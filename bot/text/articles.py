"""Cut a document's cleaned lines into articles, each with a title and its source. Pure.

Boundaries: web-copy footers (`Reference(s):` + English title + site), newsletter section
heads, article breaks the cleaning stage marked (a header line the PDF extractor turned to
garbage, a head set between rules), and a `参考：URL` source line after which the next article
starts without a header.

A newsletter section head is a `【…】` line that is not a sentence (`【1】バスの路線が変わります`,
`【編集後記】`), in a document built of such sections: two of them at least. A single article's
lead-in (`【ワシントン共同】米政府は…と発表した。`) is the start of a sentence, not a head.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.core.model import Article, SourceInfo
from bot.text import artifacts as art
from bot.text.chars import HIRAGANA, NOTE_MARK, SENTENCE_ENDS, has_japanese
from bot.text.clean import is_prose_line
from bot.text.dates import line_date
from bot.text.sentences import split_sentences

_REFERENCE = re.compile(r"^References?(\(s\))?\s*:?\s*$", re.IGNORECASE)
_NEWSLETTER_HEADER = re.compile(r"^【[^】]{1,20}】")
_SECTIONS_MIN = 2
_LABEL = re.compile(r"^【[^】]{1,20}】\s*(?=\S)")
_SITE = re.compile(r"^[\w.-]+\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
# A list item: a dash, a dot or a note's mark, or a number. Not the marks that head a
# section as often as they mark an item (● ○ ★ ■, bot.text.chars): a cover's title may wear one.
_LIST_ITEM = re.compile(rf"^(?:- |[・•{NOTE_MARK}]|\d{{1,2}}[.)]\s?\D|\(\d{{1,2}}\))")
_HIRAGANA = re.compile(f"[{HIRAGANA}]")
_TITLE_MAX = 80
_DERIVED_TITLE_MAX = 40
_DERIVED_TITLE_MIN = 12
# This many short lines before the first paragraph are a cover or title page, not headings.
_FRONT_MATTER_MIN = 3


def split_articles(lines: list[str]) -> list[Article]:
    """Articles in document order, with their sources as metadata (never as body text)."""
    articles: list[Article] = []
    body: list[str] = []
    sectioned = sum(1 for line in lines if is_section_head(line)) >= _SECTIONS_MIN
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line == art.ARTICLE_BREAK:
            _flush(articles, body, SourceInfo())
        elif _REFERENCE.match(line):
            source, i = _read_reference(lines, i)
            _flush(articles, body, source)
        elif url := art.source_url(line):
            _flush(articles, body, SourceInfo(site=urlsplit(url).hostname or "", url=url))
        else:
            if sectioned and body and is_section_head(line):
                _flush(articles, body, SourceInfo())
            body.append(line)
    _flush(articles, body, SourceInfo(), last=True)
    return articles


def is_section_head(line: str) -> bool:
    """A `【…】` head that is not a sentence (a lead-in to one is not a head)."""
    return (bool(_NEWSLETTER_HEADER.match(line)) and len(line) <= _TITLE_MAX
            and "。" not in line and not line.endswith(tuple(SENTENCE_ENDS)))


def _read_reference(lines: list[str], i: int) -> tuple[SourceInfo, int]:
    """A web-copy footer: the English original title, then the site (either may be absent)."""
    original, site, url = "", "", ""
    for _ in range(2):
        if i >= len(lines) or has_japanese(lines[i]) or lines[i] == art.ARTICLE_BREAK:
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
    return SourceInfo(site=site or (urlsplit(url).hostname or ""), url=url,
                      original_title=original), i


def _flush(articles: list[Article], body: list[str], source: SourceInfo,
           last: bool = False) -> None:
    """Turn the collected lines into an article (if they hold any text) and clear them.

    A headline with nothing under it (a mail's subject above the magazine's masthead box) is
    no article: it is kept, and heads the next one."""
    paragraphs = [p for p in body if p.strip()]
    if not last and source == SourceInfo() and len(paragraphs) == 1 and _leading_short_lines(
            paragraphs):
        return
    body.clear()
    if not paragraphs:
        return
    head = _leading_short_lines(paragraphs)
    if head and len(head) < len(paragraphs):
        title, kept = _title_from(head)
        rest = kept + paragraphs[len(head):]
    else:
        title, rest = derive_title(paragraphs[0]), paragraphs
    if rest:
        articles.append(Article(title=title, paragraphs=tuple(rest), source=source))


def _leading_short_lines(paragraphs: list[str]) -> list[str]:
    head = []
    for line in paragraphs:
        # A list item is text under the heading, never part of a cover's title block.
        if (is_prose_line(line) or _LIST_ITEM.match(line) or len(line) > _TITLE_MAX
                or line.endswith(tuple(SENTENCE_ENDS))):
            break
        head.append(line)
    return head


def _title_from(head: list[str]) -> tuple[str, list[str]]:
    """(title, head lines kept as body): a front-matter block gives title and subtitle only."""
    title = _LABEL.sub("", head[0]).strip()
    if len(head) < _FRONT_MATTER_MIN or not any(map(_cover_detail, head[1:])):
        return title, head[1:]
    # Cover pages: names, dates and report numbers are metadata, not text to translate.
    title = art.squeeze_title(title)
    subtitle = head[1]
    if _HIRAGANA.search(subtitle) and len(subtitle) <= _DERIVED_TITLE_MAX:
        title = f"{title}：{art.squeeze_title(subtitle)}"
    return title, []


def _cover_detail(line: str) -> bool:
    """What only a cover page puts under a title: a date, or a line with no Japanese (the
    author's romanised name, a report number). Headings and a lead never look like this."""
    return not has_japanese(line) or bool(line_date(line))


def derive_title(paragraph: str) -> str:
    """A short title from an article's first sentence, for articles without a headline.

    Cut at the last 、 that fits (a clause ends there), never inside brackets.
    """
    first = split_sentences(paragraph)[0].rstrip("。")
    if len(first) <= _DERIVED_TITLE_MAX:
        return first
    cut = first.rfind("、", 0, _DERIVED_TITLE_MAX)
    if cut < _DERIVED_TITLE_MIN:
        cut = _DERIVED_TITLE_MAX
        opened = max(first.rfind("(", 0, cut), first.rfind("（", 0, cut))
        if opened > max(first.rfind(")", 0, cut), first.rfind("）", 0, cut)):
            cut = opened
    return first[:cut].rstrip("、,・ ") + "…"
