"""Near-duplicate detection of Japanese articles (bot/text/neardup.py): pure."""

from __future__ import annotations

from bot.text.neardup import (
    MAX_SIZE_RATIO,
    PERMUTATIONS,
    best_match,
    normalise,
    signature,
    similarity,
)

STORY = (
    "中欧班列「長安号」、年間運行本数が過去最多に\n"
    "西安国際港務区は5日、中欧班列「長安号」の今年の運行本数が11月末までに4,800本に達し、"
    "過去最多を更新したと発表した。前年同期比で12%増えた。貨物の内訳では自動車部品と電子機器が"
    "全体の4割を占めた。同区によると、カザフスタン経由でポーランドに向かう路線の所要日数は平均"
    "12日に短縮された。今後はハンガリーやイタリアへの直通便を増やし、年末までに5,000本を目指す"
    "という。")
# A reprint: another headline and lead, full-width digits, the same body.
REPRINT = (
    "西安発の欧州向け貨物列車、今年の運行が過去最多\n"
    "中国陝西省西安市と欧州を結ぶ貨物列車「長安号」の運行が、今年は過去最多となった。"
    "西安国際港務区によると、今年の運行本数は１１月末までに４，８００本に達し、前年同期比で"
    "１２％増えた。貨物の内訳では自動車部品と電子機器が全体の４割を占めた。同区によると、"
    "カザフスタン経由でポーランドに向かう路線の所要日数は平均１２日に短縮された。今後は"
    "ハンガリーやイタリアへの直通便を増やし、年末までに５，０００本を目指すという。")
# Another China–Europe rail announcement: same names and phrasing, another story.
SAME_TOPIC = (
    "中欧班列「渝新欧」、冷蔵コンテナの定期便を新設\n"
    "重慶市の物流当局は8日、中欧班列「渝新欧」で冷蔵コンテナを使った定期便を新設すると発表"
    "した。第1便は来月ドイツのデュイスブルクに向けて出発し、東南アジア産の果物やワインの輸送を"
    "見込む。運行は週2本で、所要日数は約15日。当局によると、今年の重慶発の中欧班列は11月末"
    "までに2,900本に達し、前年同期比で8%増えた。")
UNRELATED = (
    "山沿いで大雪のおそれ、気象台が注意呼びかけ\n"
    "気象台によると、週末にかけて強い寒気が流れ込み、山沿いを中心に大雪となるおそれがある。"
    "路面の凍結や電線への着雪に注意するよう呼びかけている。")
THRESHOLD = 0.6  # the shipped digest.merge_threshold


def test_normalising_folds_width_and_drops_punctuation_and_space():
    assert normalise("Ａ　ｂ「４，８００本」・テスト。\n") == "ab4800本テスト"
    assert normalise(STORY.replace("、", "").replace("。", "\n")) == normalise(STORY)


def test_identical_texts_score_one_and_signatures_are_deterministic():
    first, again = signature(STORY), signature(STORY)
    assert first == again and len(first.hashes()) == PERMUTATIONS
    assert similarity(first, again) == 1.0
    # Width forms and wrapping do not change the story.
    wrapped = STORY.replace("。", "。\n").replace("5", "５")
    assert similarity(first, signature(wrapped)) == 1.0


def test_unrelated_text_scores_low():
    assert similarity(signature(STORY), signature(UNRELATED)) < 0.1


def test_reprint_with_edited_lead_is_over_the_threshold():
    assert similarity(signature(STORY), signature(REPRINT)) >= THRESHOLD


def test_trimmed_reprint_is_over_the_threshold():
    trimmed = "".join(STORY.partition("全体の4割を占めた。")[:2]) + "（新華社）"
    assert similarity(signature(STORY), signature(trimmed)) >= THRESHOLD


def test_different_story_on_the_same_topic_is_under_the_threshold():
    score = similarity(signature(STORY), signature(SAME_TOPIC))
    assert score < THRESHOLD - 0.2


def test_best_match_picks_the_story_and_zero_turns_merging_off():
    known = [signature(UNRELATED), signature(SAME_TOPIC), signature(STORY)]
    found = best_match(signature(REPRINT), known, THRESHOLD)
    assert found is not None and found[0] == 2 and found[1] >= THRESHOLD
    assert best_match(signature(REPRINT), known, 0) is None
    assert best_match(signature(REPRINT), known[:2], THRESHOLD) is None
    assert best_match(signature(REPRINT), [], THRESHOLD) is None


def test_empty_text_matches_nothing():
    assert similarity(signature("。、「」"), signature("。、「」")) == 0.0


def test_items_of_one_template_with_other_figures_are_under_the_threshold():
    october = ("10月の中欧班列、運行本数は前年同月比7%増\n国家鉄路集団によると、10月の中欧班列の"
               "運行本数は1,620本で、前年同月比7%増えた。輸送したコンテナは17万4,000TEUで、"
               "同9%増えた。1～10月の累計は1万5,800本だった。")
    november = ("11月の中欧班列、運行本数は前年同月比4%増\n国家鉄路集団によると、11月の中欧班列の"
                "運行本数は1,580本で、前年同月比4%増えた。輸送したコンテナは16万9,000TEUで、"
                "同6%増えた。1～11月の累計は1万7,380本だった。")
    assert similarity(signature(october), signature(november)) < THRESHOLD - 0.2
    # The same words with the same figures are one story.
    assert similarity(signature(october), signature(october + "（共同）")) >= THRESHOLD


def test_figures_are_read_width_folded_without_separators():
    assert signature("運行本数は４，８００本、前年比12.5%増").figures == "12.5 4800"


def test_a_short_story_is_not_one_with_a_huge_text_that_holds_its_phrases() -> None:
    # A compilation of other rail notes with the story's sentences scattered among
    # them holds nearly all of its shingles and figures: containment alone says 1.0, but a
    # whole file hundreds of times longer is not the same story told again.
    sentences = [s + "。" for s in SAME_TOPIC.split("。") if s]
    notes = [f"第{n}便の中欧班列は{n % 7 + 2}日に{n * 13 % 97}両で出発した。"
             + sentences[n % len(sentences)] for n in range(120)]
    huge = signature("".join(notes))
    short = signature(SAME_TOPIC)
    assert huge.shingles > MAX_SIZE_RATIO * short.shingles
    assert similarity(short, huge) < THRESHOLD
    assert similarity(huge, short) < THRESHOLD
    assert best_match(short, [huge], THRESHOLD) is None
