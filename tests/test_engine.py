"""The CTranslate2 engine on the tiny random model, and the translation memory."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import TranslationConfig
from bot.state.store import Store
from bot.translate.engine import (
    CTranslate2Translator,
    _clean_output,
    fit_threads,
    load_model,
    plan_groups,
    split_tokens,
)
from bot.translate.memory import CachedTranslator
from bot.translate.packages import PackageInfo
from bot.translate.translator import WholeBatches

SENTENCES = ["中国と中央アジアの協力が深まっている。", "2024年の貿易額は948億ドルに達した。",
             "中欧班列はホルゴスを経由する。"]


@pytest.fixture(scope="module")
def engine(installed_model: PackageInfo) -> CTranslate2Translator:
    return CTranslate2Translator(installed_model, TranslationConfig())


class Counting(WholeBatches):
    """Wraps a real translator and records what reaches it."""

    def __init__(self, inner: CTranslate2Translator) -> None:
        self.inner = inner
        self.calls: list[list[str]] = []

    @property
    def identity(self) -> str:
        return self.inner.identity

    def translate(self, sentences: Sequence[str]) -> list[str]:
        self.calls.append(list(sentences))
        return self.inner.translate(sentences)


def test_batch_gives_one_output_per_sentence(engine: CTranslate2Translator):
    outputs = engine.translate(SENTENCES)
    assert len(outputs) == len(SENTENCES)
    assert all(isinstance(o, str) and o for o in outputs)
    # Deterministic: the same input gives the same output, alone or in a batch.
    assert engine.translate(SENTENCES[1:2]) == outputs[1:2]


def test_empty_input_and_empty_sentences(engine: CTranslate2Translator):
    assert engine.translate([]) == []
    assert engine.translate(["", SENTENCES[0]])[0] == ""


def test_long_sentence_is_split_and_rejoined(engine: CTranslate2Translator):
    long = "、".join(["中国と中央アジアの協力が深まっている"] * 80) + "。"
    tokens = engine.tokenizer().encode(long, out_type=str)
    assert len(tokens) > 200
    parts = split_tokens(tokens)
    assert len(parts) > 1 and all(len(p) <= 200 for p in parts)
    assert all(p[-1].endswith("、") for p in parts[:-1])
    assert [t for part in parts for t in part] == tokens
    (output,) = engine.translate([long])
    assert output.count(" ") >= len(parts) - 1


def test_identity_names_package_and_options(installed_model: PackageInfo):
    a = CTranslate2Translator(installed_model, TranslationConfig(beam_size=2)).identity
    b = CTranslate2Translator(installed_model, TranslationConfig(beam_size=4)).identity
    assert a != b and "translate-ja_en@1.1" in a


def test_memory_hits_never_reach_the_model(engine: CTranslate2Translator):
    store = Store.open(":memory:")
    counting = Counting(engine)
    memory = CachedTranslator(counting, store)
    first = memory.translate(SENTENCES + SENTENCES[:1])
    assert counting.calls == [sorted(set(SENTENCES))]
    second = memory.translate(SENTENCES)
    assert second == first[:3]
    assert len(counting.calls) == 1 and memory.hits == 4 and memory.misses == 3
    memory.translate(["新しい文。", SENTENCES[0]])
    assert counting.calls[-1] == ["新しい文。"]


def test_output_is_cleaned_of_control_characters():
    assert _clean_output(" a\x01b\ufffdc\x7f ") == "abc"


def test_threads_fit_the_cores():
    assert fit_threads(TranslationConfig(), cores=2) == (2, 1)
    assert fit_threads(TranslationConfig(intra_threads=2), cores=4) == (2, 2)
    assert fit_threads(TranslationConfig(inter_threads=1), cores=4) == (1, 4)


class Recording:
    """Delegates to the real CTranslate2 model and records the calls it gets; passed to the
    engine as its model loader (`load`)."""

    def __init__(self) -> None:
        self.model: object = None
        self.kwargs: list[dict[str, object]] = []
        self.results: list[object] = []

    def __call__(self, package: PackageInfo, options: TranslationConfig) -> Recording:
        self.model = load_model(package, options)
        return self

    def translate_batch(self, tokens: list[list[str]], **kwargs: object) -> list[object]:
        self.kwargs.append(kwargs)
        results = self.model.translate_batch(tokens, **kwargs)  # type: ignore[attr-defined]
        self.results = list(results)
        return self.results


def test_target_prefix_is_forced_and_stripped(
    installed_model: PackageInfo, engine: CTranslate2Translator
):
    prefix = engine.tokenizer().id_to_piece(100)  # any piece of the model's vocabulary
    recording = Recording()
    engine = CTranslate2Translator(replace(installed_model, target_prefix=prefix),
                                   TranslationConfig(), load=recording)
    outputs = engine.translate(SENTENCES)
    assert recording.kwargs[0]["target_prefix"] == [[prefix]] * len(SENTENCES)
    assert recording.kwargs[0]["batch_type"] == "examples"
    decoded = []
    for result in recording.results:  # in the model's order: shortest input first
        tokens = result.hypotheses[0]  # type: ignore[attr-defined]
        assert tokens[0] == prefix
        decoded.append(_clean_output(engine.tokenizer().decode(tokens[1:])))
    assert sorted(outputs) == sorted(decoded)


def test_installed_metadata_target_prefix_is_read(tmp_path: Path):
    from bot.translate.packages import read_installed

    (tmp_path / "metadata.json").write_text(json.dumps(
        {"from_code": "ja", "to_code": "en", "package_version": "1.0", "target_prefix": "__en__"}))
    info = read_installed(tmp_path)
    assert info is not None and info.target_prefix == "__en__"


def varied_sentences(count: int) -> list[str]:
    """Distinct sentences of many lengths (one clause to a dozen)."""
    clause = "中国と中央アジアの協力が深まっている"
    return [f"{'、'.join([clause] * (1 + i % 12))}（{i}）。" for i in range(count)]


def test_model_groups_are_sorted_by_length_and_bounded_each(
    installed_model: PackageInfo,
) -> None:
    options = TranslationConfig(batch_type="examples", max_batch_size=4, inter_threads=2,
                                intra_threads=1)
    recording = Recording()
    engine = CTranslate2Translator(installed_model, options, load=recording)
    calls: list[list[list[str]]] = []
    inner = recording.translate_batch

    def record(tokens: list[list[str]], **kwargs: object) -> list[object]:
        calls.append(tokens)
        return inner(tokens, **kwargs)

    recording.translate_batch = record  # type: ignore[method-assign]
    sentences = varied_sentences(30)
    outputs = engine.translate(sentences)
    assert len(outputs) == 30 and all(outputs)
    # One batch per replica per call, shortest first; each call bounded by its own longest.
    assert [len(c) for c in calls] == [8, 8, 8, 6]
    lengths = [len(t) for call in calls for t in call]
    assert lengths == sorted(lengths)
    limits = [kw["max_decoding_length"] for kw in recording.kwargs]
    assert limits == [min(512, 3 * len(call[-1]) + 10) for call in calls]
    assert limits[0] < limits[-1]


def test_token_batches_hold_at_most_the_budget_of_padded_pieces():
    lengths = sorted([5, 7, 7, 9, 20, 20, 31, 40, 40, 41, 300])
    options = TranslationConfig(batch_type="tokens", max_batch_size=50)
    groups = plan_groups(lengths, options, inter=2)
    assert [i for g in groups for i in range(len(lengths))[g]] == list(range(len(lengths)))
    for group in groups:
        size = group.stop - group.start
        assert size == 1 or size * lengths[group.stop - 1] <= 100
    assert (groups[-1].stop - groups[-1].start) == 1  # longer than the budget: alone
    examples = plan_groups(lengths, TranslationConfig(batch_type="examples", max_batch_size=2),
                           inter=2)
    assert [g.stop - g.start for g in examples] == [4, 4, 3]


class FailingAfter(WholeBatches):
    """The real engine, stopping after `batches` model calls, as a killed run would."""

    def __init__(self, inner: CTranslate2Translator, batches: int) -> None:
        self.inner, self.left = inner, batches
        self.done: list[str] = []

    @property
    def identity(self) -> str:
        return self.inner.identity

    def translate(self, sentences: Sequence[str]) -> list[str]:
        raise AssertionError("the memory sends work a batch at a time when it can")

    def translate_groups(self, sentences: Sequence[str]) -> Iterator[dict[int, str]]:
        for done in self.inner.translate_groups(sentences):
            if done and self.left == 0:
                raise RuntimeError("stopped")
            self.left -= bool(done)
            self.done.extend(sentences[i] for i in done)
            yield done


def test_memory_stores_each_batch_as_it_completes(installed_model: PackageInfo):
    options = TranslationConfig(batch_type="examples", max_batch_size=8, inter_threads=2,
                                intra_threads=1)
    engine = CTranslate2Translator(installed_model, options)
    store = Store.open(":memory:")
    sentences = varied_sentences(100)
    failing = FailingAfter(engine, batches=3)
    with pytest.raises(RuntimeError):
        CachedTranslator(failing, store).translate(sentences)
    assert len(failing.done) == 3 * 16  # three groups of one batch per replica
    # The batches done before the failure are kept; the next run sends only the rest.
    assert store.counts().cached_translations == 48
    counting = Counting(engine)
    again = CachedTranslator(counting, store)
    outputs = again.translate(sentences)
    assert again.misses == 52 and again.hits == 48
    assert counting.calls == [sorted(set(sentences) - set(failing.done))]
    assert len(outputs) == len(sentences) and all(outputs)


def test_groups_yield_every_sentence_once_and_long_ones_whole(engine: CTranslate2Translator):
    long = "、".join(["中国と中央アジアの協力が深まっている"] * 80) + "。"
    sentences = ["", *varied_sentences(20), long, ""]
    seen: dict[int, str] = {}
    for done in engine.translate_groups(sentences):
        assert not set(done) & set(seen)
        seen.update(done)
    assert sorted(seen) == list(range(len(sentences)))
    assert seen[0] == seen[len(sentences) - 1] == "" and seen[21].count(" ") >= 1
