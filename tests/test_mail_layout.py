"""Mail magazines in a text file: hanging indents, lone full stops, sections, rules, footers."""

from __future__ import annotations

from bot.glossary import Glossary
from bot.run.pipeline import analyze_text
from bot.text.articles import split_articles
from bot.text.artifacts import ARTICLE_BREAK
from bot.text.clean import clean_text
from bot.text.sentences import split_sentences

RULE = "━" * 35
THIN = "─" * 35


def sentences_of(text: str) -> list[str]:
    return [s for line in clean_text(text) for s in split_sentences(line)]


def test_a_hanging_indent_goes_on_with_its_item():
    text = ("■お知らせ\n"
            "・来月の説明会は、会場の都合により\n"
            "　午後の一回だけになりました。\n"
            "・申し込みは先着順です。定員になり次第\n"
            "　締め切ります。\n"
            "1. 資料は当日、受付でお渡しします。\n"
            "   事前の送付はありません。\n")
    assert clean_text(text) == [
        "■お知らせ",
        "・来月の説明会は、会場の都合により午後の一回だけになりました。",
        "・申し込みは先着順です。定員になり次第締め切ります。",
        "1. 資料は当日、受付でお渡しします。事前の送付はありません。"]


def test_a_paragraph_under_a_marked_heading_is_not_its_continuation():
    # Indented like a hanging indent, but wider than the heading above: a paragraph.
    text = "■港の話題\n　北の港で、荷物の積み降ろしを自動にする新しい仕組みが動き始めました。\n"
    assert clean_text(text) == [
        "■港の話題", "北の港で、荷物の積み降ろしを自動にする新しい仕組みが動き始めました。"]


def test_a_full_stop_alone_on_a_line_ends_the_sentence_above():
    text = ("本日の会合では、来年度の予算案について長い時間をかけて話し合いが行われました\n"
            "。\n"
            "結論は次回に持ち越しとなりました。\n")
    assert sentences_of(text) == [
        "本日の会合では、来年度の予算案について長い時間をかけて話し合いが行われました。",
        "結論は次回に持ち越しとなりました。"]


def test_rules_and_the_labelled_footer_are_not_text():
    text = (f"{RULE}\n　架け橋だより　第5号\n{RULE}\n\n"
            "今月は、新しい窓口の開設についてお知らせします。\n\n"
            f"{RULE}\n発行：架け橋だより編集室\n"
            "お問い合わせ：info@example.jp\n"
            "配信停止はこちら：https://example.jp/stop\n"
            "このメールは送信専用です。ご返信いただいてもお答えできません。\n"
            "Copyright (C) 2026 Example. All Rights Reserved.\n"
            f"{RULE}\n")
    assert clean_text(text) == ["架け橋だより 第5号",
                                "今月は、新しい窓口の開設についてお知らせします。"]


def test_a_last_block_without_footer_labels_stays():
    text = (f"本文の一文目です。\n{RULE}\n"
            "編集部より：来週は休刊します。ご了承ください。\n"
            "次号は再来週に配信する予定です。\n")
    assert clean_text(text)[1:] == ["編集部より:来週は休刊します。ご了承ください。",
                                    "次号は再来週に配信する予定です。"]


def test_a_line_starting_with_an_imprint_word_but_no_label_is_text():
    assert clean_text("編集部で検討を始めています。\n電話での受付は終了しました。\n") == [
        "編集部で検討を始めています。", "電話での受付は終了しました。"]


def test_newsletter_sections_start_articles():
    text = ("【1】バスの路線が変わります\n"
            "市内の路線バスの一部が、春から新しい経路になります。\n\n"
            "【2】図書館の分館が開館\n"
            "川沿いの公園の隣に、図書館の分館が開館しました。\n\n"
            "【編集後記】\n"
            "寒い日が続きますが、お体にお気をつけください。\n")
    titles = [a.article.title for a in analyze_text(text, Glossary(), 3)]
    assert titles == ["バスの路線が変わります", "図書館の分館が開館", "【編集後記】"]


def test_a_lead_in_in_brackets_does_not_start_an_article():
    lines = ["米国の新しい関税",
             "【ワシントン共同】米政府は、輸入品の一部に新しい関税を課すと発表した。",
             "【解説】関税の引き上げは、国内の物価にも影響するとみられる。"]
    (article,) = split_articles(lines)
    assert article.title == "米国の新しい関税" and len(article.paragraphs) == 2


