"""One ingest run's job: what its stages work with (config, store, glossary, translator,
clock, progress, stop), built once per run, and the report they fill in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from bot.config import Config, SourcesConfig, editions_of
from bot.glossary import Glossary
from bot.run.merge import Stories
from bot.run.select import choosers
from bot.run.stream import TranslationStream
from bot.sources.pages import PageFetcher, PageSettings
from bot.state.store import Store
from bot.translate.translator import Translator

Progress = Callable[[str], None]


@dataclass
class IngestReport:
    """Counts and reasons, filled in as documents are handled."""

    new_documents: int = 0
    entries: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # New files left for a later look: still being written, or the run was stopped.
    unsettled: int = 0
    # New files whose text another worker of a shared state is reading: looked at again.
    elsewhere: int = 0


@dataclass(frozen=True)
class Ingest:
    """Everything the stages need, built once per run."""

    config: Config
    store: Store
    glossary: Glossary
    translator: Translator
    now: datetime
    progress: Progress
    # Asked between documents and feed entries: True when the process is stopping, so the
    # run ends after the item in hand (what is left is still new for the next run).
    stop: Callable[[], bool] = lambda: False

    @cached_property
    def stories(self) -> Stories:
        """What near-duplicates are compared with (bot/run/merge.py), read once per run."""
        return Stories.load(self.store, self.config.digest, self.now)

    @cached_property
    def stream(self) -> TranslationStream:
        """The run's translation stream (one per run: built on first use)."""
        return TranslationStream(self.store, self.translator, self.glossary, self.now,
                                 self.config.glossary.strict, self.progress,
                                 choosers=choosers(editions_of(self.config), self.glossary))

    @cached_property
    def pages(self) -> PageFetcher:
        """The run's article-page fetcher (full_text feeds): robots.txt once per host."""
        return page_fetcher(self.config.sources)


def page_fetcher(sources: SourcesConfig) -> PageFetcher:
    """The run's fetcher, with the page settings of `sources`."""
    return PageFetcher(PageSettings(timeout=sources.page_timeout_seconds,
                                    max_bytes=sources.max_page_bytes,
                                    host_interval=sources.page_host_interval_seconds))
