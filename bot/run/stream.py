"""The run's translation stream: new articles from every document and feed, translated together.

Translating document by document gives the model small, ragged batches (half the engine's
rate, measured in bench/). Instead, documents queue here once analysed, and a window of
them is translated as one stream: every title and key sentence of the window goes to the
translation memory in one call, the engine sorts them by length into full batches and yields
each batch's results as it completes, and the memory stores them there and then; glossary
retries are batched across the window's documents. Then each document of the window is
recorded with its entries, in order, one transaction each. A crash loses at most the batch in
flight: what was translated before it is in the memory, so a restart repeats no model work,
and the documents recorded before it are not read again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.core.model import Entry
from bot.glossary import Glossary
from bot.run.pipeline import Work, translate_works
from bot.run.select import Chooser
from bot.state.records import DocumentStatus
from bot.state.store import Store
from bot.translate.translator import Translator

# Model texts (titles and key sentences) queued before the window is translated: enough that
# each length-sorted group holds sentences of nearly one length (a group decodes as long as
# its longest) and few groups are part-full; few enough that documents are recorded as the
# run goes and that a window's texts and results stay small (~400 KB). Measured side by side
# (bench/README.md): 1,024 translates 200 articles at the engine's own rate, 256 at 0.84 of it.
WINDOW_TEXTS = 1024

Action = Callable[[], None]


@dataclass
class _Queued:
    work: Work
    article_keys: tuple[str, ...]
    then: list[Action] = field(default_factory=list)  # written with the document


@dataclass
class TranslationStream:
    """Documents waiting for translation; `flush` translates and records them."""

    store: Store
    translator: Translator
    glossary: Glossary
    now: datetime
    hold_failed: bool
    progress: Callable[[str], None] = lambda _: None
    window: int = WINDOW_TEXTS
    # The named editions' filters: run on each translated article as it is stored.
    choosers: tuple[Chooser, ...] = ()
    _queue: list[_Queued] = field(default_factory=list)
    _keys: set[str] = field(default_factory=set)
    _texts: int = 0

    def queued(self, key: str) -> bool:
        """Is a document or article with this key waiting here (not yet in the store)?"""
        return key in self._keys

    def add(self, work: Work, article_keys: tuple[str, ...]) -> int:
        """Queue one document's new articles; returns the entries stored by this call."""
        # The text is analysed already: only the articles are kept while waiting.
        document = replace(work.document, text="")
        self._queue.append(_Queued(replace(work, document=document), article_keys))
        self._keys.update((work.document.content_hash, *article_keys))
        self._texts += len(work.texts())
        return self.flush() if self._texts >= self.window else 0

    def after_stored(self, action: Action) -> None:
        """Run `action` (a store write) once every document queued so far is recorded,
        in the same transaction as the last: a file or feed is marked read only then."""
        if self._queue:
            self._queue[-1].then.append(action)
            return
        with self.store.transaction():
            action()

    def flush(self) -> int:
        """Translate every queued document and record each; returns the entries stored."""
        queue, self._queue, self._keys, self._texts = self._queue, [], set(), 0
        if not queue:
            return 0
        articles = sum(len(q.work.analyses) for q in queue)
        self.progress(f"translating {articles} article(s) of {len(queue)} document(s)")
        made = translate_works([q.work for q in queue], self.translator, self.glossary,
                               self.now)
        for item, entries in zip(queue, made, strict=True):
            with self.store.transaction():
                self.store.add_entries(entries, hold_failed=self.hold_failed)
                self._assign(item.work, entries)
                self.store.record_articles(
                    zip(item.article_keys, (e.guid for e in entries), strict=True))
                self.store.record_document(item.work.document.content_hash,
                                           item.work.document.name, self.now, DocumentStatus.DONE,
                                           articles=len(entries))
                for action in item.then:
                    action()
        return sum(len(entries) for entries in made)

    def _assign(self, work: Work, entries: list[Entry]) -> None:
        """Each entry into the named editions whose filter takes it."""
        for chooser in self.choosers:
            self.store.editions().assign(chooser.edition, [
                entry.guid for analysis, entry in zip(work.analyses, entries, strict=True)
                if chooser.takes(analysis.article, entry, work.document.origin)])
