"""Ingest: new documents from the sources become entries in the store.

Each document is analysed on its own: a bad one is recorded with its reason and the rest of
the batch goes on. The new articles of every document and feed entry are then translated
together, as one stream (bot/run/stream.py); a document's entries and its 'seen' mark are written
in one transaction, and a file or feed is marked read only once its documents are recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from urllib.parse import urlsplit

from bot.config.times import load_zone
from bot.core.errors import InputError
from bot.core.model import Document, SourceInfo
from bot.run.admit import ingest_document, skip
from bot.run.fulltext import with_page_text
from bot.run.job import Ingest, IngestReport
from bot.run.pipeline import text_key
from bot.sources.feeds import FeedItem, FeedState, FetchResult, due, poll_feed
from bot.sources.folder import FileCandidate, content_hash, read_bytes, settled, unseen, walk_folder
from bot.sources.readers import read_date, read_document
from bot.state.store import Store
from bot.text.safe import safe_text
from bot.translate.memory import CachedTranslator


def ingest_sources(job: Ingest, report: IngestReport, *, folder: bool = True,
                   feeds: tuple[str, ...] | None = None) -> None:
    """The folder, then the feeds (None: every configured feed); their new articles
    translated as one stream."""
    if folder:
        ingest_folder(job, report)
    if not job.stop():
        ingest_feeds(job, report, feeds)
    if job.stop():
        # Stopping: documents queued but not translated are not recorded, so the next run
        # reads them again (the translation memory keeps any window already translated).
        return
    report.entries += job.stream.flush()  # what is left of the last window
    memory = job.translator
    if isinstance(memory, CachedTranslator) and memory.misses:
        job.progress(f"translated {memory.misses} sentence(s) with the model, "
                     f"{memory.hits} from memory")


def ingest_folder(job: Ingest, report: IngestReport) -> None:
    """Read every new, settled file of the watched folder; list what cannot be read."""
    sources = job.config.sources
    scan = walk_folder(job.config.paths.seeds, sources.follow_symlinks)
    for item in scan.unread:
        # Keyed by path and reason: listed once, not again on every run.
        key = "unread:" + content_hash(f"{item.key}\n{item.reason}".encode())
        if not job.store.has_document(key):
            skip(job, report, key, item.name, item.reason)
    candidates = unseen(scan.files, job.store.file_index())
    ready = settled(candidates, sources.settle_seconds)
    report.unsettled += len(candidates) - len(ready)
    for done, candidate in enumerate(ready):
        if job.stop():
            report.unsettled += len(ready) - done
            return
        _ingest_file(job, candidate, report)


def _ingest_file(job: Ingest, candidate: FileCandidate, report: IngestReport) -> None:
    store = job.store
    try:
        data = read_bytes(candidate, job.config.sources.max_file_bytes,
                          job.config.sources.follow_symlinks)
    except InputError as exc:
        # Unread, so no content hash: the file's own signature stands in for it.
        key = f"file:{candidate.ident}:{candidate.size}:{candidate.mtime_ns}"
        skip(job, report, key, candidate.name, str(exc))
        with store.transaction():
            store.record_file(candidate.ident, candidate.size, candidate.mtime_ns, key)
        return
    digest = content_hash(data)
    # State files before text keys recorded documents by their bytes: still honoured.
    if not store.has_document(digest):
        try:
            reading = read_document(candidate.name, data)
        except InputError as exc:
            skip(job, report, digest, candidate.name, str(exc))
        else:
            # The same text in another encoding, width or wrapping is the same document.
            text = safe_text(reading.text)
            key = text_key(text)
            if not store.claims().take(key):
                # Another worker is reading the same text (dropped in its folder too): this
                # file stays new, and a later look finds it recorded, or the claim lapsed.
                report.elsewhere += 1
                return
            if store.has_document(key) or job.stream.queued(key):
                report.skipped.append((candidate.name, "same text as a document already read"))
            else:
                ingest_document(job, Document(candidate.name, key, text, reading.hard_wrapped,
                                              _file_date(job, candidate, data),
                                              reading.source), report)
    # Marked read once its document is recorded: a crash before that reads it again.
    job.stream.after_stored(lambda: store.record_file(candidate.ident, candidate.size,
                                                      candidate.mtime_ns, digest))


def _file_date(job: Ingest, candidate: FileCandidate, data: bytes) -> str:
    """The file's own date, its articles' last resort: a PDF's creation date when it gives
    one (a copy's modification time is only when it was copied), else the modification date
    where the sources live."""
    if made := read_date(candidate.name, data):
        return made
    zone = load_zone(job.config.sources.timezone)
    return datetime.fromtimestamp(candidate.mtime_ns / 1e9, zone).date().isoformat()


# Feeds polled at once: a run waits about one timeout however many feeds time out, and a
# small bound keeps the load on the machine (and on any one host) modest.
MAX_PARALLEL_POLLS = 4


def ingest_feeds(job: Ingest, report: IngestReport, urls: tuple[str, ...] | None = None
                 ) -> None:
    """Poll each of `urls` (None: the configured feeds) that is due; a failing feed backs
    off, the others go on.

    Fetching runs in a few threads; everything that touches the store stays on this thread
    (a SQLite connection is not shared across threads)."""
    sources = job.config.sources
    now = job.now.timestamp()
    zone = load_zone(sources.timezone)
    chosen = sources.feeds if urls is None else urls
    states = _due_feeds(job, dict.fromkeys(chosen), now)
    # One worker polls a feed at a time (a claim, let go at the end of the job); what it
    # saved meanwhile is read again, so a feed just polled by another is not due any more.
    states = _due_feeds(job, [s.url for s in states if job.store.claims().take("feed:" + s.url)],
                        now)
    if not states:
        return

    def poll(state: FeedState) -> FetchResult:
        return poll_feed(state, now, timeout=sources.feed_timeout_seconds,
                         max_bytes=sources.max_feed_bytes, zone=zone,
                         interval=sources.interval_of(state.url) * 60)

    for state in states:
        job.progress(f"polling {state.url}")
    with ThreadPoolExecutor(min(MAX_PARALLEL_POLLS, len(states))) as pool:
        for result in pool.map(poll, states):  # in the configured order
            if job.stop():
                break  # its state is not saved: the next poll fetches it again
            _record_poll(job, report, result, now)


def _due_feeds(job: Ingest, urls: Iterable[str], now: float) -> list[FeedState]:
    sources = job.config.sources
    states = [_feed_state(job.store, url) for url in urls]
    # The job that set a backoff may have started late in its interval (behind another job):
    # a backoff ending within half an interval (at most a minute) does not cost one more.
    return [state for state in states if due(state, now, slack=min(
        60.0, sources.interval_of(state.url) * 30))]


def _feed_state(store: Store, url: str) -> FeedState:
    saved = store.feeds().state(url)
    if saved is None:
        return FeedState(url)
    return FeedState(url, saved.etag, saved.modified, saved.failures, saved.next_poll,
                     saved.last_error)


def _record_poll(job: Ingest, report: IngestReport, result: FetchResult, now: float) -> None:
    new = result.state
    for item in result.items:
        if job.stop():
            return  # the feed's state (etag) is not saved: the next poll gets it all again
        _ingest_feed_item(job, item, report)
    # Saved (with its etag) once the entries are recorded: a crash before that polls again
    # and gets them again, where a saved etag would get "not modified".
    job.stream.after_stored(lambda: job.store.feeds().save(
        new.url, new.etag, new.modified, new.failures, new.next_poll, new.last_error))
    if result.error:
        retry = (f"retry in {(new.next_poll - now) / 60:.0f} min" if new.next_poll > now
                 else "tried again at its next poll")
        report.skipped.append((new.url, f"{result.error} ({retry})"))
    elif result.warning:
        job.progress(f"warning: {new.url}: {result.warning}")


def _ingest_feed_item(job: Ingest, item: FeedItem, report: IngestReport) -> None:
    # A feed entry is identified by its guid: an edited entry is not published again.
    key = content_hash(f"{item.feed_url}\n{item.guid}".encode())
    if job.store.has_document(key) or job.stream.queued(key):
        return
    if job.config.sources.full_text_of(item.feed_url):
        item = with_page_text(job, item)
    source = SourceInfo(site=urlsplit(item.link or item.feed_url).hostname or "",
                        url=item.link,
                        published=item.published.isoformat() if item.published else "")
    text = f"{item.title}\n{item.text}" if item.title else item.text
    ingest_document(job, Document(item.link or item.guid, key, text, origin=item.feed_url),
                    report, source)
