"""The ordered pure stages: text → analysed articles → translated entries. No I/O here."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.core.model import Analysis, Article, Document, Entry, Pair, SourceInfo, Term
from bot.glossary import Glossary
from bot.glossary.enforce import ENFORCED, FAILED, Rendered, translate_with_terms
from bot.text.articles import split_articles
from bot.text.bound import bound_title, cut_sentence
from bot.text.clean import clean_text
from bot.text.dates import date_analyses
from bot.text.numbers import check_numbers
from bot.text.sentences import split_sentences
from bot.text.summarize import Budget, choose_summary
from bot.translate.translator import Translator


def analyze_text(text: str, glossary: Glossary, limits: Budget | int,
                 hard_wrapped: bool = False) -> list[Analysis]:
    """Clean → split into articles → sentences → key sentences → glossary terms.

    `limits`: the summary budget (config's [digest]), or a number of sentences.
    """
    # First: every later stage assumes wrapped lines are rejoined.
    lines = clean_text(text, hard_wrapped)
    return [analyze_article(a, glossary, limits) for a in split_articles(lines)]


def place_articles(analyses: list[Analysis], text: str, page: SourceInfo, file_date: str
                   ) -> list[Analysis]:
    """Each article's source completed by what its document's format says (`page`: a web
    page's canonical URL and site, a mail's date) where its own text says nothing, and
    dated (see `date_analyses`: the article's own date line first, the file's date last)."""
    placed = [replace(a, article=replace(a.article, source=with_document_source(
        a.article.source, page))) for a in analyses]
    return date_analyses(placed, text, file_date, page.published)


def with_document_source(own: SourceInfo, document: SourceInfo) -> SourceInfo:
    """An article's source, with the document's URL and site where it has none."""
    if not own.url and document.url:
        own = replace(own, url=document.url, site=document.site or own.site)
    if not own.site and document.site:
        own = replace(own, site=document.site)
    return own


def analyze_article(article: Article, glossary: Glossary,
                    limits: Budget | int) -> Analysis:
    """One article's sentences, summary indices and glossary terms."""
    # Bounded here, before the summary chooses: only chosen sentences reach the model.
    sentences = tuple(piece for p in article.paragraphs for s in split_sentences(p)
                      for piece in cut_sentence(s))
    terms = glossary.find_terms("\n".join((article.title, *article.paragraphs)))
    budget = Budget(summary_sentences=limits) if isinstance(limits, int) else limits
    return Analysis(article, sentences, choose_summary(sentences, budget, article.title), terms)


@dataclass(frozen=True)
class Work:
    """A document's new articles, waiting to be translated.

    `positions`: each analysis's place among the document's articles, which its guid is made
    from, so that leaving out an article (published before) does not renumber the rest.
    """

    document: Document
    analyses: tuple[Analysis, ...]
    positions: tuple[int, ...]

    def texts(self) -> list[str]:
        """What the model translates: each article's title, then its key sentences."""
        return [text for a in self.analyses
                for text in (bound_title(a.article.title), *(a.sentences[i] for i in a.summary))]


def translate_works(works: Sequence[Work], translator: Translator, glossary: Glossary,
                    now: datetime) -> list[list[Entry]]:
    """Translate the titles and key sentences of many documents as one stream, glossary
    enforced (its retries batched across documents); each document's entries, in order."""
    texts = [text for work in works for text in work.texts()]
    rendered = iter(translate_with_terms(texts, glossary, translator))
    return [[_entry(work.document, position, analysis, rendered, now)
             for position, analysis in zip(work.positions, work.analyses, strict=True)]
            for work in works]


def translate_document(
    document: Document, analyses: list[Analysis], translator: Translator, glossary: Glossary,
    now: datetime, positions: Sequence[int] | None = None,
) -> list[Entry]:
    """Translate every title and key sentence of one document (see `translate_works`)."""
    places = tuple(range(len(analyses)) if positions is None else positions)
    return translate_works([Work(document, tuple(analyses), places)], translator, glossary,
                           now)[0]


def _entry(document: Document, position: int, analysis: Analysis,
           rendered: Iterator[Rendered], now: datetime) -> Entry:
    title = next(rendered)
    sentences = [next(rendered) for _ in analysis.summary]
    pairs = tuple(Pair(analysis.sentences[i], r.english)
                  for i, r in zip(analysis.summary, sentences, strict=True))
    terms = term_report(analysis.terms, [title, *sentences])
    return Entry(
        guid=entry_guid(document.content_hash, position),
        document=document.name,
        title_ja=bound_title(analysis.article.title),
        title_en=title.english,
        pairs=pairs,
        terms=terms,
        warnings=verify_entry(pairs, terms),
        source=analysis.article.source,
        created=now,
    )


def term_report(found: tuple[Term, ...], rendered: list[Rendered]) -> tuple[Term, ...]:
    """Each term of the article: failed if any translated occurrence failed, else enforced;
    `found` when it occurs only in sentences that were not translated."""
    statuses: dict[str, set[str]] = {}
    for item in rendered:
        for term in item.terms:
            statuses.setdefault(term.ja, set()).add(term.status)
    report = []
    for term in found:
        seen = statuses.get(term.ja, set())
        status = FAILED if FAILED in seen else ENFORCED if ENFORCED in seen else term.status
        report.append(replace(term, status=status))
    return tuple(report)


def verify_entry(pairs: tuple[Pair, ...], terms: tuple[Term, ...]) -> tuple[str, ...]:
    """Numbers that changed, and glossary terms that could not be rendered as agreed."""
    warnings = [w for pair in pairs for w in check_numbers(pair.ja, pair.en)]
    warnings += [f"glossary term {t.ja} could not be rendered as '{t.en}'"
                 for t in terms if t.status == FAILED]
    return tuple(warnings)


def entry_guid(content_hash: str, position: int) -> str:
    """Stable across runs and machines: the same article always gets the same guid."""
    digest = hashlib.sha256(f"{content_hash}:{position}".encode()).hexdigest()[:24]
    return f"kakehashi-{digest}"


_SPACE = re.compile(r"\s+")


def text_key(text: str) -> str:
    """Identity of a text whatever its encoding, width forms or line wrapping: the SHA-256
    of its NFKC form without white space (Japanese puts none between words, so a line break
    moved by re-wrapping must not count)."""
    flat = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    return hashlib.sha256(flat.encode("utf-8", "surrogatepass")).hexdigest()


def article_key(article: Article) -> str:
    """Identity of an article's text (title and body), the same in any document or feed."""
    return "article:" + text_key("\n".join((article.title, *article.paragraphs)))
