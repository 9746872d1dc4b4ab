"""The pure layout rules on pages built line by line: furniture, contents, paragraphs, title.

Pages are A4 in points, origin at the bottom left, as PDFium reports them. Japanese characters
are one font size wide, Latin ones half of it, which is close to what the fonts measure.
"""

from __future__ import annotations

import pytest

from bot.sources.pdf.furniture import drop_contents, drop_furniture
from bot.sources.pdf.layout import compose, join_text
from bot.sources.pdf.lines import Line, Page

WIDTH, HEIGHT = 595.0, 842.0
LEFT, RIGHT = 72.0, 522.0  # a 450-point column: 42 characters of 10.5 points
SIZE, PITCH = 10.5, 17.0
TOP = 760.0  # the first body baseline


def width_of(text: str, size: float) -> float:
    return sum(size if ord(c) > 0x2000 else size / 2 for c in text)


def line(text: str, left: float = LEFT, baseline: float = TOP, size: float = SIZE) -> Line:
    first = text.split(" ")[0] if ord(text[0]) < 0x2000 else text[0]
    return Line(text, left, left + width_of(text, size), baseline, size, width_of(first, size))


def column(texts: list[str], top: float = TOP, left: float = LEFT, indent: bool = False,
           size: float = SIZE) -> list[Line]:
    """Lines set one below the other; a paragraph's first line indented when `indent`."""
    out = []
    for i, text in enumerate(texts):
        first = indent and (i == 0 or texts[i - 1].endswith("。"))
        out.append(line(text, left + (size if first else 0), top - i * size * 1.6, size))
    return out


