"""Real pages (tests/corpus/pages): what a reader of the page reads comes out whole, and only that.

The targets: on news pages, with and without furigana, at least 90 % of the gold units come out
as one output sentence, no reading is glued to its word, the title is the headline without the
site's suffix, no junk line is a reader tool, and the page's own date and canonical URL are
used where the page states them; on the reference manual and the mail, at least 97 % come out
whole and nothing else comes out.
"""

from __future__ import annotations

import pytest

from bot.core.model import SourceInfo
from tests.corpus.pages import (
    PAGES,
    PAGES_DIR,
    PageOutcome,
    load_gold,
    measure_page,
    ruby_pairs,
    score,
)

NEWS = [name for name, kind in PAGES.items() if kind in ("news", "ruby")]
LONG = [name for name, kind in PAGES.items() if kind in ("manual", "mail")]
DATED = [name for name in NEWS if load_gold(name).date]
LINKED = [name for name in NEWS if load_gold(name).url]


@pytest.fixture(scope="module")
def measured() -> dict[str, PageOutcome]:
    return {name: measure_page(name) for name in PAGES}


@pytest.mark.parametrize("name", NEWS)
def test_news_sentences_come_out_whole(measured: dict[str, PageOutcome], name: str) -> None:
    outcome = measured[name]
    assert outcome.recall >= 0.90, f"{name}: {outcome.whole}/{outcome.gold} whole"


@pytest.mark.parametrize("name", NEWS)
def test_news_readings_are_not_glued_to_words(measured: dict[str, PageOutcome], name: str) -> None:
    assert measured[name].glued == 0


@pytest.mark.parametrize("name", NEWS)
def test_news_title_is_the_headline(measured: dict[str, PageOutcome], name: str) -> None:
    assert measured[name].title_ok


@pytest.mark.parametrize("name", NEWS)
def test_news_reader_tools_stay_out(measured: dict[str, PageOutcome], name: str) -> None:
    assert measured[name].tool_lines == 0, measured[name].junk


@pytest.mark.parametrize("name", DATED)
def test_news_page_date_is_used(measured: dict[str, PageOutcome], name: str) -> None:
    assert measured[name].date_ok


@pytest.mark.parametrize("name", LINKED)
def test_news_page_canonical_url_is_used(measured: dict[str, PageOutcome], name: str) -> None:
    assert measured[name].url_ok


@pytest.mark.parametrize("name", LONG)
def test_manual_and_mail_come_out_whole(measured: dict[str, PageOutcome], name: str) -> None:
    outcome = measured[name]
    assert outcome.recall >= 0.97, f"{name}: {outcome.whole}/{outcome.gold} whole"


@pytest.mark.parametrize("name", LONG)
def test_manual_and_mail_have_no_junk(measured: dict[str, PageOutcome], name: str) -> None:
    assert measured[name].junk == ()


# The measure itself: the gold read back scores full marks, and each fault is seen.

def test_every_page_has_its_gold_and_kind() -> None:
    pages = {p.name for p in PAGES_DIR.iterdir() if p.suffix in (".html", ".txt")
             and not p.name.endswith(".gold.txt")}
    assert pages == set(PAGES)
    assert all(load_gold(name).title and load_gold(name).units for name in PAGES)


@pytest.mark.parametrize("name", list(PAGES))
def test_gold_read_back_scores_full_marks(name: str) -> None:
    gold = load_gold(name)
    pairs = ruby_pairs((PAGES_DIR / name).read_bytes())
    outcome = score(name, gold, [gold.title], list(gold.units),
                    SourceInfo(url=gold.url, published=gold.date), pairs)
    assert (outcome.whole, outcome.junk, outcome.glued) == (outcome.gold, (), 0)
    assert outcome.title_ok and outcome.date_ok is not False and outcome.url_ok is not False


def test_faults_are_counted() -> None:
    name = "aozora-kumo-no-ito.html"
    gold = load_gold(name)
    pairs = ruby_pairs((PAGES_DIR / name).read_bytes())
    assert ("御釈迦様", "おしゃかさま") in pairs
    glued = gold.units[2].replace("御釈迦様", "御釈迦様(おしゃかさま)")
    outcome = score(name, gold, ["芥川龍之介 蜘蛛の糸"], [*gold.units[:2], glued, "●図書カード"],
                    SourceInfo(), pairs)
    assert (outcome.whole, outcome.glued, outcome.tool_lines) == (2, 1, 1)
    # A title that is not the headline is junk too.
    assert not outcome.title_ok and outcome.junk == ("芥川龍之介 蜘蛛の糸", glued, "●図書カード")
    assert outcome.date_ok is None and outcome.url_ok is None


def test_a_heading_repeated_by_a_table_of_contents_is_junk() -> None:
    name = "debian-faq-redistributing.html"
    gold = load_gold(name)
    outcome = score(name, gold, [gold.title], [gold.units[0], *gold.units], SourceInfo(), [])
    assert outcome.whole == outcome.gold and outcome.junk == (gold.units[0],)
