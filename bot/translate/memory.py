"""Translation memory: a Translator wrapper that never sends a cached sentence to the model.

The sentences it does send go to the model in one call, and when the model yields its results
batch by batch (CTranslate2Translator.translate_groups), each batch is stored as it completes:
a long run that stops midway keeps all but the batch in flight.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

from bot.state.store import Store
from bot.translate.engine import Translator


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
        keeps = getattr(self.inner, "keeps_intact", None)
        return True if keeps is None else bool(keeps(text))

    def key(self, sentence: str) -> str:
        """Exact model input + model identity (package, version, decoding options)."""
        return hashlib.sha256(f"{self.inner.identity}\n{sentence}".encode()).hexdigest()

    def translate(self, sentences: Sequence[str]) -> list[str]:
        keys = [self.key(s) for s in sentences]
        cached = self.store.cached_translations(sorted(set(keys)))
        todo = sorted({s for s, k in zip(sentences, keys, strict=False) if k not in cached})
        for done in self._translated(todo):
            new = {self.key(todo[i]): text for i, text in done.items()}
            with self.store.transaction():
                self.store.put_translations(new)
            cached.update(new)
        self.misses += len(todo)
        self.hits += len(sentences) - len(todo)
        return [cached[k] for k in keys]

    def _translated(self, todo: list[str]) -> Iterator[dict[int, str]]:
        """{index: translation} of `todo`, a batch at a time when the engine can."""
        if not todo:
            return
        groups = getattr(self.inner, "translate_groups", None)
        if groups is None:
            yield dict(enumerate(self.inner.translate(todo)))
        else:
            yield from groups(todo)
