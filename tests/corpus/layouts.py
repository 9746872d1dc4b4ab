"""The corpus's gold text laid out as documents really come, and the measure of what survives.

Gold files (`*.txt` here, see README.md): one unit a line — a sentence, a heading (`# …`)
or a list item (`・…`, `※…`, `1. …`); a blank line ends a paragraph; a code block between
``` lines is no unit. Every layout is generated from them: hard-wrapped at 38 full-width
columns with paragraph indents, at 76 columns with Latin words kept whole, the same indented,
a two- or three-line file, HTML with source line breaks inside <p>, Shift_JIS (cp932) bytes,
a multi-page PDF with a running header and page numbers, the furnished layouts of
`furnished.py` (mail magazines, a manual under its table of contents), and those of `rich.py`
(HTML with furigana, data tables and a tool bar; a two-column PDF with a table and footnotes).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.glossary import Glossary
from bot.run.pipeline import analyze_text
from bot.sources.readers import is_hard_wrapped, read_text
from bot.text.wrap import char_width, display_width

CORPUS = Path(__file__).resolve().parent
GENRES = ("news", "manual", "government", "newsletter", "magazine", "guide")
RUNNING_HEADER = "架け橋コーパス 試験用文書"
_NO_START = set("、。，．,!?！？)）]」』】〕ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ")


# What a layout adds that is not text: none of it may come out in a sentence or a title.
# (tests/test_layouts.py checks that no gold unit matches it, so a hit is always furniture.)
JUNK = re.compile(
    r"[━─＝]{3}|-{5}|配信停止|登録解除|送信専用|発行[:：]|Copyright|\(C\)|お問い合わせ[:：]"
    r"|目次|…{2}|\.{4}|・{3}|\S {3,}\d{1,3}$|\$ |C:\\>|~/|--locked|summary_sentences")
_ITEM = re.compile(r"・|※|\d{1,2}\. ")


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "item", "paragraph" or "code" (not text: never a gold unit)
    units: tuple[str, ...]

    @property
    def text(self) -> str:
        return join_units(self.units)


def join_units(units: tuple[str, ...] | list[str]) -> str:
    out = ""
    for unit in units:
        latin = out[-1:].isascii() and out[-1:].isalnum() and unit[:1].isascii()
        out += (" " if latin and out else "") + unit
    return out


def load_gold(genre: str) -> list[Block]:
    """The gold file's blocks; lines between two ``` lines are a code block."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    code: list[str] | None = None
    for line in (CORPUS / f"{genre}.txt").read_text(encoding="utf-8").splitlines():
        if code is not None:
            if line == "```":
                blocks.append(Block("code", tuple(code)))
                code = None
            else:
                code.append(line)
            continue
        if (not line or line.startswith(("# ", "```")) or _ITEM.match(line)) and paragraph:
            blocks.append(Block("paragraph", tuple(paragraph)))
            paragraph = []
        if line == "```":
            code = []
        elif line.startswith("# "):
            blocks.append(Block("heading", (line[2:],)))
        elif _ITEM.match(line):
            blocks.append(Block("item", (line,)))
        elif line:
            paragraph.append(line)
    if paragraph:
        blocks.append(Block("paragraph", tuple(paragraph)))
    return blocks


def gold_units(blocks: list[Block]) -> list[str]:
    return [unit for block in blocks if block.kind != "code" for unit in block.units]


def wrap_line(text: str, width: int, words_whole: bool, kinsoku: bool = True) -> list[str]:
    """Cut `text` into lines of at most `width` columns, never starting a line with 、。」….

    `words_whole`: a run of Latin letters is never cut, and a line break at a space eats it.
    `kinsoku=False`: a mailer that knows no line-start rule (a 。 may stand alone on a line).
    """
    pieces = re.findall(r"[!-~]+| +|.", text) if words_whole else list(text)
    lines: list[str] = []
    line = ""
    for piece in pieces:
        if display_width(line + piece) > width and line.strip():
            if kinsoku and piece[0] in _NO_START:  # kinsoku: the last character goes down with it
                line, piece = line[:-1], line[-1] + piece
            lines.append(line.rstrip())
            line = piece.lstrip(" ")
        else:
            line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines


