"""Layout recovery on the corpus (tests/corpus): real sentences come out whole."""

from __future__ import annotations

import pytest

from bot.glossary import Glossary
from bot.run.pipeline import analyze_text
from bot.sources.pdf import pdf_to_text
from bot.sources.readers import read_text
from bot.sources.web.page import html_to_text
from bot.text.clean import clean_text
from tests.corpus.furnished import lone_stops, nokinsoku_mail
from tests.corpus.layouts import (
    GENRES,
    JUNK,
    Outcome,
    gold_units,
    is_junk,
    layouts,
    load_gold,
    measure,
    normalised,
)
from tests.corpus.pages import ruby_pairs
from tests.corpus.rich import CELLS, NOTE_MARK, holds_added

TEXT_LAYOUTS = ("wrap38", "wrap35", "wrap40", "wrap76", "wrap76_indented", "sjis", "short", "html",
                "sjis_mail", "sjis_mail_nokinsoku", "toc_code")


class Measured(dict[str, list[Outcome]]):
    """Each layout measured when a test first asks for it: a worker that runs only some
    layouts (pytest-xdist) does not measure the PDFs' (most of the cost) as well."""

    def __init__(self) -> None:
        super().__init__()
        self.corpus = [item for genre in GENRES for item in layouts(genre)]

    def __missing__(self, layout: str) -> list[Outcome]:
        rows = [measure(name, data, gold)
                for kind, name, data, gold in self.corpus if kind == layout]
        self[layout] = rows
        return rows


@pytest.fixture(scope="module")
def measured() -> dict[str, list[Outcome]]:
    return Measured()


RICH_LAYOUTS = ("html_ruby", "pdf_columns", "pdf_columns_large")


@pytest.mark.parametrize("layout", [*TEXT_LAYOUTS, "pdf", "pdf_two_pages", *RICH_LAYOUTS])
def test_sentences_come_out_whole(measured: dict[str, list[Outcome]], layout: str):
    rows = measured[layout]
    recall = sum(r.whole for r in rows) / sum(r.gold for r in rows)
    assert recall >= 0.97, f"{layout}: recall {recall:.3f}"


# A PDF of two pages: its running header, seen twice and set without a gap, is told from text
# by its place and size (bot/sources/pdf/furniture.py).
@pytest.mark.parametrize("layout", [*TEXT_LAYOUTS, "pdf", "pdf_two_pages", *RICH_LAYOUTS])
def test_no_layout_text_in_sentences(measured: dict[str, list[Outcome]], layout: str):
    assert sum(r.leaks for r in measured[layout]) == 0


def test_the_furniture_measure_counts_only_furniture():
    # No gold unit looks like furniture, and the furnished layouts really carry some.
    assert not [u for g in GENRES for u in gold_units(load_gold(g)) if JUNK.search(u)]
    carried = {layout: len(JUNK.findall(read_text(name, data)))
               for layout, name, data, _ in layouts("guide")
               if layout in ("sjis_mail", "sjis_mail_nokinsoku", "toc_code")}
    assert min(carried.values()) >= 8, carried


def test_the_rich_layouts_measure_counts_what_they_add():
    # No gold unit holds a cell or a footnote body, and the layouts really carry them.
    units = [normalised(u) for g in GENRES for u in gold_units(load_gold(g))]
    assert not [u for u in units if holds_added(u) or any(c in u for c in CELLS)]
    news = {layout: (name, data) for layout, name, data, _ in layouts("news")}
    page = news["html_ruby"][1].decode()
    assert page.count("<rt>") >= 10 and page.count("<rp>") >= 4 and "<rb>" in page
    assert all(cell in page for cell in CELLS)
    pdf = pdf_to_text(news["pdf_columns"][1])
    assert pdf.count(NOTE_MARK) >= 2 and all(cell in pdf for cell in CELLS)
    # Readings read as text, or a cell glued to a sentence, would be counted.
    gold = gold_units(load_gold("news"))
    base, reading = next((b, r) for b, r in ruby_pairs(page.encode()) if b in gold[1])
    glued = gold[1].replace(base, f"{base}{reading}", 1)
    bracketed = gold[1].replace(base, f"{base}({reading})", 1)
    outcome = measure("news.html", page.encode(), gold,
                      lambda text, hard: [(gold[0], (glued, bracketed, *gold[2:]))])
    assert outcome.leaks == 2
    assert is_junk("この会談では、北浜1,284件") and not is_junk("北浜")


def test_the_mail_without_kinsoku_has_full_stops_alone_on_lines():
    # The layout really exercises the rule that a lone `。` ends the sentence above.
    assert sum(lone_stops(nokinsoku_mail(load_gold(genre))) for genre in GENRES) >= 2


@pytest.mark.parametrize("layout", ["sjis_mail", "sjis_mail_nokinsoku"])
def test_a_mail_magazine_comes_out_as_its_sections(layout: str):
    (name, data) = next((n, d) for kind, n, d, _ in layouts("magazine") if kind == layout)
    titles = [a.article.title for a in analyze_text(read_text(name, data), Glossary(), 3)]
    assert titles == ["架け橋メールマガジン 第48号", "バスの路線が来春から変わります",
                      "川沿いに新しい図書館が開館しました", "◆冬の催しのご案内", "読者の声",
                      "【編集後記】"]


