"""Translation memory: a Translator wrapper that never sends a cached sentence to the model.

The sentences it does send go by length, in chunks whose translations are stored as each
completes: a long run that stops midway keeps all but the chunk in flight.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from bot.store import Store
from bot.translate.engine import Translator

# Sentences per model call at least (more when the engine's batches are bigger): small enough
# that a crash loses little, large enough for full batches on every replica.
MIN_CHUNK = 64


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
        # By length: each chunk then holds sentences of about one length (no padding).
        todo = sorted({s for s, k in zip(sentences, keys, strict=False) if k not in cached},
                      key=lambda s: (len(s), s))
        chunk = max(MIN_CHUNK, int(getattr(self.inner, "call_size", 0)))
        for start in range(0, len(todo), chunk):
            part = todo[start : start + chunk]
            new = {self.key(s): t
                   for s, t in zip(part, self.inner.translate(part), strict=True)}
            with self.store.transaction():
                self.store.put_translations(new)
            cached.update(new)
        self.misses += len(todo)
        self.hits += len(sentences) - len(todo)
        return [cached[k] for k in keys]
