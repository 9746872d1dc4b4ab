"""Glossary enforcement: every recovery path, with scripted translators and the real engine."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import pytest

from bot.config import TranslationConfig
from bot.glossary import Glossary
from bot.glossary.enforce import PLACEHOLDER_FORMS, translate_with_terms
from bot.translate.engine import CTranslate2Translator
from bot.translate.packages import PackageInfo
from bot.translate.translator import WholeBatches

GLOSSARY = Glossary.from_pairs([
    ("ホルゴス", "Horgos"),
    ("中欧班列", "China-Europe Railway Express"),
    ("一帯一路", "Belt and Road Initiative"),
])
TEXT = "ホルゴスを通る中欧班列が増えた。"


class Scripted(WholeBatches):
    """A stand-in model: `rule(text, call)` decides what comes back for each input."""

    def __init__(self, rule: Callable[[str, int], str]) -> None:
        self.rule = rule
        self.calls: list[list[str]] = []

    @property
    def identity(self) -> str:
        return "scripted"

    def translate(self, sentences: Sequence[str]) -> list[str]:
        self.calls.append(list(sentences))
        return [self.rule(s, len(self.calls)) for s in sentences]


def first_form(n: int) -> str:
    return PLACEHOLDER_FORMS[0].format(n=n)


def test_placeholders_kept_means_enforced_exactly_once():
    copy = Scripted(lambda text, _: f"EN: {text}")
    (result,) = translate_with_terms([TEXT], GLOSSARY, copy)
    assert copy.calls == [[f"{first_form(1)}を通る{first_form(2)}が増えた。"]]
    assert result.english.count("Horgos") == 1
    assert result.english.count("China-Europe Railway Express") == 1
    assert [(t.ja, t.status) for t in result.terms] == [("ホルゴス", "enforced"),
                                                        ("中欧班列", "enforced")]


def test_text_without_terms_is_translated_once_as_is():
    copy = Scripted(lambda text, _: text.upper())
    (result,) = translate_with_terms(["abc"], GLOSSARY, copy)
    assert result.english == "ABC" and result.terms == () and copy.calls == [["abc"]]


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: re.sub(r"ZX\d", "", text),                       # dropped
        lambda text: re.sub(r"(ZX1)", r"\1 \1", text),                 # duplicated
        lambda text: text.replace("ZX1", "ZBZ").replace("ZX2", "ZBZ"),  # mangled
    ],
    ids=["drop", "duplicate", "mangle"],
)
def test_a_damaged_placeholder_is_retried_with_the_next_form(damage: Callable[[str], str]):
    model = Scripted(lambda text, call: damage(text) if call == 1 else text)
    (result,) = translate_with_terms([TEXT], GLOSSARY, model)
    assert len(model.calls) == 2
    assert PLACEHOLDER_FORMS[1].format(n=1) in model.calls[1][0]
    assert all(t.status == "enforced" for t in result.terms)
    assert result.english.count("Horgos") == 1


def test_spacing_and_case_damage_is_tolerated():
    model = Scripted(lambda text, _: text.replace("ZX1", "zx 1"))
    (result,) = translate_with_terms([TEXT], GLOSSARY, model)
    assert len(model.calls) == 1 and "Horgos" in result.english


def test_prerendered_source_is_the_last_resort():
    def rule(text: str, call: int) -> str:
        return "the model lost it" if re.search(r"\d", text.replace("一", "")) else text

    model = Scripted(rule)
    (result,) = translate_with_terms([TEXT], GLOSSARY, model)
    assert model.calls[-1] == ["Horgosを通るChina-Europe Railway Expressが増えた。"]
    assert len(model.calls) == len(PLACEHOLDER_FORMS) + 1
    assert all(t.status == "enforced" for t in result.terms)


def test_a_term_that_never_comes_back_is_reported_failed():
    model = Scripted(lambda text, _: "nothing useful")
    result, other = translate_with_terms([TEXT, "一帯一路。"], GLOSSARY, model)
    assert [t.status for t in other.terms] == ["failed"]
    assert [t.status for t in result.terms] == ["failed", "failed"]
    assert len(model.calls) == len(PLACEHOLDER_FORMS) + 1


def test_partial_success_keeps_the_best_attempt():
    def rule(text: str, _: int) -> str:
        return re.sub(r"ZX2|QZ2|XQ2Z|\[2\]|China-Europe Railway Express", "", text)

    (result,) = translate_with_terms([TEXT], GLOSSARY, Scripted(rule))
    assert [(t.ja, t.status) for t in result.terms] == [("ホルゴス", "enforced"),
                                                        ("中欧班列", "failed")]
    assert "Horgos" in result.english


def test_the_real_engine_is_verified_every_time(installed_model: PackageInfo):
    engine = CTranslate2Translator(installed_model, TranslationConfig())
    assert engine.keeps_intact(first_form(1))  # tried in the engine's own probe sentence
    results = translate_with_terms([TEXT, "一帯一路の会議。", "協力が進む。"], GLOSSARY, engine)
    assert len(results) == 3 and results[2].terms == ()
    for result in results:
        for term in result.terms:
            # Random weights: whatever came back, the report must match the English.
            if term.status == "enforced":
                assert term.en in result.english
            else:
                assert term.status == "failed"
