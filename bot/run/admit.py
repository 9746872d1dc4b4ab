"""Admission: one decoded document (a file or a feed entry) becomes new articles queued for
translation, or is recorded as skipped with its reason (not Japanese, no articles, every
article published before, or every article a story already kept)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.errors import InputError
from bot.core.model import Analysis, Document, SourceInfo
from bot.run.merge import Joined, merged_reason, record, split_merged
from bot.run.pipeline import Work, analyze_text, article_key, entry_guid, place_articles
from bot.state.records import DocumentStatus
from bot.text.clean import japanese_ratio
from bot.text.safe import display_name, safe_text
from bot.text.urls import shown_source, without_credentials

if TYPE_CHECKING:
    from bot.run.job import Ingest, IngestReport

# Below this share of kana/kanji a document is not Japanese and is not sent to a ja→en model.
MIN_JAPANESE_RATIO = 0.2


def ingest_document(job: Ingest, document: Document, report: IngestReport,
                    source: SourceInfo | None = None) -> None:
    """Analyse one decoded document (file or feed entry) and queue its new articles for
    translation; they are stored when the stream translates them."""
    report.new_documents += 1
    document, source = _cleaned(document, source)
    config = job.config
    try:
        require_japanese(document.text)
        analyses = analyze_text(document.text, job.glossary, config.digest,
                                document.hard_wrapped)
        if not analyses:
            raise InputError("no articles found")
        if source is not None:  # a feed entry's link is its source, whatever the text says
            analyses = [replace(a, article=replace(a.article, source=source)) for a in analyses]
        analyses = place_articles(analyses, document.text, document.source,
                                  document.published)
        fresh = _new_articles(job, analyses)
        if not fresh:
            raise InputError("every article in it was published before (same title and text)")
    except InputError as exc:
        skip(job, report, document.content_hash, document.name, str(exc), counted=True)
        return
    guids = {key: entry_guid(document.content_hash, i) for key, i in fresh.items()}
    fresh, kept, joined = split_merged(job.stories, analyses, fresh, guids)
    if not fresh:
        _skip_merged(job, report, document, joined)
        return
    job.progress(f"read {document.name} ({len(fresh)} new article(s))")
    work = Work(document, tuple(analyses[i] for i in fresh.values()), tuple(fresh.values()))
    report.entries += job.stream.add(work, tuple(fresh))
    job.stream.after_stored(lambda: record(job.store, document.name, job.now, kept, joined))


def _skip_merged(job: Ingest, report: IngestReport, document: Document,
                 joined: list[Joined]) -> None:
    """Every article was a story kept before: the document is recorded as skipped with the
    merges, once those stories are stored (a stop before that reads it again)."""
    reason = merged_reason(joined)
    report.skipped.append((document.name, reason))
    job.stream.after_stored(lambda: record(job.store, document.name, job.now, (), joined,
                                           skipped=(document.content_hash, reason)))


def _cleaned(document: Document, source: SourceInfo | None
             ) -> tuple[Document, SourceInfo | None]:
    """Text enters here, from files and feeds alike: what no output can carry goes, once."""
    document = replace(document, name=without_credentials(display_name(document.name)),
                       text=safe_text(document.text), source=shown_source(document.source))
    return document, None if source is None else shown_source(source)


def _new_articles(job: Ingest, analyses: list[Analysis]) -> dict[str, int]:
    """Article key → position, for the articles neither stored before, nor waiting for
    translation, nor repeated here."""
    keys = [article_key(a.article) for a in analyses]
    known = job.store.known_articles(keys)
    fresh: dict[str, int] = {}
    for position, key in enumerate(keys):
        if key not in known and key not in fresh and not job.stream.queued(key):
            fresh[key] = position
    return fresh


def require_japanese(text: str) -> None:
    """Only Japanese goes to a ja→en model: anything else is skipped with this reason."""
    if japanese_ratio(text) < MIN_JAPANESE_RATIO:
        raise InputError("not Japanese text: skipped, nothing to translate")


def skip(job: Ingest, report: IngestReport, key: str, name: str, reason: str,
          counted: bool = False) -> None:
    if not counted:
        report.new_documents += 1
    report.skipped.append((name, reason))
    with job.store.transaction():
        job.store.record_document(key, name, job.now, DocumentStatus.SKIPPED, reason)
