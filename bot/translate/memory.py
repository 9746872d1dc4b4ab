"""Translation memory: a Translator wrapper that never sends a cached sentence to the model.

The sentences it does send go to the model in one call, and when the model yields its results
batch by batch (CTranslate2Translator.translate_groups), each batch is stored as it completes:
a long run that stops midway keeps all but the batch in flight.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

from bot.state.store import Store
from bot.translate.translator import Translator


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
        keys = [self.key(s) for s in sentences]
        cached = self.store.cached_translations(sorted(set(keys)))
        todo = sorted({s for s, k in zip(sentences, keys, strict=False) if k not in cached})
        for done in self.inner.translate_groups(todo):
            new = {self.key(todo[i]): text for i, text in done.items()}
            with self.store.transaction():
                self.store.put_translations(new)
            cached.update(new)
        self.misses += len(todo)
        self.hits += len(sentences) - len(todo)
        return [cached[k] for k in keys]

    def translate_groups(self, sentences: Sequence[str]) -> Iterator[dict[int, str]]:
        """All of `sentences` in one group: the misses were stored group by group already."""
        if sentences:
            yield dict(enumerate(self.translate(sentences)))
