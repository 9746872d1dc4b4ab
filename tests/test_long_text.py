"""Long input: sentences reaching the model are bounded; every stage stays linear."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.core.model import Document
from bot.glossary import Glossary
from bot.glossary.enforce import ENFORCED, translate_with_terms
from bot.run.pipeline import analyze_text, translate_document
from bot.text.bound import MAX_SENTENCE_CHARS, bound_title, cut_sentence
from bot.translate.translator import WholeBatches

GLOSSARY = Glossary.from_pairs([("カザフスタン", "Kazakhstan"), ("一帯一路", "Belt and Road")])
CLAUSE = "カザフスタンの石油輸出は増加し、一帯一路の鉄道は延伸された"


class Echo(WholeBatches):
    """A stand-in model that copies its input and records every call."""

    def __init__(self) -> None:
        self.inputs: list[str] = []

    @property
    def identity(self) -> str:
        return "echo"

    def translate(self, sentences: Sequence[str]) -> list[str]:
        self.inputs.extend(sentences)
        return list(sentences)


def one_line(chars: int) -> str:
    unit = CLAUSE + "、"
    return "見出し\n" + unit * (chars // len(unit))


def test_a_long_sentence_is_cut_after_clause_ends_and_nothing_is_lost():
    sentence = "、".join(f"第{i}項目の説明文" for i in range(2000)) + "。"
    pieces = cut_sentence(sentence)
    assert len(pieces) > 1
    assert all(len(p) <= MAX_SENTENCE_CHARS for p in pieces)
    assert all(p.endswith("、") for p in pieces[:-1])
    assert "".join(pieces) == sentence


def test_a_long_run_without_any_clause_end_is_cut_at_the_limit():
    sentence = "あ" * (3 * MAX_SENTENCE_CHARS + 5)
    assert [len(p) for p in cut_sentence(sentence)] == [MAX_SENTENCE_CHARS] * 3 + [5]


def test_a_short_sentence_and_title_are_left_alone():
    assert cut_sentence("短い文。") == ["短い文。"]
    assert bound_title("見出し") == "見出し"
    long_title = bound_title("長い見出し、" * 200)
    assert len(long_title) <= MAX_SENTENCE_CHARS and long_title.endswith("…")


def test_a_one_line_document_sends_only_bounded_sentences_to_the_model():
    text = one_line(200_000)
    analyses = analyze_text(text, GLOSSARY, 3)
    assert all(len(s) <= MAX_SENTENCE_CHARS for a in analyses for s in a.sentences)
    echo = Echo()
    entries = translate_document(Document("long.txt", "h", text), analyses, echo, GLOSSARY,
                                 datetime(2026, 11, 26, tzinfo=UTC))
    assert entries and echo.inputs
    assert max(len(s) for s in echo.inputs) <= MAX_SENTENCE_CHARS
    assert sum(len(s) for s in echo.inputs) <= 4 * MAX_SENTENCE_CHARS * len(entries)
    assert all(len(p.ja) <= MAX_SENTENCE_CHARS for e in entries for p in e.pairs)


def test_thousands_of_terms_in_one_text_are_all_restored_in_one_pass():
    # 300 KB with 6,000 terms: restoring term by term took minutes (a pass per term).
    # The bound is two orders of magnitude above what one pass takes.
    text = CLAUSE * 3000
    started = time.perf_counter()
    (rendered,) = translate_with_terms([text], GLOSSARY, Echo())
    elapsed = time.perf_counter() - started
    assert len(rendered.terms) == 6000
    assert all(t.status == ENFORCED for t in rendered.terms)
    assert rendered.english.count("Kazakhstan") == 3000
    assert rendered.english.count("Belt and Road") == 3000
    assert "ZX" not in rendered.english
    assert elapsed < 10, f"restoring 6,000 terms took {elapsed:.1f} s"