def plain(blocks: list[Block], width: int, *, words_whole: bool, indent: str = "",
          first_indent: str = "", blank_lines: bool = True, code_indent: str = "") -> str:
    out: list[str] = []
    for block in blocks:
        if blank_lines and block.kind != "item" and out:
            out.append("")
        if block.kind == "code":
            out.extend(indent + code_indent + line for line in block.units)
            continue
        lead = first_indent if block.kind == "paragraph" else ""
        wrapped = wrap_line(lead + block.text, width - display_width(indent), words_whole)
        out.extend(indent + line for line in wrapped)
    return "\n".join(out) + "\n"


def html_page(blocks: list[Block]) -> str:
    body: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            body.append(f"<h2>{html.escape(block.text)}</h2>")
        elif block.kind == "item":
            text = block.text[1:] if block.text.startswith("・") else block.text
            body.append(f"<ul><li>{html.escape(text)}</li></ul>")
        elif block.kind == "code":
            body.append("<pre>" + html.escape("\n".join(block.units)) + "</pre>")
        else:
            # Source lines broken where an editor's window broke them (between Latin words).
            lines = wrap_line(block.text, 60, words_whole=True)
            body.append("<p>\n  " + "\n  ".join(html.escape(line) for line in lines) + "\n</p>")
    return ("<!doctype html><html><head><meta charset='utf-8'><title>コーパス</title></head>"
            "<body><nav>ホーム | 一覧</nav><main>\n" + "\n".join(body) + "\n</main>"
            "<footer>著作権表示</footer></body></html>")


def short_files(blocks: list[Block]) -> Iterator[tuple[str, list[str]]]:
    """Each paragraph's opening, as few sentences as wrap to two or three lines of 76 columns.

    Paragraphs too short to wrap at all give no file: one line has nothing to rejoin.
    """
    for block in blocks:
        if block.kind != "paragraph":
            continue
        for count in range(1, len(block.units) + 1):
            units = list(block.units[:count])
            lines = wrap_line(join_units(units), 76, words_whole=True)
            if len(lines) >= 2:
                if len(lines) <= 3:
                    yield "\n".join(lines) + "\n", units
                break


