"""Translation memory: a Translator wrapper that never sends a cached sentence to the model.

The sentences it does send go to the model in one call, and when the model yields its results
batch by batch (CTranslate2Translator.translate_groups), each batch is stored as it completes:
a long run that stops midway keeps all but the batch in flight.

On a state shared by several workers the memory is shared, and no sentence is sent to the
model by two of them: each claims the sentences it misses, translates those it got, and waits
for the rest to appear in the memory (taking over any whose claimant is gone).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Sequence

from bot.state.store import Store
from bot.translate.translator import Translator

# A sentence being translated is claimed under this prefix (bot/state/workers.py).
CLAIM = "translation:"
# How often a worker waiting for another's sentences looks for them in the memory.
WAIT_SECONDS = 0.2


class CachedTranslator:
    """Looks every sentence up in the store first; translates and stores only the misses."""

    def __init__(self, inner: Translator, store: Store) -> None:
        self.inner = inner
        self.store = store
        self.hits = 0
        self.misses = 0

    @property
    def identity(self) -> str:
        return self.inner.identity

    def keeps_intact(self, text: str) -> bool:
        return self.inner.keeps_intact(text)

    def key(self, sentence: str) -> str:
        """Exact model input + model identity (package, version, decoding options)."""
        return hashlib.sha256(f"{self.inner.identity}\n{sentence}".encode()).hexdigest()

    def translate(self, sentences: Sequence[str]) -> list[str]:
        key_of = {s: self.key(s) for s in sentences}  # hashed once, looked at on every pass
        keys = [key_of[s] for s in sentences]
        cached = self.store.cached_translations(sorted(set(keys)))
        todo = sorted(s for s in key_of if key_of[s] not in cached)
        sent = 0
        while todo:
            # On a shared state a sentence missing here may be in another worker's hands:
            # each is claimed, this worker translates its own, then waits for the others'.
            mine = self.store.claims().take_all([CLAIM + key_of[s] for s in todo])
            own = [s for s in todo if CLAIM + key_of[s] in mine]
            self._translate(own, cached)
            sent += len(own)
            todo = [s for s in todo if key_of[s] not in cached]
            if todo:
                time.sleep(WAIT_SECONDS)
                cached.update(self.store.cached_translations(sorted(key_of[s] for s in todo)))
                todo = [s for s in todo if key_of[s] not in cached]
        self.misses += sent
        self.hits += len(sentences) - sent
        return [cached[k] for k in keys]

    def _translate(self, todo: list[str], cached: dict[str, str]) -> None:
        for done in self.inner.translate_groups(todo):
            new = {self.key(todo[i]): text for i, text in done.items()}
            with self.store.transaction():
                self.store.put_translations(new)
            cached.update(new)

    def translate_groups(self, sentences: Sequence[str]) -> Iterator[dict[int, str]]:
        """All of `sentences` in one group: the misses were stored group by group already."""
        if sentences:
            yield dict(enumerate(self.translate(sentences)))
