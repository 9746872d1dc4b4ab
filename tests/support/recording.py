"""A real translator wrapped to record what it is asked: tests count model calls with it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.translate.translator import Translator, WholeBatches


class Recording(WholeBatches):
    """Wraps a real translator (an engine, or the memory in front of one) and records every
    call: `calls` one list per call, `texts` every sentence in order."""

    def __init__(self, inner: Translator) -> None:
        self.inner = inner
        self.calls: list[list[str]] = []

    @property
    def identity(self) -> str:
        return self.inner.identity

    @property
    def texts(self) -> list[str]:
        return [text for call in self.calls for text in call]

    def keeps_intact(self, text: str) -> bool:
        return self.inner.keeps_intact(text)

    def translate(self, sentences: Sequence[str]) -> list[str]:
        self.calls.append(list(sentences))
        return self.inner.translate(sentences)
