"""How a run is wired, written once for `once`, `demo` and every job of `run`.

    Wiring(config, …)   the model, then the watched folder (a missing one is an error before
                        anything is touched)
    with wiring.open()  the glossary read, the state-file lock taken, the store opened, the
                        engine built (once per Wiring) behind the translation memory → Wired

The service keeps one Wiring for its life: the folder and model are checked at its start, the
glossary is read again for each job (an edited one applies from the next drop on) and the
engine, seconds to load, is loaded by the first job only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bot.config import Config
from bot.core.errors import ConfigError
from bot.glossary import Glossary, glossary_for
from bot.run.worker import RunReport, with_sentences
from bot.state.lock import hold_job_lock
from bot.state.store import Store
from bot.translate.engine import build_engine, find_model
from bot.translate.memory import CachedTranslator
from bot.translate.models import ModelFolder
from bot.translate.translator import Translator

Say = Callable[[str], None]


@dataclass(frozen=True)
class Wired:
    """What one run works with, while its Wiring is open (the store closes with it)."""

    config: Config
    glossary: Glossary
    store: Store
    translator: Translator  # the engine, behind the translation memory when that is on

    def counted(self, report: RunReport) -> RunReport:
        """`report` with what the translation memory counted during the run."""
        return with_sentences(report, self.translator)


def check_setup(config: Config) -> ModelFolder | None:
    """The configured engine's model (the installed Argos package of the pair, or the model
    folder; none for remote servers) and device, then the watched folder."""
    package = find_model(config.translation)
    if not config.paths.seeds.is_dir():
        raise ConfigError(f"the watched folder does not exist: {config.paths.seeds}")
    return package


class Wiring:
    """Checked on creation; `open()` wires one run under the state-file lock."""

    def __init__(self, config: Config, use_cache: bool, say: Say = lambda _: None,
                 stop: Callable[[], bool] = lambda: False) -> None:
        check_setup(config)
        self.config = config
        self._use_cache = use_cache
        self._say = say
        self._stop = stop  # gives up a wait for the lock when the process is stopping
        self._engine: Translator | None = None

    def use(self, config: Config) -> None:
        """Wire the next runs with `config` (a reload, between jobs)."""
        if config.translation != self.config.translation:
            self._engine = None  # loaded again, with the new settings, by the next run
        self.config = config

    @contextmanager
    def open(self) -> Iterator[Wired]:
        """One run's glossary, store and translator, the state-file lock held throughout."""
        config = self.config
        glossary = glossary_for(config)
        # One job per state file at a time: a second process waits, then finds nothing new.
        with hold_job_lock(config.paths, config.schedule.lock_wait_seconds, self._say,
                           self._stop):
            store = Store.open(config.paths.store)
            try:
                yield Wired(config, glossary, store, self._translator(config, store))
            finally:
                store.close()

    def _translator(self, config: Config, store: Store) -> Translator:
        t = config.translation
        if self._engine is None:
            self._engine = build_engine(t)
        if self._use_cache and t.cache:
            return CachedTranslator(self._engine, store)
        return self._engine
