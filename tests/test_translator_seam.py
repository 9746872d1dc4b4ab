"""The engine seam: every engine and wrapper offers the whole Translator protocol, and the
memory passes each member through to the engine it wraps."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.glossary.enforce import usable_forms
from bot.state.store import Store
from bot.translate.memory import CachedTranslator
from bot.translate.translator import WholeBatches, gather


class Upper(WholeBatches):
    """A remote-style engine: one call per batch, its tokenizer unknown, except that it
    mangles any text holding "ZX" (as a tokenizer that splits it would)."""

    identity = "upper@1"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def translate(self, sentences: Sequence[str]) -> list[str]:
        self.calls.append(list(sentences))
        return [s.upper() for s in sentences]

    def keeps_intact(self, text: str) -> bool:
        return "ZX" not in text


def test_whole_batches_gives_one_group_per_call_and_none_for_nothing():
    engine = Upper()
    assert list(engine.translate_groups(["a", "b"])) == [{0: "A", 1: "B"}]
    assert list(engine.translate_groups([])) == [] and engine.calls == [["a", "b"]]
    assert gather(engine.translate_groups(["x", "y"]), 2) == ["X", "Y"]
    assert WholeBatches().keeps_intact("ZX1")  # unknown tokenizer: the glossary verifies


def test_memory_passes_every_member_through(tmp_path: Path):
    engine = Upper()
    store = Store.open(tmp_path / "state.sqlite3")
    try:
        memory = CachedTranslator(engine, store)
        assert memory.identity == engine.identity
        assert not memory.keeps_intact("a ZX1") and memory.keeps_intact("a [1]")
        assert memory.translate(["a", "b"]) == ["A", "B"]
        assert list(memory.translate_groups(["a", "c"])) == [{0: "A", 1: "C"}]
        assert engine.calls == [["a", "b"], ["c"]]  # "a" came from memory the second time
        assert (memory.hits, memory.misses) == (1, 3)
    finally:
        store.close()


def test_glossary_keeps_the_placeholder_forms_the_engine_keeps():
    forms = usable_forms(Upper())
    assert forms and "ZX{n}" not in forms and "QZ{n}" in forms
