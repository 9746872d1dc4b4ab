"""Two layouts readers meet that carry more than text: an HTML page with furigana, data tables
and a reader-tool bar (`html_ruby`), and a two-column A4 PDF newsletter with a data table and
footnotes (`pdf_columns`).

Built from the same gold blocks as every other layout (tests/corpus/layouts.py). What is added
is never a gold unit: ruby readings, table cells, footnote markers and bodies, the tool bar, the
running header and page numbers. `layouts.measure` counts as junk a table cell glued to other
text, a footnote body anywhere (`holds_added`) and a reading glued after its base
(`東京とうきょう`, `東京(とうきょう)`: `glued_readings`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from tests.corpus.layouts import RUNNING_HEADER, Block, wrap_line

# Short cells, as a data table holds: a district, a count, a share, who recorded it. None of
# them occurs in a gold unit (tests/test_layouts.py checks), so a hit is always a cell.
TABLE = (("地区", "件数", "前年比", "記入者"),
         ("北浜", "1,284件", "+3.2%", "岡野"),
         ("南町", "967件", "-1.5%", "三浦"),
         ("西台", "2,015件", "+0.8%", "大森"))
CELLS = tuple(cell for row in TABLE for cell in row)
# Footnote bodies, set at the foot of the page their marker is on. Every one names the
# editors' own count, which no gold unit does.
NOTES = ("架け橋編集部調べ（2026年11月末時点の速報値）。",
         "架け橋編集部調べ、回答のあった事業所のみを集計した。",
         "架け橋編集部調べ、金額は税込みで端数を切り捨てた。")
NOTE_MARK = "架け橋編集部調べ"
_KANJI_RUN = re.compile(r"[\u4e00-\u9fff々]{2,}")
_KANA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわ"
# Pages for the public put furigana on their text: news for learners, local government.
RUBY_GENRES = ("news", "government", "newsletter", "magazine")
_TABLE_AFTER = (2, 5)  # after these paragraphs (counted from 1) a table follows


def holds_added(text: str) -> bool:
    """Does a (normalised) output sentence hold a footnote body, or a table cell glued to
    other text? (A cell alone is no sentence of the gold, but no glue either.)"""
    return NOTE_MARK in text or any(cell in text and cell != text for cell in CELLS)


def glued_readings(name: str, data: bytes, sentences: list[str], gold: list[str]) -> int:
    """Sentences of an HTML page where a ruby reading follows its base (`東京とうきょう`,
    `東京(とうきょう)`), as tests/corpus/pages.py counts them on real pages."""
    if not name.endswith(".html"):
        return 0
    from tests.corpus.pages import count_glued, ruby_pairs

    pairs = ruby_pairs(data)
    return count_glued(sentences, pairs, tuple(gold)) if pairs else 0


def reading(base: str) -> str:
    """A made-up reading of two kana per kanji: readings are never checked, only kept out."""
    return "".join(_KANA[ord(c) % len(_KANA)] + _KANA[ord(c) // 7 % len(_KANA)] for c in base)


def ruby(text: str, runs: Iterator[int]) -> str:
    """Escaped `text` with every third run of two or more kanji given a reading, in the three
    forms pages use: bare <rt>, <rp> brackets for browsers without ruby, and an explicit <rb>."""
    out, end = [], 0
    for match in _KANJI_RUN.finditer(text):
        index = next(runs)
        if index % 3:
            continue
        base, read = match[0], reading(match[0])
        form = index // 3 % 3
        marked = (f"<ruby>{base}<rt>{read}</rt></ruby>" if form == 0 else
                  f"<ruby>{base}<rp>（</rp><rt>{read}</rt><rp>）</rp></ruby>" if form == 1 else
                  f"<ruby><rb>{base}</rb><rt>{read}</rt></ruby>")
        out += [html.escape(text[end:match.start()]), marked]
        end = match.end()
    return "".join(out) + html.escape(text[end:])


def table_html() -> str:
    head, *rows = TABLE
    cells = ["<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in head) + "</tr>"]
    cells += ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
              for row in rows]
    return "<table>\n" + "\n".join(cells) + "\n</table>"


def html_ruby_page(blocks: list[Block]) -> str:
    """The `html` layout's page with furigana, data tables after some paragraphs, a <nav> and
    a reader-tool bar beside the article."""
    runs = iter(range(10**6))
    body: list[str] = []
    paragraphs = 0
    for block in blocks:
        if block.kind == "heading":
            body.append(f"<h2>{ruby(block.text, runs)}</h2>")
        elif block.kind == "item":
            text = block.text[1:] if block.text.startswith("・") else block.text
            body.append(f"<ul><li>{ruby(text, runs)}</li></ul>")
        elif block.kind == "code":
            body.append("<pre>" + html.escape("\n".join(block.units)) + "</pre>")
        else:
            lines = wrap_line(block.text, 60, words_whole=True)
            body.append("<p>\n  " + "\n  ".join(ruby(line, runs) for line in lines) + "\n</p>")
            paragraphs += 1
            if paragraphs in _TABLE_AFTER:
                body.append(table_html())
    return ("<!doctype html><html><head><meta charset='utf-8'><title>コーパス</title></head>"
            "<body><nav><a href='/'>ホーム</a> | <a href='/list'>一覧</a></nav><main>"
            "<div class='tools'><button>ふりがなを消す</button><a href='#'>文字を大きく</a>"
            "</div>\n<div class='article'>\n" + "\n".join(body) + "\n</div></main>"
            "<footer>著作権表示</footer></body></html>")


def pdf_columns(blocks: list[Block], size: float = 10.0) -> bytes:
    """The gold text as a two-column newsletter: the first heading as the title across the
    top (else a masthead), a data table after the first paragraph, a footnote marker after
    every second paragraph's last full stop. (Not inside a sentence: PDFium loses a lone CJK
    glyph drawn by itself in a font without glyph boxes, and a marker leaves one wherever a
    line starts with the character before it or ends with the one after it.)"""
    from tests.support.columns_pdf import MARK, make_columns_pdf

    titled = bool(blocks) and blocks[0].kind == "heading"
    story: list[tuple[str, str]] = []
    paragraphs = 0
    for block in blocks[1:] if titled else blocks:
        text = "\n".join(block.units) if block.kind == "code" else block.text
        if block.kind == "paragraph":
            paragraphs += 1
            marked = paragraphs % 2 == 0 and paragraphs // 2 <= len(NOTES)
            story.append(("paragraph", text + MARK if marked else text))
            if paragraphs == 1:
                story.append(("table", ""))
        else:
            story.append((block.kind, text))
    title = blocks[0].text if titled else "架け橋ニュースレター"
    return make_columns_pdf(title, story, RUNNING_HEADER, NOTES, TABLE, size)