def test_short_file_of_two_wrapped_lines_is_one_sentence():
    assert clean_text("同社によると、工場の新設が相次\nいでいる。") == [
        "同社によると、工場の新設が相次いでいる。"]
    assert clean_text("東京都は来年度から、全ての公立小学校に\n英語の専任教員を配置する。") == [
        "東京都は来年度から、全ての公立小学校に英語の専任教員を配置する。"]
    # A heading above a longer sentence stays a heading, even one that ends on a particle.
    assert clean_text("新製品のお知らせ\n当社は来月、新しい製品を発売する予定です。") == [
        "新製品のお知らせ", "当社は来月、新しい製品を発売する予定です。"]
    assert clean_text("新工場が稼働、生産能力は過去最大に\nいよいよ来月から、同社の新しい工場が"
                      "本格的に稼働を始める。") == [
        "新工場が稼働、生産能力は過去最大に",
        "いよいよ来月から、同社の新しい工場が本格的に稼働を始める。"]


def test_wrapped_latin_words_get_their_space_back_and_japanese_none():
    text = ("    この文書は Debian ディストリビューションや Debian プロジェクトについて\n"
            "    よく聞かれる疑問を集めています。Unix 類似オペレーティングシステムに\n"
            "    ついての知識を前提としている回答があることがわかるでしょう。GNU\n"
            "    Linux という呼び方もあります。これで段落は終わりで、次が続きます。\n"
            "    次の行も同じ幅で折り返されていて、ここから先も同じように続きます。\n"
            "    最後の行です。\n")
    line = clean_text(text)[0]
    assert "プロジェクトについてよく聞かれる" in line and "GNU Linux" in line
    assert "システムについての知識" in line


def test_full_width_letters_count_two_columns():
    # NFKC turns ＩＣＴ into ICT: the fit test must use the width the line was written in.
    first = "ＩＣＴとＤＸを活用した新しいサービス群"
    second = "提供を始める企業が増えており今後も拡大"
    filler = [f"あいうえおかきくけこさしすせそたちつ{kana}" for kana in "なにぬねのは"]
    lines = clean_text("\n".join([first, second, "が見込まれる。", "", *filler]))
    assert lines[0] == ("ICTとDXを活用した新しいサービス群提供を始める企業が増えており"
                        "今後も拡大が見込まれる。")


def test_headings_list_items_and_tables_keep_their_lines():
    text = ("■お知らせ\n"
            "・日時：十一月二十九日の土曜日、午後二時から夕方まで\n"
            "・会場：市民会館\n"
            "(1)最初の項目で、説明は次の行に\n"
            "(2)二つ目\n"
            "品目    数量    単価\n"
            "りんご    3    120\n")
    lines = clean_text(text)
    assert lines[:5] == ["■お知らせ", "・日時:十一月二十九日の土曜日、午後二時から夕方まで",
                         "・会場:市民会館", "(1)最初の項目で、説明は次の行に", "(2)二つ目"]
    assert len(lines) == 7 and lines[5].startswith("品目") and lines[6].startswith("りんご")


def test_a_running_header_on_every_page_is_dropped():
    # Paged: each copy of the header sits next to a page number, as on every page.
    pages = "".join(f"月報 第3号\n第{n}頁の本文です。ここに段落があります。\n\n- {n} -\n"
                    for n in range(1, 5))
    assert clean_text(pages) == [f"第{n}頁の本文です。ここに段落があります。" for n in range(1, 5)]


def test_html_source_line_breaks_are_white_space():
    html = ("<main><p>…あります。適切な Debian\nディストリビューションを選択することは\n"
            "  重要な判断です。</p><pre>一行目\n二行目</pre><p>日本\n<b>語</b></p></main>")
    assert html_to_text(html).splitlines() == [
        "…あります。適切な Debian ディストリビューションを選択することは重要な判断です。",
        "一行目", "二行目", "日本語"]


@pytest.mark.slow
def test_html_deeply_nested_unclosed_tags_stay_linear():
    # Each text node used to look at every open element: quadratic in the nesting depth.
    html = "<div>" + "<span>字" * 50_000 + "</div><p>終わり。</p>"
    text = html_to_text(html)
    assert text.endswith("終わり。") and text.count("字") == 50_000


def wrapped(*lines: str) -> str:
    """A document hard-wrapped at the width of its first line: the given lines, then a
    paragraph of distinct lines of that width."""
    chars = len(lines[0])
    filler = [(kanji + "同じ幅で折り返された段落の行で内容には意味がない" * 3)[:chars]
              for kanji in "一二三四五六"]
    return "\n".join([*lines, "", *filler, "終わり。"])


def test_kinsoku_joins_whatever_the_width():
    # A line never starts with 、。」 or a small kana, and never ends with 「 or 、.
    assert clean_text("会議は「\n予定通り」開かれた。")[0] == "会議は「予定通り」開かれた。"
    assert clean_text("見出し\nこれは短\nっぽい。")[1] == "これは短っぽい。"
    assert clean_text("理由は二つある、\nまず第一に。") == ["理由は二つある、まず第一に。"]


def test_a_quote_with_a_question_mark_goes_on_with_a_particle():
    lines = clean_text(wrapped(
        "探しているものが見つからない場合は「他にどんな文書がありますか?」",
        "を確認してください。"))
    assert lines[0] == ("探しているものが見つからない場合は「他にどんな文書がありますか?」"
                        "を確認してください。")


def test_a_middle_dot_at_a_line_start_after_katakana_is_not_a_list_item():
    lines = clean_text(wrapped("大統領夫人は、同国を訪問中のアメリカのジル",
                               "・バイデン夫人と会談し、協力を確認した。",
                               "・次の項目は箇条書きです。"))
    assert lines[:2] == [
        "大統領夫人は、同国を訪問中のアメリカのジル・バイデン夫人と会談し、協力を確認した。",
        "・次の項目は箇条書きです。"]


def test_a_heading_in_a_hard_wrapped_text_stays_a_heading():
    lines = clean_text(wrapped("第2章 調査の方法", "本章では、調査の対象と方法を説明する。"))
    assert lines[:2] == ["第2章 調査の方法", "本章では、調査の対象と方法を説明する。"]
