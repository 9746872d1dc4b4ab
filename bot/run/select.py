"""Which editions an article goes to: each edition's filter over the translated article.
Pure; run after translation, so an article in several editions is translated once.

A keyword matches the article's Japanese (title and text) or its English (title and key
sentences), without regard to case or width. A keyword that is a glossary term, or a term's
agreed rendering, matches the other as well: "Kazakhstan" (the glossary's rendering of
カザフスタン) finds an article that names the country only in Japanese."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from fnmatch import fnmatchcase

from bot.core.editions import Edition
from bot.core.model import Article, Entry
from bot.glossary import Glossary


@dataclass(frozen=True)
class Chooser:
    """An edition's filter with its keywords widened by the glossary, built once per run."""

    edition: str
    keywords: tuple[str, ...]
    excluded: tuple[str, ...]
    sources: tuple[str, ...]

    def takes(self, article: Article, entry: Entry, origin: str) -> bool:
        """Does the edition take this article (`origin`: its file's name or feed's URL)?"""
        text = folded(" ".join((article.title, *article.paragraphs, entry.title_en,
                                *(pair.en for pair in entry.pairs))))
        if self.sources and not any(_source_matches(pattern, origin, entry.document)
                                    for pattern in self.sources):
            return False
        if self.keywords and not any(k in text for k in self.keywords):
            return False
        return not any(k in text for k in self.excluded)


def choosers(editions: tuple[Edition, ...], glossary: Glossary) -> tuple[Chooser, ...]:
    """One Chooser per named edition (the default one takes every article)."""
    return tuple(Chooser(e.name, widened(e.filter.keywords, glossary),
                         widened(e.filter.exclude_keywords, glossary), e.filter.sources)
                 for e in editions if not e.default)


def widened(keywords: tuple[str, ...], glossary: Glossary) -> tuple[str, ...]:
    """`keywords` folded, with each glossary term's rendering (and a rendering's terms)."""
    wanted = {folded(k) for k in keywords}
    found = set(wanted)
    for ja, en in glossary.entries.items():
        pair = {folded(ja), folded(en)}
        if pair & wanted:
            found |= pair
    return tuple(sorted(found))


def folded(text: str) -> str:
    """NFKC and case-folded: full-width and half-width, upper and lower case match."""
    return unicodedata.normalize("NFKC", text).casefold()


def _source_matches(pattern: str, origin: str, document: str) -> bool:
    if pattern.startswith(("http://", "https://")):
        return origin == pattern or fnmatchcase(origin, pattern)
    name = document.rsplit("/", 1)[-1]
    return fnmatchcase(document, pattern) or fnmatchcase(name, pattern)

