"""The ordered pure stages: text → analysed articles → translated entries. No I/O here."""

from __future__ import annotations

import hashlib
from datetime import datetime

from bot.glossary import Glossary
from bot.model import Analysis, Article, Document, Entry, Pair
from bot.text.articles import split_articles
from bot.text.clean import clean_text
from bot.text.numbers import check_numbers
from bot.text.sentences import split_sentences
from bot.text.summarize import lead_summary
from bot.translate.engine import Translator


def analyze_text(text: str, glossary: Glossary, summary_sentences: int) -> list[Analysis]:
    """Clean → split into articles → sentences → key sentences → glossary terms."""
    lines = clean_text(text)  # first: every later stage assumes wrapped lines are rejoined
    return [analyze_article(a, glossary, summary_sentences) for a in split_articles(lines)]


def analyze_article(article: Article, glossary: Glossary, summary_sentences: int) -> Analysis:
    """One article's sentences, summary indices and glossary terms."""
    sentences = tuple(s for p in article.paragraphs for s in split_sentences(p))
    terms = glossary.find_terms("\n".join((article.title, *article.paragraphs)))
    return Analysis(article, sentences, lead_summary(sentences, summary_sentences), terms)


def translate_document(
    document: Document, analyses: list[Analysis], translator: Translator, now: datetime
) -> list[Entry]:
    """Translate every title and key sentence of a document in one batch; verify each."""
    batch: list[str] = []
    for analysis in analyses:
        batch.append(analysis.article.title)
        batch.extend(analysis.sentences[i] for i in analysis.summary)
    english = iter(translator.translate(batch))
    entries = []
    for position, analysis in enumerate(analyses):
        title_en = next(english)
        pairs = tuple(Pair(analysis.sentences[i], next(english)) for i in analysis.summary)
        entries.append(
            Entry(
                guid=entry_guid(document.content_hash, position),
                document=document.name,
                title_ja=analysis.article.title,
                title_en=title_en,
                pairs=pairs,
                terms=analysis.terms,
                warnings=verify_entry(analysis, title_en, pairs),
                source=analysis.article.source,
                created=now,
            )
        )
    return entries


def verify_entry(analysis: Analysis, title_en: str, pairs: tuple[Pair, ...]) -> tuple[str, ...]:
    """Numbers that changed and glossary renderings missing from the English."""
    warnings = [w for pair in pairs for w in check_numbers(pair.ja, pair.en)]
    english = "\n".join((title_en, *(p.en for p in pairs)))
    translated_ja = "\n".join((analysis.article.title, *(p.ja for p in pairs)))
    for term in analysis.terms:
        if term.ja in translated_ja and term.en not in english:
            warnings.append(f"glossary term {term.ja} not rendered as '{term.en}'")
    return tuple(warnings)


def entry_guid(content_hash: str, position: int) -> str:
    """Stable across runs and machines: the same article always gets the same guid."""
    digest = hashlib.sha256(f"{content_hash}:{position}".encode()).hexdigest()[:24]
    return f"kakehashi-{digest}"
