"""Prose or furniture: one case or more for each kind a sentence can be, written for these tests
in the forms real documents take (news pages, reader tools, colophons, manuals, tables); and
key sentences chosen from prose only, the rest of a text weighing in as context."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest

from bot.core.model import Document
from bot.glossary import Glossary
from bot.publish.render import render_telegram
from bot.run.digest import build_digest
from bot.run.pipeline import analyze_text, translate_document
from bot.text.prose import Kind, is_prose, opens_section, sentence_kind
from bot.text.sentences import is_prose as is_prose_beside_the_splitter
from bot.text.summarize import Budget, article_shape, choose_summary
from bot.translate.translator import WholeBatches

PROSE = [
    "政府は十日、新しい経済対策を閣議決定した。",
    "詳細は不明だ。",
    "2.6万TEUに達した。",
    "輸出額は前年比12.5%増の948億ドルだった。",
    "投資額は約八十億円。",
    # A dateline in 【】 is not a heading: the sentence after it is the lead.
    "【ワシントン共同】米政府は十日、半導体の輸出規制を強化すると発表した。",
    # Numbers that open a sentence are not list or heading numbers.
    "第2回会合は東京で開かれ、各国の閣僚が出席した。",
    "10.5%の賃上げを求める声が労働組合から上がっている。",
    "2025年6月、アスタナで首脳会議が開かれた。",
    # A lost full stop: the sentence-final form still ends the clause.
    "港湾の取扱量は三年ぶりに前年を上回りました",
    "「日本は重要なパートナーだ」",
    # An address inside a sentence does not make it an address line.
    "申し込みはメール(seminar@example.jp)で受け付けています。",
    "詳しくは事務局(電話03-1234-5678)にお問い合わせください。",
    # A colon inside prose, and a short label before a real sentence.
    "背景:各国政府は再生可能エネルギーの導入目標を引き上げた。",
    "専門家は次のように話した:「需要は当面伸び続けるだろう」。",
    "Linux カーネルは 1991 年に公開されました。",
    "第2章では、送電網の整備状況を国別に比べる。",
    "ようこそ、港湾物流の勉強会へ!",
    "全角の数字でも同じ:１２３万人が参加した。",
    "HP は新しいパソコンを発表した。",
    "4.0 と 5.0 はアイデアは継承していても、起源は別です。",
]


@pytest.mark.parametrize("sentence", PROSE)
def test_prose(sentence: str) -> None:
    assert sentence_kind(sentence) is Kind.PROSE
    assert is_prose(sentence) and is_prose_beside_the_splitter(sentence)


NOT_PROSE = [
    # Reader tools and page instructions (NEWS WEB EASY and the like).
    ("ことばの色を消す", Kind.UI),
    ("NEWS WEBでよむ", Kind.UI),
    ("※下に線があることばは、クリックすると意味が出ます。", Kind.UI),
    ("音声をきく", Kind.UI),
    ("詳しい説明は、画面右上のボタンを押してください。", Kind.UI),
    ("続きを読む", Kind.UI),
    # Colophons and credits.
    ("入力:山田花子 校正:佐藤一郎", Kind.CREDIT),
    ("入力：山田花子校正：佐藤一郎", Kind.CREDIT),
    ("底本:「港の四季」かけはし書房、1998年", Kind.CREDIT),
    ("発行:株式会社かけはし出版", Kind.CREDIT),
    ("編集・発行:架け橋通信編集部", Kind.CREDIT),
    ("Copyright © 2025 Kakehashi News. All rights reserved.", Kind.CREDIT),
    ("無断転載を禁じます。", Kind.CREDIT),
    # A byline or news agency standing alone after the story.
    ("(共同)", Kind.CREDIT),
    ("(ワシントン=山田太郎)", Kind.CREDIT),
    ("【速報】", Kind.CREDIT),
    # Label:value lines (an event notice's details).
    ("日時:10月5日(土)14時から", Kind.CREDIT),
    ("会場:市民会館3階の大会議室", Kind.CREDIT),
    # Addresses: phone, URL, e-mail.
    ("電話:03-1234-5678", Kind.CONTACT),
    ("TEL 06-6123-4567(平日9時~17時)", Kind.CONTACT),
    ("お問い合わせ:info@example.jp", Kind.CONTACT),
    ("https://example.jp/news/2025/0610.html", Kind.CONTACT),
    ("メール info@example.jp / 電話 0120-123-456", Kind.CONTACT),
    # Table of contents.
    ("第1章 概要 …… 3", Kind.TOC),
    ("はじめに...........1", Kind.TOC),
    ("第2節 輸出の動向  15", Kind.TOC),
    # Table cells and rows.
    ("サイ", Kind.TABLE),
    ("ズ", Kind.TABLE),
    ("| 品目 | 数量 | 単価 |", Kind.TABLE),
    ("自動車部品\t1,200\t3.5%", Kind.TABLE),
    ("12.5%", Kind.TABLE),
    ("2024年11月6日", Kind.TABLE),
    # Code and shell lines.
    ("$ cd ~/gentoo", Kind.CODE),
    ("# emerge --sync", Kind.CODE),
    ("sudo apt-get install locales", Kind.CODE),
    ("for (i = 0; i < n; i++) {", Kind.CODE),
    # Captions.
    ("写真:記者会見する北辰電機の社長", Kind.CAPTION),
    ("図1 コンテナ取扱量の推移", Kind.CAPTION),
    ("表2-1:国別の輸出額", Kind.CAPTION),
    ("【写真】新しいターミナルの全景", Kind.CAPTION),
    ("▲開業を祝う地元の人たち", Kind.CAPTION),
    ("(写真提供:アクタウ港湾公社)", Kind.CAPTION),
    # Headings: Markdown, numbered, FAQ questions with a number, short lines without a
    # predicate.
    ("# 序章 デジタル化の歩み", Kind.HEADING),
    ("1.2 Debian とは何ですか?", Kind.HEADING),
    ("1.1. この FAQ は何?", Kind.HEADING),
    ("14.3. 特定用途向けのディストリビューションを作成しています。", Kind.HEADING),
    ("1.2 はじめに", Kind.HEADING),
    ("Q3. パッケージはどこから入手できますか?", Kind.HEADING),
    ("第1章 概要", Kind.HEADING),
    ("第2部:基本データと政策動向", Kind.HEADING),
    ("各国の動向", Kind.HEADING),
    ("まとめ", Kind.HEADING),
    ("■構成", Kind.HEADING),
    ("(2) 今後の課題", Kind.HEADING),
    ("再生可能エネルギー協力:風力・水力・太陽光がけん引", Kind.HEADING),
    # Headings that end in words a page's controls use too.
    ("輸出の拡大", Kind.HEADING),
    ("地域経済の再生", Kind.HEADING),
    ("改革の道を開く", Kind.HEADING),
    # A question standing alone asks; it tells nothing to translate.
    ("Debian とは何ですか?", Kind.QUESTION),
    ("本当に静かになるのか?", Kind.QUESTION),
    # List items, also when an item is a full sentence.
    ("- 項目", Kind.LIST),
    ("- 港湾の荷役を自動化する計画が動き始めた。", Kind.LIST),
    ("・主に平成時代を中心に、情報通信の歩みを振り返る。", Kind.LIST),
    ("● 参加費は無料です。", Kind.LIST),
    ("1. パッケージの一覧を更新します。", Kind.LIST),
    ("(1) 申込書に必要事項を記入してください。", Kind.LIST),
    ("■ 定員は先着30名です。", Kind.LIST),
    # Notes and a letter's formulas.
    ("※数値はいずれも速報値。", Kind.NOTE),
    ("営業企画部の山田です。", Kind.NOTE),
    ("お疲れ様です。", Kind.NOTE),
    ("よろしくお願いいたします。", Kind.NOTE),
    # Too little Japanese to be a sentence.
    ("The port handled 230,000 TEU in the first half.", Kind.FRAGMENT),
    ("OK です。", Kind.FRAGMENT),
    ("This is 日本語 text, mostly in English words here.", Kind.FRAGMENT),
]


@pytest.mark.parametrize(("sentence", "kind"), NOT_PROSE)
def test_furniture_is_never_prose(sentence: str, kind: Kind) -> None:
    assert sentence_kind(sentence) is kind
    assert not is_prose(sentence)


@pytest.mark.parametrize(("sentence", "kind"), [*[(s, Kind.PROSE) for s in PROSE], *NOT_PROSE])
def test_full_width_forms_are_judged_as_the_cleaned_text(sentence: str, kind: Kind) -> None:
    # The cleaning stage applies NFKC; the kind is the same before and after it.
    wide = sentence.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    assert sentence_kind(wide) is sentence_kind(unicodedata.normalize("NFKC", wide)) is kind


def test_only_headings_open_sections() -> None:
    assert [k for k in Kind if opens_section(k)] == [Kind.HEADING]


def test_blank_and_hostile_input() -> None:
    assert sentence_kind("") is Kind.FRAGMENT
    assert sentence_kind("   ") is Kind.FRAGMENT
    assert not is_prose("【】")
    assert sentence_kind("。" * 50_000 + "x") is Kind.FRAGMENT
    long = "港湾の取扱量が増えた、" * 5_000 + "と発表した。"
    assert sentence_kind(long) is Kind.PROSE
    # Long runs that a pattern scanning from every position would take minutes over.
    assert sentence_kind("第1章 " + " " * 50_000 + "x") is Kind.HEADING
    assert sentence_kind("a@" * 25_000) is Kind.FRAGMENT
    assert sentence_kind("0-" * 25_000) is Kind.TABLE
    assert sentence_kind("あ:" * 25_000) is Kind.CREDIT


# --- key sentences ----------------------------------------------------------------------------

# A news page as its text comes out of a reader: tools, a caption, the story, a colophon.
NEWS_PAGE = (
    "ことばの色を消す",
    "NEWS WEBでよむ",
    "※下に線があることばは、クリックすると意味が出ます。",
    "2025年6月10日",
    "北部の港で、コンテナの積み降ろしを自動化する新しい荷役システムが動き始めた。",
    "写真:自動で動くクレーン",
    "港を運営する会社によると、荷役にかかる時間は三割ほど短くなる見込みだ。",
    "荷役システムは夜間も止まらずに動き、港の混雑を減らす。",
    "図1 コンテナ取扱量の推移",
    "港の周りの住民からは、夜間の騒音を心配する声も出ている。",
    "(共同)",
    "入力:山田花子 校正:佐藤一郎",
    "発行:株式会社かけはし出版",
    "電話:03-1234-5678",
)

# A manual: numbered FAQ headings (questions), answers, a list, a command and its contents.
MANUAL = (
    "第1章 概要 …… 3",
    "1.1 この文書は何ですか?",
    "本書は、港湾物流システムの導入と運用についてよく聞かれる疑問を集めたものです。",
    "1.2 どのような利用者を想定していますか?",
    "港湾の運営会社と物流会社の担当者を主な読者として想定しています。",
    "- 運営会社の情報システム担当者",
    "- 物流会社の現場責任者",
    "1.3 最新版はどこで入手できますか?",
    "$ git clone https://example.jp/port-manual.git",
    "最新版は毎月更新され、利用者向けのサイトで公開されます。",
)


@pytest.mark.parametrize("genre", [NEWS_PAGE, MANUAL], ids=["news page", "manual"])
@pytest.mark.parametrize("budget", [Budget(n, c) for n in (1, 2, 3, 5) for c in (60, 500)],
                         ids=str)
def test_only_prose_is_ever_chosen(genre: tuple[str, ...], budget: Budget) -> None:
    summary = choose_summary(genre, budget, "港湾の新しい荷役システム")
    assert summary and all(is_prose(genre[i]) for i in summary), [genre[i] for i in summary]


def test_furniture_does_not_hide_the_lead_of_a_news_item() -> None:
    shape = article_shape(NEWS_PAGE, 3)
    # A caption or a colophon is no section heading: the page is still one news item.
    assert shape.news
    lead = NEWS_PAGE.index("北部の港で、コンテナの積み降ろしを自動化する新しい荷役システムが"
                           "動き始めた。")
    assert shape.candidates[0] == lead
    for n in (1, 2, 3):
        assert choose_summary(NEWS_PAGE, Budget(n, 500), "港の新システム")[0] == lead


def test_a_manual_is_summarised_from_its_answers() -> None:
    summary = choose_summary(MANUAL, Budget(3, 500), "港湾物流システムの手引き")
    assert [MANUAL[i] for i in summary] == [MANUAL[2], MANUAL[4], MANUAL[9]]


def test_context_that_is_not_prose_still_weighs_in_the_ranking() -> None:
    prose = ("北辰電機は新型蓄電池の量産を来年から始めると発表した。",
             "蓄電池市場では価格競争が激しくなっている。",
             "新工場では部材の内製化も進める計画だ。",
             "部材の調達では海外企業との提携も検討している。")
    context = ("- 部材の内製化で調達費を抑える", "- 内製化する部材は電極と外装",
               "- 新工場の部材の調達先")
    assert choose_summary(prose, Budget(2, 500), "") == (0, 1)
    # The list says what the article is about: the sentence it echoes is chosen instead.
    assert choose_summary(prose + context, Budget(2, 500), "") == (0, 2)


def test_an_article_without_prose_is_published_as_its_title() -> None:
    furniture = ("サイ", "ズ", "- 項目", "写真:港の全景", "電話:03-1234-5678", "第1章 概要")
    assert choose_summary(furniture, Budget(), "港の案内") == ()
    text = "港湾施設の案内図\n\n" + "\n\n".join(furniture)
    (analysis,) = analyze_text(text, Glossary(), Budget())
    assert analysis.summary == ()
    (entry,) = translate_document(Document("map.txt", "h", text), [analysis], Echo(),
                                  Glossary(), datetime(2026, 1, 1, tzinfo=UTC))
    assert (entry.title_ja, entry.title_en, entry.pairs) == (
        "港湾施設の案内図", "港湾施設の案内図", ())
    digest = build_digest(1, [entry], datetime(2026, 1, 1, tzinfo=UTC))
    (message,) = render_telegram(digest)
    assert "港湾施設の案内図" in message and "サイ" not in message


class Echo(WholeBatches):
    """A translator that gives its input back: what is sent is what is shown."""

    identity = "echo"

    def translate(self, sentences: list[str]) -> list[str]:
        return list(sentences)
