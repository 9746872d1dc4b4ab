"""Plain-text layout a mailed document draws by hand: addresses on lines of their own, cut
lines, a title set apart below the cut, a colophon, box tables and diagrams; and emoji, which
are text, not an extractor's garbage."""

from __future__ import annotations

from bot.glossary import Glossary
from bot.pipeline import analyze_text
from bot.text.artifacts import is_garbage
from bot.text.clean import clean_text
from bot.text.furniture import is_cut_line, is_rule


def text_lines(text: str) -> list[str]:
    return [line for line in clean_text(text) if line.strip() and line not in ("\f", "\v")]


# A line that is only an address stays its own line.

def test_an_address_under_a_heading_is_not_glued_to_it():
    text = ("○ 新しい図書館の案内\n"
            "http://www.example.jp/library/guide.html\n\n"
            "開館時間は午前九時から午後八時までです。\n")
    assert text_lines(text) == ["○ 新しい図書館の案内", "http://www.example.jp/library/guide.html",
                                "開館時間は午前九時から午後八時までです。"]


def test_an_address_inside_a_wrapped_paragraph_stays_apart_from_the_words_around_it():
    text = ("申込書の様式は次の場所\n\n"
            "\tftp://ftp.example.jp/pub/forms/\n\n"
            "にあります。記入したものは窓口までお持ちください。\n")
    assert text_lines(text) == ["申込書の様式は次の場所", "ftp://ftp.example.jp/pub/forms/",
                                "にあります。記入したものは窓口までお持ちください。"]


def test_two_addresses_one_under_the_other_are_two_addresses():
    text = "資料はこちらです。\nhttps://example.jp/docs/\nhttps://example.jp/faq\n"
    assert text_lines(text) == ["資料はこちらです。", "https://example.jp/docs/",
                                "https://example.jp/faq"]


# A cut line is a rule.

def test_scissors_lines_are_rules():
    for line in ("--------->8--------->8---------", "-----8<-----", "✂", "✂ - - - - - - -",
                 "--- 切り取り線 ---", "――――キリトリ――――"):
        assert is_cut_line(line) and is_rule(line), line
    for line in ("値が>8のとき", "8<9 は正しい", "切り取り線に沿って切ってください。"):
        assert not is_cut_line(line), line


def test_a_cut_line_ends_a_paragraph_and_is_no_text():
    text = "ここまでが前置きで\n-----8<-----\nここからが本文です。\n✂\n以上です。\n"
    assert text_lines(text) == ["ここまでが前置きで", "ここからが本文です。", "以上です。"]


# Display lines set apart inside a paragraph stay lines of their own.

def test_indented_questions_inside_a_paragraph_stay_apart():
    text = ("来月の会の準備を始めました。\n\n"
            "まず考えたいことは会の進め方です。例えば\n\n"
            "   次の会はどこで開くか？\n"
            "   誰に声をかけるか？\n\n"
            "についての意見を募集しています。\n")
    analysis = analyze_text(text, Glossary(), 3)
    sentences = [s for a in analysis for s in a.sentences]
    assert sentences[1:] == ["まず考えたいことは会の進め方です。", "例えば", "次の会はどこで開くか?",
                         "誰に声をかけるか?", "についての意見を募集しています。"]


# Emoji are text.

def test_a_sentence_full_of_emoji_is_kept():
    sentence = "今日は町のお祭りです" + "🎉" * 30 + "。"
    assert not is_garbage(sentence)
    assert not is_garbage("応援しています👍🏽❤️‍🔥✨" * 3)
    analysis = analyze_text(f"{sentence}\n皆さんお越しください。\n", Glossary(), 3)
    assert sentence in [s for a in analysis for s in a.sentences]


def test_glyphs_of_other_scripts_and_private_use_are_still_garbage():
    assert is_garbage("˲ЦЕЗЭ˳˲ ḕἷὊↄ˳ϵЀῬỘ ФкЅϴϼЕ")
    assert is_garbage("\ue000\ue013\ue021\ue044 \ue051\ue0a0")
    assert is_garbage("Ã¤Â¸Â­Ã¦â€“â€¡")  # UTF-8 read as Latin-1
