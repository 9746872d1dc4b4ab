"""Laid-out PDFs (reports, news, manuals set by a typesetter) come out as whole sentences.

Each document is set by reportlab's platypus with lines wrapped anywhere between characters,
a running header `技術資料  n / total` and footer on every page, a table of contents with dot
leaders, headings in a larger font and bullet lists; it is then read and analysed exactly as
the pipeline does. Every sentence of the source must come out whole, as one sentence, and no
page furniture may land in any sentence or title.
"""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest

from bot.glossary import Glossary
from bot.run.pipeline import analyze_text
from bot.sources.readers import read_text
from bot.text.clean import normalize
from bot.text.sentences import split_sentences
from tests.support.make_pdf import GOTHIC, Block, Bullets, Heading, Layout, Para, make_report_pdf
from tests.support.reports import MANUAL, MANUAL_TITLE, NEWS, NEWS_TITLE, REPORT, REPORT_TITLE

HEADER = "技術資料"
LAYOUTS = {
    "indented paragraphs, narrow column": Layout(width=300),
    "spaced paragraphs, dotted leaders": Layout(indent=False, leaders=". ", footer="{n}",
                                               width=270),
    "wide column, full-width dot leaders": Layout(width=450, leaders="．", footer="- {n} -"),
    "gothic body, larger text": Layout(font=GOTHIC, body_size=12, width=330),
    # A manual's layout: justified, the chapter in the running header, a bare title page.
    "book, chapter headers": Layout(justify=True, chapter_header=True, furnish_first_page=False,
                                    leaders=". ", width=340),
}
DOCUMENTS = {
    "manual": (MANUAL_TITLE, MANUAL + REPORT + NEWS),
    "news": (NEWS_TITLE, NEWS + MANUAL + REPORT),
    "report": (REPORT_TITLE, REPORT + NEWS + MANUAL),
}


def source_sentences(blocks: tuple[Block, ...]) -> list[str]:
    """Every sentence of the source's paragraphs and list items, normalised as cleaning does."""
    texts = [b.text for b in blocks if isinstance(b, Para)]
    texts += [item for b in blocks if isinstance(b, Bullets) for item in b.items]
    return [s for text in texts for s in split_sentences(normalize(text))]


def analysed(data: bytes) -> tuple[list[str], list[str]]:
    """(titles, sentences) of a PDF read and analysed the way the pipeline does."""
    text = read_text("report.pdf", data)
    analyses = analyze_text(text, Glossary(), 3, hard_wrapped=True)
    titles = [a.article.title for a in analyses]
    sentences = [s.removeprefix("- ") for a in analyses for s in a.sentences]
    return titles, sentences


def page_texts(data: bytes) -> list[str]:
    """PDFium's plain text of each page: what the layout looks like line by line."""
    document = pdfium.PdfDocument(data)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded().replace("\r\n", "\n"))
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


@pytest.fixture(scope="module", params=sorted(LAYOUTS))
def layout(request: pytest.FixtureRequest) -> Layout:
    return LAYOUTS[request.param]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_sentence_comes_out_whole(layout: Layout, name: str):
    title, blocks = DOCUMENTS[name]
    data = make_report_pdf(None, title, blocks, layout)
    _, sentences = analysed(data)
    expected = source_sentences(blocks)
    assert len(expected) > 40
    missing = [s for s in expected if s not in sentences]
    assert missing == []
    # Nothing else became a sentence but the headings (kept as their own lines).
    headings = {normalize(b.text) for b in blocks if isinstance(b, Heading)}
    assert set(sentences) - set(expected) <= headings


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_no_furniture_in_any_sentence_or_title(layout: Layout, name: str):
    title, blocks = DOCUMENTS[name]
    data = make_report_pdf(None, title, blocks, layout)
    pages = len(page_texts(data))
    assert pages >= 3
    titles, sentences = analysed(data)
    footer = re.escape(layout.footer).replace(r"\{n\}", r"\d+")
    for text in titles + sentences:
        assert HEADER not in text, text
        assert not re.search(rf"\d+ ?/ ?{pages}\b", text), text  # the header's page count
        assert not re.fullmatch(footer, text), text
        assert not re.search(r"(?:…|\. ?|．){3,} ?\d+$", text), text  # a contents entry
        assert text != "目次"
    headings = [normalize(b.text) for b in blocks if isinstance(b, Heading)]
    for heading in headings:  # once as a heading, never again from the table of contents
        assert sum(heading in s for s in titles + sentences) == 1, heading


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_title_is_the_large_text_on_the_first_page(layout: Layout, name: str):
    title, blocks = DOCUMENTS[name]
    titles, _ = analysed(make_report_pdf(None, title, blocks, layout))
    assert titles[0] == normalize(title)
    text = read_text("report.pdf", make_report_pdf(None, title, blocks, layout))
    assert text.startswith(f"{title}\n\n")


def test_the_documents_really_have_what_is_tested(layout: Layout):
    # The plain text shows the layout these tests are about: lines cut mid-sentence, a
    # sentence cut by a page break, the header on every page, dot leaders.
    ends = []
    for title, blocks in DOCUMENTS.values():
        pages = page_texts(make_report_pdf(None, title, blocks, layout))
        lines = [line.strip() for page in pages for line in page.split("\n") if line.strip()]
        assert sum(1 for line in lines if not line.endswith("。")) > len(lines) / 2
        furnished = pages if layout.furnish_first_page else pages[1:]
        assert all(f" / {len(pages)}" in page for page in furnished)
        assert any(re.search(r"(?:…|\. |．){3,}\d+$", line) for line in lines)
        ends += [[ln.strip() for ln in page.split("\n") if ln.strip()][-1] for page in pages[1:-1]]
    assert any(not end.endswith(("。", "」")) for end in ends), ends


def test_a_sentence_across_a_page_break_is_joined():
    # One long paragraph runs over the page foot; its broken sentence comes back whole.
    sentence = "この段落は" + "ページの終わりをまたいで続く長い文であり、" * 12 + "ここで終わる。"
    blocks: tuple[Block, ...] = (Heading("長い段落"), *(Para(sentence) for _ in range(6)))
    data = make_report_pdf(None, "改ページの試験", blocks, Layout(width=300, toc=False))
    assert len(page_texts(data)) >= 2
    _, sentences = analysed(data)
    assert sentences.count(normalize(sentence)) == 6
