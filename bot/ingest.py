"""Ingest: new documents from the sources become entries in the store.

Each document is handled on its own: a bad one is recorded with its reason and the rest of
the batch goes on. A document's entries and its 'seen' mark are written in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlsplit

from bot.config import Config, load_zone
from bot.errors import InputError
from bot.glossary import Glossary
from bot.model import Document, SourceInfo
from bot.pipeline import analyze_text, translate_document
from bot.sources.feeds import FeedItem, FeedState, FetchResult, due, poll_feed
from bot.sources.folder import FileCandidate, content_hash, read_bytes, scan_folder, settled, unseen
from bot.sources.readers import is_hard_wrapped, read_text
from bot.store import Store
from bot.text.clean import japanese_ratio
from bot.translate.engine import Translator

# Below this share of kana/kanji a document is not Japanese and is not sent to a ja→en model.
MIN_JAPANESE_RATIO = 0.2

Progress = Callable[[str], None]


@dataclass
class IngestReport:
    """Counts and reasons, filled in as documents are handled."""

    new_documents: int = 0
    entries: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Ingest:
    """Everything the stages need, built once per run."""

    config: Config
    store: Store
    glossary: Glossary
    translator: Translator
    now: datetime
    progress: Progress


def ingest_folder(job: Ingest, report: IngestReport) -> None:
    """Read every new, settled file of the watched folder."""
    candidates = unseen(scan_folder(job.config.paths.seeds), job.store.file_index())
    for candidate in settled(candidates, job.config.sources.settle_seconds):
        _ingest_file(job, candidate, report)


def _ingest_file(job: Ingest, candidate: FileCandidate, report: IngestReport) -> None:
    store = job.store
    try:
        data = read_bytes(candidate, job.config.sources.max_file_bytes)
    except InputError as exc:
        # Unread, so no content hash: the file's own signature stands in for it.
        key = f"file:{candidate.name}:{candidate.size}:{candidate.mtime_ns}"
        _skip(job, report, key, candidate.name, str(exc))
        with store.transaction():
            store.record_file(candidate.name, candidate.size, candidate.mtime_ns, key)
        return
    digest = content_hash(data)
    if not store.has_document(digest):
        try:
            text = read_text(candidate.name, data)
        except InputError as exc:
            _skip(job, report, digest, candidate.name, str(exc))
        else:
            document = Document(candidate.name, digest, text, is_hard_wrapped(candidate.name))
            ingest_document(job, document, report)
    with store.transaction():
        store.record_file(candidate.name, candidate.size, candidate.mtime_ns, digest)


# Feeds polled at once: a run waits about one timeout however many feeds time out, and a
# small bound keeps the load on the machine (and on any one host) modest.
MAX_PARALLEL_POLLS = 4


def ingest_feeds(job: Ingest, report: IngestReport) -> None:
    """Poll every configured feed that is due; a failing feed backs off, the others go on.

    Fetching runs in a few threads; everything that touches the store stays on this thread
    (a SQLite connection is not shared across threads)."""
    sources = job.config.sources
    now = job.now.timestamp()
    zone = load_zone(sources.timezone)
    states = [_feed_state(job.store, url) for url in dict.fromkeys(sources.feeds)]
    states = [state for state in states if due(state, now)]
    if not states:
        return

    def poll(state: FeedState) -> FetchResult:
        return poll_feed(state, now, timeout=sources.feed_timeout_seconds,
                         max_bytes=sources.max_feed_bytes, zone=zone)

    for state in states:
        job.progress(f"polling {state.url}")
    with ThreadPoolExecutor(min(MAX_PARALLEL_POLLS, len(states))) as pool:
        for result in pool.map(poll, states):  # in the configured order
            _record_poll(job, report, result, now)


def _feed_state(store: Store, url: str) -> FeedState:
    saved = store.feed_state(url)
    return FeedState(url) if saved is None else FeedState(url, *saved)


def _record_poll(job: Ingest, report: IngestReport, result: FetchResult, now: float) -> None:
    new = result.state
    with job.store.transaction():
        job.store.save_feed_state(new.url, new.etag, new.modified, new.failures, new.next_poll,
                                  new.last_error)
    if result.error:
        report.skipped.append((new.url, f"{result.error} (retry in "
                                        f"{max(0, new.next_poll - now) / 60:.0f} min)"))
    elif result.warning:
        job.progress(f"warning: {new.url}: {result.warning}")
    for item in result.items:
        _ingest_feed_item(job, item, report)


def _ingest_feed_item(job: Ingest, item: FeedItem, report: IngestReport) -> None:
    # A feed entry is identified by its guid: an edited entry is not published again.
    key = content_hash(f"{item.feed_url}\n{item.guid}".encode())
    if job.store.has_document(key):
        return
    source = SourceInfo(site=urlsplit(item.link or item.feed_url).hostname or "",
                        url=item.link,
                        published=item.published.isoformat() if item.published else "")
    text = f"{item.title}\n{item.text}" if item.title else item.text
    ingest_document(job, Document(item.link or item.guid, key, text), report, source)


def ingest_document(job: Ingest, document: Document, report: IngestReport,
                    source: SourceInfo | None = None) -> None:
    """Analyse, translate and store one decoded document (file or feed entry)."""
    report.new_documents += 1
    config = job.config
    try:
        require_japanese(document.text)
        analyses = analyze_text(document.text, job.glossary, config.digest.summary_sentences,
                                document.hard_wrapped)
        if not analyses:
            raise InputError("no articles found")
        if source is not None:  # a feed entry's link is its source, whatever the text says
            analyses = [replace(a, article=replace(a.article, source=source)) for a in analyses]
    except InputError as exc:
        _skip(job, report, document.content_hash, document.name, str(exc), counted=True)
        return
    job.progress(f"translating {document.name} ({len(analyses)} article(s))")
    made = translate_document(document, analyses, job.translator, job.glossary, job.now)
    with job.store.transaction():
        job.store.add_entries(made, hold_failed=config.glossary.strict)
        job.store.record_document(document.content_hash, document.name, job.now, "done",
                                  articles=len(made))
    report.entries += len(made)


def require_japanese(text: str) -> None:
    """Only Japanese goes to a ja→en model: anything else is skipped with this reason."""
    if japanese_ratio(text) < MIN_JAPANESE_RATIO:
        raise InputError("not Japanese text: skipped, nothing to translate")


def _skip(job: Ingest, report: IngestReport, key: str, name: str, reason: str,
          counted: bool = False) -> None:
    if not counted:
        report.new_documents += 1
    report.skipped.append((name, reason))
    with job.store.transaction():
        job.store.record_document(key, name, job.now, "skipped", reason)
