"""How a run is wired, written once for `once`, `demo` and every job of `run`.

    Wiring(config, …)   the model, then the watched folder (a missing one is an error before
                        anything is touched)
    with wiring.open()  the glossary read, the state-file lock taken, the store opened, the
                        engine built (once per Wiring) behind the translation memory → Wired

The service keeps one Wiring for its life: the folder and model are checked at its start, the
glossary is read again for each job (an edited one applies from the next drop on) and the
engine, seconds to load, is loaded by the first job only.

On a PostgreSQL state the run is one of several workers (bot/state/workers.py): no job lock,
the Wiring is a member of the database for its life and its store claims what it reads, and
only the worker that `publishes()` builds digests, writes OUT/ and sends (bot/state/pglock.py).
`close()` ends the membership and lets the publisher's role go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass
from types import TracebackType

from bot.config import Config
from bot.core.errors import ConfigError
from bot.glossary import Glossary, glossary_for
from bot.run.worker import RunReport, with_sentences
from bot.state.lock import hold_state_lock
from bot.state.pglock import Publisher
from bot.state.store import Store
from bot.state.workers import Membership
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
    """Checked on creation; `open()` wires one run (under the state-file lock, or as a member
    of a shared database); `close()` (or leaving its `with`) when the process is done."""

    def __init__(self, config: Config, use_cache: bool, say: Say = lambda _: None,
                 stop: Callable[[], bool] = lambda: False, command: str = "once") -> None:
        check_setup(config)
        self.config = config
        self._use_cache = use_cache
        self._say = say
        self._stop = stop  # gives up a wait for the lock when the process is stopping
        self._command = command  # what the members and the publisher are called
        self._engine: Translator | None = None
        self._member: Membership | None = None
        self._publisher = _publisher(config, command)

    def __enter__(self) -> Wiring:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def use(self, config: Config) -> None:
        """Wire the next runs with `config` (a reload, between jobs)."""
        if config.translation != self.config.translation:
            self._engine = None  # loaded again, with the new settings, by the next run
        if config.paths.database != self.config.paths.database:
            self.close()  # a member of the new state from the next run on
            self._publisher = _publisher(config, self._command)
        self.config = config

    @contextmanager
    def open(self) -> Iterator[Wired]:
        """One run's glossary, store and translator, the state-file lock held throughout."""
        config = self.config
        glossary = glossary_for(config)
        # One job per state file at a time: a second process waits, then finds nothing new.
        with self._turn(config):
            store = Store.open(config.paths.store)
            try:
                if config.paths.database:
                    if self._member is None:  # after the store: it makes the schema
                        self._member = Membership(config.paths.database, self._command)
                    store.join(self._member.id)
                yield Wired(config, glossary, store, self._translator(config, store))
            finally:
                _release(store)
                store.close()

    def publishes(self, wait: float = 0.0) -> bool:
        """May this run publish? Always on a state file (its job lock is held); on a database
        if this process is (or now becomes) the publisher, waiting up to `wait` seconds for
        another `once` to be done."""
        if self._publisher is None:
            return True
        took = (self._publisher.wait(wait, self._say, self._stop) if wait
                else self._publisher.take())
        if took and self._member is not None:
            self._member.holds("publisher", self._publisher.session)
        return took

    def publisher(self) -> str:
        """Who publishes for a shared database (for the logs)."""
        return "this process" if self._publisher is None else self._publisher.owner()

    def close(self) -> None:
        """Leave the shared database (a state file: nothing to do)."""
        if self._publisher is not None:
            self._publisher.close()  # taken again by `publishes()` if this Wiring is used
        if self._member is not None:
            self._member.close()
            self._member = None

    def _turn(self, config: Config) -> AbstractContextManager[None]:
        if not config.paths.database:
            return hold_state_lock(config.paths.state, config.schedule.lock_wait_seconds,
                                   self._say, self._stop)
        return nullcontext()  # workers share the database: claims and the publisher instead

    def _translator(self, config: Config, store: Store) -> Translator:
        t = config.translation
        if self._engine is None:
            self._engine = build_engine(t)
        if self._use_cache and t.cache:
            return CachedTranslator(self._engine, store)
        return self._engine


def _publisher(config: Config, command: str) -> Publisher | None:
    database = config.paths.database
    return Publisher(database, command) if database else None


def _release(store: Store) -> None:
    # Claims are let go at the end of the job; when the database failed, its error is the
    # one to show, and the claims lapse with this worker's lease.
    with suppress(*store.errors):
        store.claims().release()