def pdf_bytes(blocks: list[Block], pages: int = 0) -> bytes:
    """Wrapped at 40 full-width characters; `pages` pages, or as many as 10 lines a page give."""
    from tests.support.make_pdf import make_japanese_pdf

    lines: list[str] = []
    for block in blocks:
        if block.kind == "code":
            lines.extend(block.units)
            continue
        lead = "\u3000" if block.kind == "paragraph" else ""
        lines.extend(wrap_line(lead + block.text, 80, words_whole=False))
    per_page = -(-len(lines) // pages) if pages else 10  # sentences run across page breaks
    pages = [[RUNNING_HEADER, *lines[i : i + per_page]] for i in range(0, len(lines), per_page)]
    return make_japanese_pdf(None, pages)


def layouts(genre: str) -> Iterator[tuple[str, str, bytes, list[str]]]:
    """(layout, file name, bytes, gold units) for every layout of one genre."""
    blocks = load_gold(genre)
    units = gold_units(blocks)
    wrap38 = plain(blocks, 76, words_whole=True, first_indent="\u3000", blank_lines=False)
    wrap76 = plain(blocks, 76, words_whole=True)
    yield "wrap38", f"{genre}.txt", wrap38.encode(), units
    for columns in (35, 40):  # the other widths Japanese mail is wrapped at
        text = plain(blocks, 2 * columns, words_whole=True, first_indent="\u3000",
                     blank_lines=False)
        yield f"wrap{columns}", f"{genre}.txt", text.encode(), units
    yield "wrap76", f"{genre}.txt", wrap76.encode(), units
    indented = plain(blocks, 76, words_whole=True, indent="    ", first_indent="  ")
    yield "wrap76_indented", f"{genre}.txt", indented.encode(), units
    yield "sjis", f"{genre}.txt", wrap38.encode("cp932"), units
    yield "html", f"{genre}.html", html_page(blocks).encode(), units
    for index, (text, sentence) in enumerate(short_files(blocks)):
        yield "short", f"{genre}-{index}.txt", text.encode(), sentence
    yield from _furnished(genre, blocks, units)
    yield "pdf", f"{genre}.pdf", pdf_bytes(blocks), units
    # Two pages: a running header seen only twice cannot be told from text by repetition.
    yield "pdf_two_pages", f"{genre}.pdf", pdf_bytes(blocks, pages=2), units
    yield from _rich(genre, blocks, units)


def _rich(genre: str, blocks: list[Block], units: list[str]
          ) -> Iterator[tuple[str, str, bytes, list[str]]]:
    """HTML with furigana and tables (pages for the public); a two-column PDF with a table
    and footnotes (newsletters, and journals and manuals too)."""
    from tests.corpus.rich import RUBY_GENRES, html_ruby_page, pdf_columns

    if genre in RUBY_GENRES:
        yield "html_ruby", f"{genre}.html", html_ruby_page(blocks).encode(), units
    yield "pdf_columns", f"{genre}.pdf", pdf_columns(blocks), units
    # Large print (13 points): two pages for most genres, and the table's cells close together.
    yield "pdf_columns_large", f"{genre}.pdf", pdf_columns(blocks, size=13.0), units


def _furnished(genre: str, blocks: list[Block], units: list[str]
               ) -> Iterator[tuple[str, str, bytes, list[str]]]:
    """Shift_JIS mail magazines (with and without kinsoku) and a hard-wrapped manual with a
    table of contents and indented code blocks."""
    from tests.corpus.furnished import mail_magazine, nokinsoku_mail, with_contents

    yield "sjis_mail", f"{genre}.txt", mail_magazine(blocks, 35).encode("cp932"), units
    yield "sjis_mail_nokinsoku", f"{genre}.txt", nokinsoku_mail(blocks).encode("cp932"), units
    body = plain(blocks, 76, words_whole=True, first_indent="\u3000", blank_lines=False,
                 code_indent="    ")
    yield "toc_code", f"{genre}.txt", with_contents(blocks, body).encode(), units


def _squeeze(text: str) -> str:
    chars = list(text)
    out = []
    for i, char in enumerate(chars):
        if char == " " and 0 < i < len(chars) - 1 and (
                char_width(chars[i - 1]) == 2 or char_width(chars[i + 1]) == 2):
            continue
        out.append(char)
    return "".join(out)


def normalised(text: str) -> str:
    """Compared as a reader sees it: NFKC, no list or heading marker (readers differ: a PDF
    bullet becomes `- `), white space only between Latin."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    text = re.sub(r"^(?:[・■□●○◆◇▪•]\s?|- )", "", text)
    return re.sub(r"(?<=[(\[「『]) | (?=[)\]」』])", "", _squeeze(text))


@dataclass(frozen=True)
class Outcome:
    gold: int
    whole: int  # gold units that came out as one output sentence or title
    output: int  # output sentences
    correct: int  # output sentences that are a gold unit
    leaks: int  # sentences or titles holding layout: running header, page number, `JUNK`


def measure(name: str, data: bytes, gold: list[str],
            analyze: Callable[[str, bool], list[tuple[str, tuple[str, ...]]]] | None = None
            ) -> Outcome:
    """Read and analyse one document as the product does; count what came out whole."""
    from tests.corpus.rich import glued_readings

    text = read_text(name, data)
    hard = is_hard_wrapped(name)
    found = (analyze or _analyze)(text, hard)
    sentences = [normalised(s) for _, ss in found for s in ss]
    titles = [normalised(t) for t, _ in found]
    wanted = [normalised(g) for g in gold]
    # A newsletter's 【section】 label is not part of the headline (bot.text.articles).
    out = set(sentences) | set(titles) | {"【" + t for t in titles}
    said = [s for _, ss in found for s in ss]
    leaks = sum(1 for s in said + [t for t, _ in found] if is_junk(s))
    leaks += glued_readings(name, data, said, gold)
    whole = sum(1 for g in wanted if g in out or re.sub(r"^【[^】]*】", "【", g) in out)
    return Outcome(len(wanted), whole, len(sentences),
                   sum(1 for s in sentences if s in set(wanted)), leaks)


def is_junk(text: str) -> bool:
    """Layout, not text: the running header, a page number, what `JUNK` matches, or what
    `rich.py` adds (a footnote body, a table cell glued to other text)."""
    from tests.corpus.rich import holds_added

    return (RUNNING_HEADER.replace(" ", "") in text.replace(" ", "")
            or bool(re.search(r"-\s?\d+\s?-", text)) or bool(JUNK.search(text))
            or holds_added(normalised(text)))


def _analyze(text: str, hard_wrapped: bool) -> list[tuple[str, tuple[str, ...]]]:
    return [(a.article.title, a.sentences)
            for a in analyze_text(text, Glossary(), 3, hard_wrapped=hard_wrapped)]
