"""Plain-text layout a mailed document draws by hand: addresses on lines of their own, cut
lines, a title set apart below the cut, a colophon, box tables and diagrams; and emoji, which
are text, not an extractor's garbage."""

from __future__ import annotations

from bot.glossary import Glossary
from bot.run.pipeline import analyze_text
from bot.text.articles import split_articles
from bot.text.artifacts import is_garbage
from bot.text.clean import clean_text
from bot.text.front import is_copyright
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


def test_a_line_the_wrap_starts_with_an_address_goes_on_with_its_sentence():
    # Wrapped at 40 columns: the address is part of the sentence, not a line of its own.
    text = ("番組の内容は、番組のウェブサイト（\n"
            "https://example.jp/show?id=7）で公開して\n"
            "います。\n")
    assert text_lines(text) == [
        "番組の内容は、番組のウェブサイト(https://example.jp/show?id=7)で公開しています。"]


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


# A title set apart below a cut line heads the document; its colophon is furniture.

NOTE_AND_TITLE = (
    "この文書は下書きです。ご意見をお寄せください。\n"
    "＃誤字があればお知らせください\n\n"
    "-------->8-------->8-------->8\n\n"
    "\t春の読書週間のお知らせ\n"
    "\thttp://www.example.jp/books/\n\n"
    "\t\tCopyright (C) 2024 Example Library\n"
    "\t\t改変しない限り再配布は自由です\n\n"
    "今年の読書週間は四月二十三日から始まります。\n"
    "期間中は貸出冊数を十冊まで増やします。\n")


def test_a_title_set_apart_below_the_cut_heads_the_document():
    (article,) = split_articles(clean_text(NOTE_AND_TITLE))
    assert article.title == "春の読書週間のお知らせ"
    # The covering note stays, as the document's first text.
    assert article.paragraphs[0] == "この文書は下書きです。ご意見をお寄せください。"
    assert "http://www.example.jp/books/" in article.paragraphs


def test_a_colophon_under_the_title_is_no_text():
    lines = text_lines(NOTE_AND_TITLE)
    assert not any("Copyright" in line or "再配布" in line for line in lines)


def test_an_indented_line_after_a_rule_without_an_address_under_it_is_no_title():
    text = ("前置きの一文です。\n\n-----8<-----\n\n\t会場の変更について\n\n"
            "会場は二階の大会議室に変わりました。\n")
    (article,) = split_articles(clean_text(text))
    assert article.title != "会場の変更について"
    assert article.paragraphs[0] == "前置きの一文です。"


def test_copyright_notices_and_licence_lines_are_colophon():
    for line in ("Copyright (C) 2019 山田花子", "(c) 2020 Example Inc.", "© 2021 港町新聞社",
                 "copyright 2018 Example"):
        assert is_copyright(line), line
    assert not is_copyright("(c) 三つ目の項目")
    text = ("本文の一文目です。\n\n"
            "(c) 2020 Example Inc.\n無断転載を禁じます\n\n"
            "© 2021 港町新聞社\n複製は自由です\n")
    assert text_lines(text) == ["本文の一文目です。"]


def test_a_sentence_about_redistribution_is_text():
    text = ("この資料の再配布は自由です。\n\n改変しない限り配布できます\n\n"
            "(a) 一つ目の項目\n(c) 三つ目の項目\n")
    assert text_lines(text) == ["この資料の再配布は自由です。", "改変しない限り配布できます",
                                "(a) 一つ目の項目", "(c) 三つ目の項目"]


# Box tables and diagrams are no prose.

def test_an_ascii_box_table_is_not_prose():
    text = ("料金は表のとおりです。\n\n"
            "+--------+--------------------------+\n"
            "|項目    |説明。ここは長い説明で折り |\n"
            "|        |返されています。           |\n"
            "+--------+--------------------------+\n"
            "|料金    |無料です。                 |\n"
            "+--------+--------------------------+\n"
            "以上です。\n")
    assert text_lines(text) == ["料金は表のとおりです。", "以上です。"]


def test_a_box_drawn_with_box_drawing_characters_is_not_prose():
    text = ("日程は次のとおりです。\n"
            "┌────┬──────┐\n"
            "│日付│内容　　　│\n"
            "├────┼──────┤\n"
            "│五日│説明会です│\n"
            "└────┴──────┘\n"
            "ご参加ください。\n")
    assert text_lines(text) == ["日程は次のとおりです。", "ご参加ください。"]


def test_a_diagram_is_not_prose():
    text = ("手続きの流れは次のとおりです。\n\n"
            "    受付 ------> 審査 ------> 発送\n"
            "                  ↑↓確認\n"
            "    窓口     |      |\n"
            "          申請書   証明書\n\n"
            "審査には一週間ほどかかります。\n")
    assert text_lines(text) == ["手続きの流れは次のとおりです。", "審査には一週間ほどかかります。"]


def test_arrows_in_a_sentence_and_bars_in_a_row_of_words_are_text():
    text = ("東京→大阪の便は明日も運休です。\n\n"
            "| 品名 | 価格 |\n\n"
            "名古屋 ⇒ 岐阜\n各駅に停まります。\n")
    lines = text_lines(text)
    assert "東京→大阪の便は明日も運休です。" in lines
    assert "| 品名 | 価格 |" in lines


# Display lines set apart inside a paragraph stay lines of their own.

def test_indented_questions_inside_a_paragraph_stay_apart():
    text = ("来月の会の準備を始めました。\n\n"
            "まず考えたいことは会の進め方です。例えば\n\n"
            "   次の会はどこで開くか？\n"
            "   誰に声をかけるか？\n\n"
            "についての意見を募集しています。\n")
    analysis = analyze_text(text, Glossary(), 3)
    sentences = [s for a in analysis for s in a.sentences]
    assert sentences[1:] == ["まず考えたいことは会の進め方です。", "例えば",
                             "次の会はどこで開くか?", "誰に声をかけるか?",
                             "についての意見を募集しています。"]


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