def wrap(text: str, width: float = RIGHT - LEFT, size: float = SIZE) -> list[str]:
    """Cut Japanese text into lines that fill `width` points."""
    per_line = int(width // size)
    return [text[i : i + per_line] for i in range(0, len(text), per_line)]


def page(*lines: Line) -> Page:
    return Page(WIDTH, HEIGHT, tuple(lines))


BODY = ("国際線の増便に合わせて、空港の周辺では新しいホテルの建設が相次いでいる。"
        "市は交通の混雑を避けるため、駅と空港を結ぶバスの本数を増やす計画を立てた。"
        "住民の間では騒音を心配する声もあり、説明会が開かれる予定である。")


def header(text: str) -> Line:
    return line(text, baseline=HEIGHT - 40, size=8)


def footer(text: str) -> Line:
    return line(text, left=WIDTH / 2 - 10, baseline=30, size=8)


def test_running_header_with_changing_page_numbers_is_dropped():
    pages = [page(header(f"Debian リファレンス {n} / 340"), *column(wrap(BODY)),
                  footer(f"— {n} —")) for n in range(1, 6)]
    kept = [ln.text for p in drop_furniture(pages) for ln in p.lines]
    assert not any("リファレンス" in t or "—" in t for t in kept)
    assert len(kept) == 5 * len(wrap(BODY))


def test_chapter_titles_in_the_header_slot_are_dropped_too():
    chapters = ["第1章 概要"] * 3 + ["第2章 導入"] + ["第3章 設定"] * 3
    pages = [page(header(title), *column(wrap(BODY))) for title in chapters]
    kept = [ln.text for p in drop_furniture(pages) for ln in p.lines]
    assert not any(t.startswith("第") for t in kept)


def test_odd_and_even_pages_with_different_headers():
    pages = [page(header("パッケージ管理の手引き" if n % 2 else f"{n} 第2章 更新"),
                  *column(wrap(BODY))) for n in range(1, 9)]
    kept = [ln.text for p in drop_furniture(pages) for ln in p.lines]
    assert kept == wrap(BODY) * 8


def test_the_same_first_line_on_every_page_is_text_when_it_is_not_set_apart():
    # Pages that all start with the same text, set at the body's leading: not a header.
    pages = [page(*column(["第1号の記事。", *wrap(BODY)])) for _ in range(4)]
    assert drop_furniture(pages) == pages


def test_a_running_header_set_at_the_body_leading_is_dropped_on_most_pages():
    # No gap sets it apart, but the same short non-sentence line opens every page: a header.
    pages = [page(*column(["架け橋コーパス 試験用文書", *wrap(BODY)])) for _ in range(4)]
    kept = [ln.text for p in drop_furniture(pages) for ln in p.lines]
    assert kept == wrap(BODY) * 4


def test_a_two_page_document_loses_a_body_size_header_but_keeps_a_larger_title():
    pages = [page(*column(["社内報 第3号", *wrap(BODY)])) for _ in range(2)]
    assert [ln.text for p in drop_furniture(pages) for ln in p.lines] == wrap(BODY) * 2
    # A cover and a title page that repeat the title in a larger size: text, not furniture.
    titled = [page(line("年次報告書", baseline=738, size=24), *column(wrap(BODY), top=700))
              for _ in range(2)]
    assert drop_furniture(titled) == titled


def test_a_single_page_keeps_its_top_line_but_not_its_page_number():
    (only,) = drop_furniture([page(header("社内報 2025年春号"), *column(wrap(BODY)),
                                   footer("- 1 -"))])
    assert [ln.text for ln in only.lines] == ["社内報 2025年春号", *wrap(BODY)]


@pytest.mark.parametrize("number", ["12", "- 12 -", "— 12 —", "12 / 340", "p. 12", "Page 12",
                                    "xii", "12ページ", "(12)"])
def test_bare_page_numbers_are_dropped(number: str):
    (only,) = drop_furniture([page(*column(wrap(BODY)), footer(number))])
    assert [ln.text for ln in only.lines] == wrap(BODY)


@pytest.mark.parametrize("leader", ["……………", ". . . . . .", "．．．．．", "・・・・・", "........"])
def test_contents_lines_with_dot_leaders_are_dropped(leader: str):
    entries = [f"第{n}章 概要{leader}{n * 7}" for n in range(1, 6)]
    (only,) = drop_contents([page(*column(["目次", *entries, "はじめに", *wrap(BODY)]))])
    assert [ln.text for ln in only.lines] == ["はじめに", *wrap(BODY)]


def test_a_contents_entry_wrapped_over_two_lines_goes_with_its_leader():
    lines = column(["第1章 概要……………3", "第2章 とても長い見出しが次の行まで続く場合の",
                    "扱いについて……………9", "第3章 設定……………15", *wrap(BODY)])
    (only,) = drop_contents([page(*lines)])
    assert [ln.text for ln in only.lines] == wrap(BODY)


def test_contents_without_leaders_under_a_contents_heading():
    entries = ["1 はじめに 3", "2 導入 7", "3 設定 12", "4 運用 20"]
    (only,) = drop_contents([page(*column(["目次", *entries, "はじめに", *wrap(BODY)]))])
    assert [ln.text for ln in only.lines] == ["はじめに", *wrap(BODY)]


def test_prose_with_an_ellipsis_is_not_contents():
    lines = column(["彼はそう言って……3人を見た。", *wrap(BODY)])
    assert drop_contents([page(*lines)])[0].lines == tuple(lines)


def test_wrapped_lines_join_and_paragraphs_stay_apart():
    second = "次の段落は字下げで始まる。前の段落の最後の行は短い。" * 3
    lines = column([*wrap(BODY), *wrap(second)], indent=True)
    assert compose([page(*lines)]) == f"{BODY}\n{second}"


def test_a_gap_ends_a_paragraph_when_nothing_is_indented():
    first, second = column(wrap(BODY)), column(wrap(BODY), top=TOP - 200)
    assert compose([page(*first, *second)]) == f"{BODY}\n{BODY}"


def test_a_sentence_runs_on_across_a_page_break():
    lines = wrap(BODY)
    cut = 2  # the page ends inside the second sentence
    assert not lines[cut - 1].endswith("。")
    pages = [page(header("報告書"), *column(lines[:cut], top=120), footer("1")),
             page(header("報告書"), *column(lines[cut:]), footer("2"))]
    assert compose(pages) == BODY


def test_a_page_ending_at_a_full_stop_starts_a_new_paragraph():
    done = "この段落の最後の文は、ちょうど行の終わりで句点を打ってきっちりと終わっている。"
    assert len(done) == len(wrap(done)[0])  # one full line ending at a full stop
    pages = [page(*column([done], top=120)), page(*column(wrap(BODY)))]
    assert compose(pages) == f"{done}\n{BODY}"


def test_headings_in_a_larger_font_stay_their_own_line():
    heading = line("第2章 調査の結果", baseline=TOP + 30, size=14)
    pages = [page(*column(wrap(BODY))), page(heading, *column(wrap(BODY)))]
    assert compose(pages).split("\n") == [BODY, "第2章 調査の結果", BODY]


def test_list_items_stay_apart_and_their_wrapped_text_joins():
    item = "・" + "箇条書きの項目は長くなると次の行に折り返され、そこでは字下げされる。" * 2
    lines = wrap(item)
    body = [line(lines[0], baseline=TOP),
            *(line(t, left=LEFT + SIZE, baseline=TOP - (i + 1) * 17) for i, t in
              enumerate(wrap("".join(lines[1:]), RIGHT - LEFT - SIZE)))]
    short = line("・短い項目。", baseline=TOP - 17 * (len(body)))
    text = column(wrap(BODY), top=TOP - 17 * (len(body) + 2))
    assert compose([page(*body, short, *text)]).split("\n") == [
        "- " + item[1:], "- 短い項目。", BODY]


def test_a_numbered_reference_inside_a_sentence_is_not_a_new_item():
    first = "会議の終わりに議長が読み上げた、調整の結果として合意された内容は、次のとおりであり、"
    assert len(first) == 42  # a full line; the sentence goes on with `(1)` on the next
    lines = [first, "(1)協力国との連絡を密にすることが確認された。"]
    assert compose([page(*column([*wrap(BODY), *lines]))]) == BODY + "\n" + "".join(lines)
    # After a full stop or a colon, `(2)` does start an item.
    items = [first[:-1] + "：", "(2)予算の見直しを行う。"]
    assert compose([page(*column([*wrap(BODY), *items]))]) == "\n".join([BODY, *items])


def test_two_columns_are_read_one_after_the_other():
    half = (RIGHT - LEFT - 20) / 2
    left, right = wrap(BODY, half)[:6], wrap(BODY, half)[6:]
    lines = [*column(left), *column(right, left=LEFT + half + 20)]
    assert compose([page(*lines)]) == BODY


def test_latin_words_keep_their_space_at_a_wrap_and_japanese_gets_none():
    assert join_text("the package", "manager") == "the package manager"
    assert join_text("apt-", "get") == "apt-get"
    assert join_text("manip\u00ad", "ulation") == "manipulation"  # hyphenated by the typesetter
    assert join_text("dpkg --configure", "-a") == "dpkg --configure -a"
    assert join_text("取扱能力は", "約24万TEU") == "取扱能力は約24万TEU"
    assert join_text("前年より2", "割増え") == "前年より2割増え"
    assert join_text("一覧は", "/etc/apt", spaced=True) == "一覧は /etc/apt"
    assert join_text("一覧は", "24万", spaced=True) == "一覧は24万"


def test_the_title_is_the_largest_text_and_never_the_running_header():
    pages = [page(header("技術資料 1 / 3"), line("地域交通の現状", baseline=700, size=24),
                  *column(wrap(BODY), top=640), footer("1"))]
    pages += [page(header(f"技術資料 {n} / 3"), *column(wrap(BODY)), footer(str(n)))
              for n in (2, 3)]
    assert compose(pages) == f"地域交通の現状\n\n{BODY}\n{BODY}\n{BODY}"


def test_without_a_larger_text_there_is_no_title_and_the_header_is_still_gone():
    pages = [page(header(f"技術資料 {n} / 3"), *column(wrap(BODY)), footer(str(n)))
             for n in (1, 2, 3)]
    assert compose(pages) == f"{BODY}\n{BODY}\n{BODY}"


def test_a_sentence_runs_on_past_a_footnote_at_the_page_foot():
    lines = wrap(BODY)
    note = line("1 国土交通省の統計による。", baseline=60, size=8)
    pages = [page(*column(lines[:2], top=120), note), page(*column(lines[2:]))]
    assert compose(pages) == f"{BODY}\n1 国土交通省の統計による。"


def test_a_drop_cap_or_a_huge_number_is_not_a_title():
    pages = [page(line("3", baseline=700, size=60), *column(wrap(BODY), top=640))]
    assert compose(pages) == f"3\n{BODY}"


def test_a_page_without_positions_keeps_its_lines_as_given():
    plain = Page(WIDTH, HEIGHT, (Line("縦書きの一行目", 0, 0, 0, 0, 0),
                                 Line("二行目。", 0, 0, 0, 0, 0)), plain=True)
    pages = [page(*column(wrap(BODY))), plain, page(*column(wrap(BODY)))]
    assert compose(pages) == f"{BODY}\n縦書きの一行目\n二行目。\n{BODY}"


def test_lines_of_an_indented_code_block_stay_apart():
    code = ["$ sudo apt-get update", "$ sudo apt-get install --no-install-recommends "
            "build-essential devscripts", "$ apt-cache policy", "$ sudo dpkg --configure -a "
            "--force-confold --force-depends", "$ ls /etc/apt/sources.list.d/", "$ reboot"]
    prose = column(wrap(BODY * 2))
    block = [line(text, left=LEFT + 3 * SIZE, baseline=prose[-1].baseline - 30 - i * 17)
             for i, text in enumerate(code)]
    assert compose([page(*prose, *block)]).split("\n") == [BODY * 2, *code]


@pytest.mark.parametrize("shift", [15.0, 40.0])
def test_odd_and_even_pages_with_mirrored_margins(shift: float):
    # Books set their inner margin wider: odd pages start further right than even ones.
    text = BODY * 3
    lines = wrap(text)
    pages = [page(*column(lines[i : i + 3], left=LEFT + (shift if n % 2 else 0)))
             for n, i in enumerate(range(0, len(lines), 3))]
    assert len(pages) >= 3
    assert compose(pages) == text
