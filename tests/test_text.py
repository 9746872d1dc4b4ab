"""Pure text stages: cleaning, articles, sentences, summary, numbers, glossary."""

from __future__ import annotations

from decimal import Decimal

from bot.core.model import Article
from bot.glossary import Glossary
from bot.text.articles import split_articles
from bot.text.clean import clean_text
from bot.text.numbers import check_numbers, japanese_numbers
from bot.text.sentences import split_sentences
from bot.text.summarize import Budget, choose_summary


def make_article(title: str, *paragraphs: str) -> Article:
    return Article(title=title, paragraphs=paragraphs)


def test_wrapped_lines_are_rejoined_without_spaces():
    wrapped = [
        " 【中国】見出し ",
        " ",
        " 二〇一三年秋、国家主席は古代のシルクロードを念頭に置いて、現代の経済ベルトと ",
        " ",
        "海のシルクロードを関係する地域の各国で協力して建設する構想を打ち上げたのである。 ",
        " ",
        " ",
        " これに対して各国の反応はさまざまで、歓迎する国もあれば慎重な姿勢を示す国もあり、 ",
        "評価は分かれている。 ",
        " - 3 - ",
        " 続く段落はここから始まり、その内容についてはまた別の機会に詳しく検討する必要がある。",
    ]
    lines = clean_text("\n".join(wrapped))
    assert lines[0] == "【中国】見出し"
    assert lines[1].startswith("二〇一三年秋") and lines[1].endswith("打ち上げたのである。")
    assert "経済ベルトと海のシルクロード" in lines[1]
    assert lines[2].endswith("評価は分かれている。")
    assert "3" not in "".join(lines[3:]) and len(lines) == 4


def test_short_lines_are_not_joined():
    text = "見出しの行\n本文の一文目です。\n二つ目の段落です。\n- 箇条書き\n- もう一つ\n"
    assert clean_text(text) == ["見出しの行", "本文の一文目です。", "二つ目の段落です。",
                                "- 箇条書き", "- もう一つ"]


def test_sentences_never_split_inside_quotes():
    text = "彼は「今日は晴れ。明日は雨！」と言った。次の文です？最後(注。補足)の文。"
    assert split_sentences(text) == ["彼は「今日は晴れ。明日は雨！」と言った。", "次の文です？",
                                     "最後(注。補足)の文。"]


def test_unmatched_quote_does_not_swallow_sentences():
    text = "「「債務の罠」に陥った。中国側にも問題がある。"
    assert split_sentences(text) == ["「「債務の罠」に陥った。", "中国側にも問題がある。"]


def test_reference_footer_ends_an_article_and_becomes_its_source():
    lines = ["一つ目の見出し", "本文です。", "Reference(s):", "An English title", "example.com",
             "二つ目の見出し", "二つ目の本文です。"]
    first, second = split_articles(lines)
    assert first.title == "一つ目の見出し" and first.paragraphs == ("本文です。",)
    assert first.source.original_title == "An English title"
    assert first.source.site == "example.com"
    assert second.title == "二つ目の見出し" and second.source.site == ""


def test_newsletter_headers_start_articles():
    lines = ["【中国】第一の記事", "本文一。", "【中央アジア】第二の記事", "本文二。"]
    titles = [a.title for a in split_articles(lines)]
    # The 【region】 label is a section of the newsletter, not part of the headline.
    assert titles == ["第一の記事", "第二の記事"]


def test_article_without_headline_gets_a_derived_title():
    (article,) = split_articles(["見出しのない記事の最初の文はこれです。次の文。"])
    assert article.title == "見出しのない記事の最初の文はこれです"


def test_summary_forces_the_lead_and_skips_headings():
    sentences = ("見出し", "リードの文。", "- 箇条", "二つ目の文。", "三つ目の文。", "四つ目。")
    assert choose_summary(sentences, Budget(3))[0] == 1
    assert not {0, 2} & set(choose_summary(sentences, Budget(3)))
    assert choose_summary((), Budget(3)) == ()


def test_japanese_numbers_use_oku_and_man():
    values = dict(japanese_numbers("948億ドル、2.6万TEU、1億元(約1394万ドル)、16,562列車"))
    assert values["948億"] == Decimal("94800000000")
    assert values["2.6万"] == Decimal("26000")
    assert values["1394万"] == Decimal("13940000")
    assert values["16,562"] == Decimal("16562")


def test_number_check_accepts_correct_and_flags_wrong_renderings():
    ja = "貿易額は948億ドル、輸送量は2.6万TEUだった。"
    assert check_numbers(ja, "Trade reached $94.8 billion and volume 26,000 TEU.") == []
    warnings = check_numbers(ja, "Trade reached $948 billion and volume 2.6 TEU.")
    assert len(warnings) == 2 and "948億" in warnings[0]


def test_glossary_longest_match_first_after_nfkc():
    glossary = Glossary.from_pairs([("一帯一路", "Belt and Road"),
                                    ("一帯一路構想", "Belt and Road Initiative"),
                                    ("ホルゴス", "Khorgos"), ("TEU", "TEU")])
    terms = glossary.find_terms("一帯一路構想とﾎﾙｺﾞｽ、一帯一路。２万ＴＥＵ")
    assert [(t.ja, t.en) for t in terms] == [
        ("一帯一路構想", "Belt and Road Initiative"), ("ホルゴス", "Khorgos"),
        ("一帯一路", "Belt and Road"), ("TEU", "TEU")]
