"""One table of Japanese character classes and line marks (bot.text.chars), and the rules
whose copies of it used to differ."""

from __future__ import annotations

import re

import pytest

from bot.sources.pdf.geometry import Geometry
from bot.sources.pdf.layout import join_lines, join_text
from bot.sources.pdf.lines import Line, Page
from bot.text import chars, wrap
from bot.text.clean import japanese_ratio
from bot.text.prose import Kind, sentence_kind
from bot.text.tokenize import features


@pytest.mark.parametrize("char", list("々〆ヵヶ漢㐂"))
def test_kanji_marks_are_kanji(char: str) -> None:
    assert re.fullmatch(f"[{chars.KANJI}]", char)
    assert chars.is_japanese(char)


def test_kana_holds_the_long_vowel_and_the_middle_dot_but_katakana_letters_do_not() -> None:
    assert chars.is_japanese("ー") and chars.is_japanese("・")
    assert not re.search(f"[{chars.KATAKANA_LETTERS}]", "ー・")
    assert re.fullmatch(f"[{chars.HIRAGANA}]+", "ひらがな")
    assert not chars.has_japanese("ABC 123 。")


def test_iteration_mark_counts_as_japanese_in_a_documents_share() -> None:
    # Before, clean.py's class left 々 out: 人々 was half Japanese.
    assert japanese_ratio("人々") == 1.0


def test_pdf_wrap_after_an_iteration_mark_keeps_the_documents_spacing() -> None:
    # Before, the PDF layout's class left 々 out: `人々` + `Python` were glued in a spaced
    # document, unlike `人` + `Python`.
    assert join_text("人々", "Python を使う", spaced=True) == "人々 Python を使う"
    assert join_text("人", "Python を使う", spaced=True) == "人 Python を使う"
    assert join_text("人々", "Python を使う", spaced=False) == "人々Python を使う"


def test_a_clause_ending_on_an_iteration_mark_and_da_has_its_predicate() -> None:
    # Before, the final form `…だ` took kanji but not 々: this was a heading.
    assert sentence_kind("この町を支えてきたのは名もなき人々だ") is Kind.PROSE


def test_ka_counter_is_one_kanji_run_like_ke() -> None:
    # ヵ and ヶ are the same counter (箇): both join the kanji run.
    assert features("3ヵ月")["ヵ月"] == 1
    assert features("3ヶ月")["ヶ月"] == 1


@pytest.mark.parametrize("line", ["✓ 申込書を送る", "▪ 会場は東京", "➢ 詳細は後日"])
def test_every_list_mark_starts_a_block_in_a_wrapped_text(line: str) -> None:
    # Before, the wrap knew ★ ◎ → but not the check and square marks prose calls list items.
    assert wrap.is_block_start(line)
    assert wrap.marker_width(line) > 0


@pytest.mark.parametrize("line", ["◎会場は東京国際フォーラムです。", "→申し込みは来月からです。"])
def test_a_marked_item_is_a_list_item_not_prose(line: str) -> None:
    # Before, prose knew ● ☆ ★ but not the ◎ and → the wrap already called list marks.
    assert sentence_kind(line) is Kind.LIST


def test_a_pdf_line_starting_with_a_star_is_an_item_of_its_own() -> None:
    # Before, the PDF layout's marks left ★ out: the item was joined to the full line above.
    full = "あ" * 40
    lines = (Line(full, 72, 540, 700, 12, 12), Line("★参加費は無料です。", 72, 300, 686, 12, 12))
    geometry = Geometry(size=12, pitch=14, margins=(72.0,), rights=(540.0,), count=0,
                        spaced=False)
    assert join_lines([Page(612, 792, lines)], [geometry]) == [full, "- 参加費は無料です。"]
    plain = (lines[0], Line("参加費は無料です。", 72, 300, 686, 12, 12))
    assert join_lines([Page(612, 792, plain)], [geometry]) == [full + "参加費は無料です。"]


def test_latin_words_keep_their_space_at_a_wrap_after_a_percent_sign() -> None:
    # Before, the text wrap's Latin edges were fewer than the PDF layout's: `50%` + `of`
    # were glued in a text file and spaced in a PDF.
    assert wrap.join_pieces(["rose by 50%", "of the total"]) == "rose by 50% of the total"
    assert join_text("rose by 50%", "of the total") == "rose by 50% of the total"
    assert wrap.join_pieces(["日本語の", "文章"]) == "日本語の文章"


def test_kinsoku_sets_share_their_core() -> None:
    assert set(chars.NO_LINE_START) <= wrap._NO_START
    assert wrap.kinsoku_join("本文の", "々の")
    assert wrap.kinsoku_join("「", "本文")
