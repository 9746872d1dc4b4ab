"""The engine seam: what the pipeline asks of any translator, and a base for simple engines.

Every engine (the CTranslate2 engine over an Argos package or a model folder) and every wrapper (the
translation memory) offers all four members, so the stages call them directly and never ask
what an engine can do.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol


class Translator(Protocol):
    """A batch of sentences in, their translations out, same length and order."""

    @property
    def identity(self) -> str:
        """Names the model and decoding options: part of every translation memory key."""
        ...

    def translate(self, sentences: Sequence[str]) -> list[str]: ...

    def translate_groups(self, sentences: Sequence[str]) -> Iterator[dict[int, str]]:
        """As `translate`, yielding {index: translation} as each model call completes, so
        the memory can keep them there and then (a stopped run loses one call's work)."""
        ...

    def keeps_intact(self, text: str) -> bool:
        """Whether the placeholder `text`, standing in a sentence of the source language (the
        engine's probe, per model), reaches the model and comes back unchanged (the glossary
        keeps only the placeholder forms that do)."""
        ...


class WholeBatches:
    """A base for an engine that translates a batch in one call and whose tokenizer is not
    ours to see: one group per call, and every text assumed kept (the glossary verifies each
    rendering after translation anyway). A subclass defines `identity` and `translate`."""

    def translate(self, sentences: Sequence[str]) -> list[str]:
        raise NotImplementedError

    def translate_groups(self, sentences: Sequence[str]) -> Iterator[dict[int, str]]:
        if sentences:
            yield dict(enumerate(self.translate(sentences)))

    def keeps_intact(self, text: str) -> bool:
        return True


def gather(groups: Iterable[dict[int, str]], count: int) -> list[str]:
    """The outputs of `count` inputs, in input order, from {index: output} groups."""
    outputs = [""] * count
    for done in groups:
        for index, text in done.items():
            outputs[index] = text
    return outputs
