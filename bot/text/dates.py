"""An article's own date, found in its text: a date line, or a date that opens the article.

A date mentioned inside a sentence is an event's, not the article's: only dates in the
places where Japanese documents put their own date count: a line that is nothing but a
date (front matter, a byline, a footer), optionally labelled (発行日：, 掲載日 …), and a
news item's opening 「2024年11月6日、…」. A date after `latest` (the file's or the run's
date) announces something to come and is not the article's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date

from bot.core.model import Analysis, Article, SourceInfo

_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
_YEAR = r"(?:(?P<era>令和|平成|昭和)\s*(?P<eyear>元|\d{1,2})|(?P<year>(?:19|20)\d\d))"
_KANJI_DATE = _YEAR + r"\s*年\s*(?P<month>\d{1,2})\s*月(?:\s*(?P<day>\d{1,2})\s*日)?"
_NUMERIC_DATE = (r"(?P<nyear>(?:19|20)\d\d)(?P<sep>[./-])(?P<nmonth>\d{1,2})"
                 r"(?:(?P=sep)(?P<nday>\d{1,2}))?")
_DATE = rf"(?:{_KANJI_DATE}|{_NUMERIC_DATE})"
_WEEKDAY = r"(?:\s*[(（][月火水木金土日][曜]?[日]?[)）])?"
# A time after the date, as news pages print it (19時23分, 午後7時, 19:23, 7:23 JST).
_TIME = (r"(?:\s*(?:午前|午後)?\s*\d{1,2}\s*(?:時(?:\s*\d{1,2}\s*分)?|:\d{2}(?::\d{2})?)"
         r"(?:\s*(?:JST|ごろ|頃))?)?")
# Labels a document puts before its own date (publication, posting, update).
_LABEL = r"(?:(?:発行|発表|公開|掲載|更新|作成|配信|投稿)(?:日|日時)?\s*[:：]?\s*)?"
_DATE_LINE = re.compile(rf"{_LABEL}{_DATE}{_WEEKDAY}{_TIME}\s*(?:発行|発表|公開|掲載|更新)?")
_OPENING = re.compile(rf"{_KANJI_DATE}{_WEEKDAY}(?=[、，,\s]|に、)")
# A date anywhere in a line, not a piece of a longer number (`12024/1/15`, `2024/12/045`).
_PRINTED = re.compile(rf"(?<!\d)(?:{_KANJI_DATE}|{_NUMERIC_DATE}(?!\d))")
_BRACKETS = {"(": ")", "[": "]", "【": "】", "〈": "〉", "《": "》"}
# Lines near the top of a document searched for its front-matter date.
HEAD_LINES = 40


def parse_date(match: re.Match[str]) -> str:
    """The ISO form of a matched date: YYYY-MM-DD, or YYYY-MM when it names only a month."""
    parts = match.groupdict()
    if parts.get("nyear"):
        year, month, day = parts["nyear"], parts["nmonth"], parts["nday"]
    elif parts.get("era"):
        era_year = 1 if parts["eyear"] == "元" else int(parts["eyear"])
        year, month, day = str(_ERAS[parts["era"]] + era_year), parts["month"], parts["day"]
    else:
        year, month, day = parts["year"], parts["month"], parts["day"]
    try:
        value = date(int(year), int(month), int(day or 1))
    except ValueError:
        return ""
    return value.isoformat() if day else value.isoformat()[:7]


def line_date(line: str, latest: date | None = None) -> str:
    """The date a line consists of (a date line), or ""."""
    # NFKC: full-width digits and brackets become ASCII ones.
    text = unicodedata.normalize("NFKC", line).strip(" \t—-・|")
    while len(text) > 2 and _BRACKETS.get(text[0]) == text[-1]:  # （2024年10月1日 掲載）
        text = text[1:-1].strip()
    match = _DATE_LINE.fullmatch(text)
    return _checked(parse_date(match), latest) if match else ""


def opening_date(paragraph: str, latest: date | None = None) -> str:
    """The full date a paragraph opens with (「2024年11月6日、…」), or ""."""
    match = _OPENING.match(unicodedata.normalize("NFKC", paragraph).lstrip())
    if not match or not match.group("day"):
        return ""
    return _checked(parse_date(match), latest)


def printed_date(text: str) -> str:
    """The first full date printed in `text` (`2024年12月4日`, `令和6年12月4日`, `2024/12/04`),
    as an ISO date, or "": a page without date metadata prints it beside its headline."""
    for match in _PRINTED.finditer(unicodedata.normalize("NFKC", text)):
        found = parse_date(match)
        if len(found) == len("YYYY-MM-DD"):
            return found
    return ""


def article_date(paragraphs: tuple[str, ...], latest: date | None = None) -> str:
    """An article's own date: its opening date, or a date line at its start or its end."""
    if paragraphs and (found := opening_date(paragraphs[0], latest)):
        return found
    for paragraph in (*paragraphs[:3], *paragraphs[-3:]):
        if found := line_date(paragraph, latest):
            return found
    return ""


def document_date(text: str, latest: date | None = None) -> str:
    """The date line of a document's front matter (its first lines), or ""."""
    lines = [line for line in text.splitlines()[: HEAD_LINES * 3] if line.strip()]
    for line in lines[:HEAD_LINES]:
        if found := line_date(line, latest):
            return found
    return ""


def date_analyses(analyses: list[Analysis], text: str, file_date: str,
                  page_date: str = "") -> list[Analysis]:
    """Each article with its own date where the source gave none: from its own text, else the
    document's metadata (`page_date`: a page's datePublished, a mail's Date), else the
    document's front matter, else the file's date."""
    latest = date.fromisoformat(file_date) if file_date else None
    front = document_date(text, latest)
    dated = []
    for analysis in analyses:
        article = analysis.article
        if not article.source.published:
            article = replace(article, source=_dated(article, latest, page_date, front,
                                                     file_date))
        elif not article.source.published_from:
            article = replace(article, source=replace(article.source, published_from="feed"))
        dated.append(replace(analysis, article=article))
    return dated


def _dated(article: Article, latest: date | None, page_date: str, front: str,
           file_date: str) -> SourceInfo:
    if found := article_date(article.paragraphs, latest):
        return _with_date(article.source, found, "text")
    if page_date:
        return _with_date(article.source, page_date, "page")
    if front:
        return _with_date(article.source, front, "text")
    return _with_date(article.source, file_date, "file")


def _with_date(source: SourceInfo, value: str, origin: str) -> SourceInfo:
    return replace(source, published=value, published_from=origin if value else "")


def _checked(found: str, latest: date | None) -> str:
    if not found or latest is None:
        return found
    # ISO strings compare as dates; a month ("2025-02") sorts before its days.
    return found if found <= latest.isoformat() else ""