def test_one_section_head_alone_does_not_split_a_document():
    lines = ["はじめの段落です。", "【お知らせ】", "次の段落です。"]
    assert len(split_articles(lines)) == 1


def test_heads_between_rules_start_articles():
    text = (f"{RULE}\n◆港のニュース\n{RULE}\n"
            "北の港で新しい荷役の仕組みが動き始めました。\n\n"
            f"{THIN}\n◆催しのご案内\n{THIN}\n"
            "十二月に子ども向けの科学教室を開きます。\n")
    titles = [a.title for a in split_articles(clean_text(text))]
    assert titles == ["◆港のニュース", "◆催しのご案内"]


def test_a_footer_without_a_rule_or_under_a_last_section_goes():
    text = ("【編集後記】\n"
            "寒い日が続きますが、お体にお気をつけください。\n"
            "次号は来月に配信する予定です。\n\n"
            "お問い合わせ：info@example.jp\n"
            "配信停止はこちら\n"
            "https://example.jp/stop\n")
    assert clean_text(text) == ["【編集後記】", "寒い日が続きますが、お体にお気をつけください。",
                                "次号は来月に配信する予定です。"]


def test_one_labelled_line_at_the_end_is_text():
    text = "本文の一文です。\nお問い合わせは、窓口までお気軽にどうぞ。\n"
    assert clean_text(text)[-1] == "お問い合わせは、窓口までお気軽にどうぞ。"


def filled(*lines: str) -> str:
    """`lines`, then a paragraph of distinct lines as wide as the first: a width to fit."""
    chars = len(lines[0])
    filler = [(kanji + "この段落の行はどれも同じ幅で折り返されていて意味はない" * 3)[:chars]
              for kanji in "一二三四五六"]
    return "\n".join([*lines, "", *filler, "終わり。"])


def test_the_next_list_item_after_a_full_line_ending_in_katakana_is_an_item():
    lines = clean_text(filled("・日本語の文章を英語に要約する、パッケージを管理する uv コマンド",
                              "・インターネットに接続できる環境"))
    assert lines[:2] == ["・日本語の文章を英語に要約する、パッケージを管理する uv コマンド",
                         "・インターネットに接続できる環境"]


def test_a_middle_dot_first_under_a_full_hanging_line_goes_on():
    lines = clean_text(filled("・主に平成の時代を中心に、技術や産業がどのように進化",
                              "　・変化したのかを振り返る。"))
    assert lines[0] == ("・主に平成の時代を中心に、技術や産業がどのように進化"
                        "・変化したのかを振り返る。")


def test_a_colon_alone_on_a_line_ends_the_line_above():
    assert clean_text("次のように入力すると、手元に複製を作成できます\n:\n") == [
        "次のように入力すると、手元に複製を作成できます:"]


def test_thirty_sections_make_thirty_articles():
    boxed = "".join(f"{RULE}\n■第{n}の話題\n{RULE}\n第{n}の話題の本文は、ここにあります。\n\n"
                    for n in range(1, 31))
    labelled = "".join(f"【{n}】第{n}の話題\n第{n}の話題の本文は、ここにあります。\n\n"
                       for n in range(1, 31))
    for text in (boxed, labelled):
        titles = [a.article.title for a in analyze_text(text, Glossary(), 3)]
        assert len(titles) == 30 and titles[-1].endswith("第30の話題")


def test_heads_drawn_into_rules_start_articles():
    text = ("いつもお読みいただきありがとうございます。\n\n"
            "━━━━ ■港のニュース ━━━━\n北の港で新しい荷役の仕組みが動き始めました。\n\n"
            "■■■ 催しのご案内 ■■■\n十二月に子ども向けの科学教室を開きます。\n")
    titles = [a.title for a in split_articles(clean_text(text))]
    assert titles[1:] == ["■港のニュース", "催しのご案内"]


def test_a_table_row_between_rules_is_not_a_section_head():
    text = "価格表は次のとおりです。\n----------\n品目  数量\n----------\n"
    assert ARTICLE_BREAK not in clean_text(text)


def test_a_phone_line_without_a_colon_is_imprint_but_a_sentence_about_phones_is_text():
    assert clean_text("本文です。\nTEL 03-1234-5678\n電話での受付は終了しました。\n") == [
        "本文です。", "電話での受付は終了しました。"]
