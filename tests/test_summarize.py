"""Key sentences chosen by content: lead kept for news, whole body for reports, back-references
kept with what they point at, headings never chosen, order kept, no repeats, within budget."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import DigestConfig, load_config
from bot.core.errors import ConfigError
from bot.core.model import Document
from bot.glossary import Glossary
from bot.run.pipeline import analyze_text, translate_document
from bot.text.prose import is_prose
from bot.text.summarize import Budget, article_shape, choose_summary, opens_with_reference
from bot.translate.translator import WholeBatches

ROOT = Path(__file__).resolve().parents[1]

# A wire item: the lead shares few words with the rest, which repeat each other's words, so
# a ranking by content alone would pass it over.
NEWS = (
    "札幌市の港湾会社が、来春に新しい施設を開くと十日に発表した。",
    "冷凍物流の需要は全国で拡大しており、冷凍倉庫の不足が物流業界の課題となっている。",
    "物流業界の団体によると、冷凍倉庫の需要は十年で二倍に拡大した。",
    "冷凍倉庫の建設費は上昇しており、物流業界では冷凍物流の効率化が課題となっている。",
    "専門家は、冷凍物流の需要拡大が今後も続くと指摘する。",
    "投資額は約八十億円。",
)

# A report in sections, closing with a まとめ.
REPORT = (
    "背景",
    "東南アジア諸国では電力需要が年々増加している。",
    "各国政府は再生可能エネルギーの導入目標を相次いで引き上げた。",
    "しかし送電網の整備は需要の伸びに追いついていない。",
    "国境を越える送電線の構想は二十年以上前から議論されてきた。",
    "地域の電力市場を統合する構想には多くの障壁がある。",
    "太陽光発電の設備費は過去十年で大きく下がった。",
    "各国の動向",
    "タイは近隣国から水力発電の電力を輸入している。",
    "ラオスは水力発電所を増設し、電力輸出を外貨獲得の柱としている。",
    "その背景には、山がちな国土と豊富な河川がある。",
    "ベトナムは洋上風力発電の入札制度を整えつつある。",
    "マレーシアはシンガポールへの再生可能エネルギー電力の輸出を認めた。",
    "インドネシアは石炭火力発電所の早期退役に向けた資金を募っている。",
    "- タイ：水力電力の輸入",
    "- ラオス：電力輸出",
    "課題",
    "送電線の建設には巨額の資金と長い工期が必要である。",
    "電力の取引価格をめぐる各国の利害は一致していない。",
    "系統運用の規則も国ごとに異なり、調整には時間がかかる。",
    "気候変動対策の資金を送電網に振り向ける国際的な枠組みが求められている。",
    "まとめ",
    "結局のところ、連系の拡大こそが域内の脱炭素を進める最も確かな道筋である。",
    "日本は技術と資金の両面で、この取り組みを支援できる。",
)

# A long piece without headings whose opening paragraphs repeat each other's words: the
# most central sentences all sit in its first third.
PLAIN_REPORT = (
    *(f"中欧班列の貨物列車は{place}を経由し、中欧班列の運行本数は増加している。"
      for place in ("ホルゴス", "アラシャンコウ", "エレンホト", "満洲里", "二連浩特",
                    "綏芬河", "ザミンウデ", "ドストゥク")),
    "カスピ海を渡る航路では、港湾の積み替え能力が不足している。",
    "アゼルバイジャンは港の拡張工事を進めている。",
    "ジョージアの黒海側でも新しい埠頭が計画されている。",
    "トルコは海峡の混雑を避ける陸路に関心を示す。",
    "保険料の上昇が荷主の負担を重くしている。",
    "通関書類の電子化は各国で進み方が異なる。",
    "冬季の結氷は航路の運航日数を減らす。",
    "欧州の荷主は輸送日数の安定を最も重視する。",
    "運賃の水準は海上輸送との競争で決まる。",
    "物流企業は複数の経路を組み合わせる方針を示した。",
    "各国政府の協調が、回廊全体の競争力を左右する。",
    "鉄道と航路の接続を改善できれば、輸送日数は半分に縮む可能性がある。",
    "その実現には、港湾と鉄道の運営会社の連携が欠かせない。",
    "地域の経済統合にとって、この回廊の整備は長期的な意味を持つ。",
)

# A newsletter item whose sentences lean on the one before them.
NEWSLETTER = (
    "蓄電池メーカーの北辰電機は、新型蓄電池の量産を来年から始めると発表した。",
    "同社によると、この蓄電池は従来品より寿命が二倍長い。",
    "これにより、再生可能エネルギーの出力変動を吸収しやすくなるという。",
    "蓄電池市場では価格競争が一段と激しくなっている。",
    "その背景には、各国の補助金政策がある。",
    "北辰電機は量産のため、新工場に約三百億円を投じる。",
    "新工場では蓄電池の部材も内製する計画だ。",
    "部材を内製するのは、調達先の価格変動の影響を抑えるためだ。",
)

GENRES = {"news": NEWS, "report": REPORT, "plain report": PLAIN_REPORT,
          "newsletter": NEWSLETTER}
BUDGETS = [Budget(n, chars) for n in (1, 2, 3, 5) for chars in (40, 90, 200, 500, 2000)]


def chars(sentences: tuple[str, ...], summary: tuple[int, ...]) -> int:
    return sum(len(sentences[i]) for i in summary)


@pytest.mark.parametrize("budget", BUDGETS, ids=str)
def test_news_keeps_its_lead(budget: Budget):
    assert article_shape(NEWS, budget.summary_sentences).news
    assert choose_summary(NEWS, budget, "札幌の港に新施設")[0] == 0


def test_a_long_piece_without_headings_is_summarised_from_its_whole_body():
    shape = article_shape(PLAIN_REPORT, 3)
    assert not shape.news
    summary = choose_summary(PLAIN_REPORT, Budget(3, 500), "中欧班列と中央回廊")
    # One sentence from each third: its opening, its development and its end.
    assert sorted(i * 3 // len(PLAIN_REPORT) for i in summary) == [0, 1, 2], summary


def test_report_is_summarised_from_its_body_and_conclusion():
    shape = article_shape(REPORT, 3)
    assert not shape.news
    summary = choose_summary(REPORT, Budget(3, 500), "東南アジアの送電網")
    conclusion = REPORT.index("まとめ")
    assert any(i > conclusion for i in summary), summary
    # Not the preamble alone: the summary reaches past the report's first section.
    assert max(summary) > REPORT.index("各国の動向")


@pytest.mark.parametrize("genre", sorted(GENRES))
@pytest.mark.parametrize("budget", BUDGETS, ids=str)
def test_rules_hold_for_every_budget(genre: str, budget: Budget):
    sentences = GENRES[genre]
    summary = choose_summary(sentences, budget, "")
    assert summary and list(summary) == sorted(set(summary))
    assert all(is_prose(sentences[i]) for i in summary)  # no heading, no list item
    assert len(summary) <= budget.summary_sentences
    # Over the character budget only when one sentence alone exceeds it.
    assert chars(sentences, summary) <= budget.summary_chars or len(summary) == 1
    for i in summary:
        if i > 0 and opens_with_reference(sentences[i]):
            assert i - 1 in summary, (sentences[i], summary)


def test_a_back_reference_is_chosen_with_its_antecedent_or_not_at_all():
    # The sentence that opens with 同社 is the most central of the item; its antecedent
    # is too long for the budget, so neither is taken.
    sentences = (
        "あ" * 10 + "北辰電機は" + "い" * 150 + "と発表した。",
        "同社の新型蓄電池は、蓄電池市場の蓄電池価格を下げ、蓄電池の普及を進める。",
        "蓄電池の価格は下がり続けている。",
        "蓄電池の普及には補助金も役立つ。",
    )
    summary = choose_summary(sentences, Budget(2, 120), "")
    assert 1 not in summary
    assert choose_summary(sentences, Budget(2, 500), "") == (0, 1)


def test_a_back_reference_after_a_heading_is_never_chosen():
    sentences = ("概要", "その結果、蓄電池の蓄電池価格は蓄電池市場で下がった。",
                 "蓄電池の価格は下がった。", "蓄電池市場は拡大した。")
    assert 1 not in choose_summary(sentences, Budget(3, 500), "")


@pytest.mark.parametrize(("sentence", "refers"), [
    ("これらの計画は来年始まる。", True),
    ("この措置により排出量が減る。", True),
    ("その一方で、輸出は伸びた。", True),
    ("同社は声明を出した。", True),
    ("こうした動きは各国に広がる。", True),
    ("そのため、価格が上がった。", True),
    ("それによると、輸出は増えた。", True),
    ("また、同政権は方針を変えた。", True),
    ("需要が急増しているからだ。", True),
    ("これまで日本は支援してきた。", False),
    ("同盟国は協議を続けている。", False),
    ("中国は方針を発表した。", False),
    ("また、輸出も伸びた。", False),
    ("このほど、北辰電機は新工場を完成させた。", False),
    ("この度、新しい制度が始まった。", False),
    ("その他の国々も参加を表明した。", False),
])
def test_back_references_are_recognised(sentence: str, refers: bool):
    assert opens_with_reference(sentence) is refers


def test_near_duplicates_are_not_chosen_twice():
    sentences = (
        "政府は新しい港湾計画を発表した。",
        "港湾計画では貨物ターミナルの拡張と鉄道の延伸が柱となる。",
        "港湾計画では貨物ターミナルの拡張と鉄道の延伸が柱となった。",
        "港湾計画の貨物ターミナル拡張には鉄道会社も参加する。",
        "地元の漁業団体は説明会の開催を求めている。",
    )
    summary = choose_summary(sentences, Budget(3, 500), "港湾計画")
    assert not {1, 2} <= set(summary)
    assert len(summary) == 3


def test_the_title_guides_the_choice_but_is_never_an_index():
    sentences = NEWSLETTER
    summary = choose_summary(sentences, Budget(5, 2000), "北辰電機の新工場")
    assert all(0 <= i < len(sentences) for i in summary)


def test_output_is_the_same_in_every_process():
    # Set iteration order changes with the hash seed: the choice must not.
    code = ("import json, sys; from tests.test_summarize import GENRES, BUDGETS;"
            "from bot.text.summarize import choose_summary;"
            "print(json.dumps({g: [choose_summary(s, b, 'x') for b in BUDGETS]"
            " for g, s in GENRES.items()}))")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              cwd=ROOT, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("0", "1", "4242")}
    assert len(outputs) == 1
    here = {g: [list(choose_summary(s, b, "x")) for b in BUDGETS] for g, s in GENRES.items()}
    assert json.loads(outputs.pop()) == here


def test_generated_articles_of_any_size_stay_within_budget():
    rng = random.Random(7)
    words = ["中国", "鉄道", "港湾", "電力", "輸出", "計画", "同社", "その", "カザフスタン",
             "ABC", "まとめ", "これら", "投資", "市場", "🚆", "ｶﾀｶﾅ", "―"]
    for size in (1, 2, 7, 30, 400):
        sentences = tuple(
            "".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
            + rng.choice(["。", "", "？", "」。"]) for _ in range(size))
        for budget in (Budget(1, 30), Budget(3, 500), Budget(8, 5000)):
            summary = choose_summary(sentences, budget, "題")
            assert summary and list(summary) == sorted(set(summary))
            assert all(0 <= i < size for i in summary)
            assert len(summary) <= budget.summary_sentences
            assert chars(sentences, summary) <= budget.summary_chars or len(summary) == 1


def test_the_budget_defaults_are_the_configs():
    config = DigestConfig()
    assert (config.summary_sentences, config.summary_chars) == (
        Budget().summary_sentences, Budget().summary_chars)


def test_only_headings_or_nothing():
    assert choose_summary((), Budget(), "") == ()
    # No prose: nothing is chosen, the entry stands on its title (see test_prose.py).
    assert choose_summary(("見出し", "- 項目"), Budget(), "") == ()


def test_only_the_title_and_the_chosen_sentences_are_translated():
    class Recording(WholeBatches):
        identity = "recording"

        def __init__(self) -> None:
            self.seen: list[str] = []

        def translate(self, sentences: list[str]) -> list[str]:
            self.seen.extend(sentences)
            return list(sentences)

    text = "\n\n".join(["北辰電機、新型蓄電池を量産", *NEWSLETTER])
    (analysis,) = analyze_text(text, Glossary(), Budget(2, 500))
    translator = Recording()
    translate_document(Document("n.txt", "h", text), [analysis], translator, Glossary(),
                       datetime(2026, 1, 1, tzinfo=UTC))
    chosen = [analysis.sentences[i] for i in analysis.summary]
    assert translator.seen == [analysis.article.title, *chosen]
    assert 1 <= len(chosen) <= 2


def test_the_character_budget_comes_from_the_config(tmp_path: Path):
    config_file = tmp_path / "k.toml"
    config_file.write_text("[digest]\nsummary_sentences = 5\nsummary_chars = 90\n")
    digest = load_config(config_file, {}).digest
    assert digest == DigestConfig(summary_sentences=5, summary_chars=90)
    text = "\n\n".join(["北辰電機、新型蓄電池を量産", *NEWSLETTER])
    (narrow,) = analyze_text(text, Glossary(), digest)
    (wide,) = analyze_text(text, Glossary(), DigestConfig(summary_sentences=5))
    assert chars(narrow.sentences, narrow.summary) <= 90 < chars(wide.sentences, wide.summary)
    config_file.write_text("[digest]\nsummary_chars = 0\n")
    with pytest.raises(ConfigError, match="summary_chars"):
        load_config(config_file, {})
