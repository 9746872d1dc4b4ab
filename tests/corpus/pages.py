"""Real pages (tests/corpus/pages) read as the product reads them, and what came out of them.

Each page goes through `read_document` and `analyze_text`, its articles' sources are completed
as ingest completes them (`place_articles`, with no file date), and
the output is held against the page's gold file (pages/README.md says what a unit is):

- whole: gold units that come out as exactly one output sentence or title (white space and
  width normalised as in layouts.py);
- junk: output sentences and titles that are no gold unit, each gold unit absorbing as many
  outputs as it occurs (a table of contents repeating the headings is junk); tool_lines: the
  junk lines that are a reader tool (share, print, furigana, previous/next, library card…);
- glued: output sentences where a ruby base is followed by its reading (`御釈迦様(おしゃかさま)`);
- the first article's title against the headline, its date and URL against the page's own.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from bot.core.model import SourceInfo
from bot.glossary import Glossary
from bot.run.pipeline import analyze_text, place_articles
from bot.sources.encodings import decode_bytes
from bot.sources.readers import read_document
from bot.text.bound import MAX_SENTENCE_CHARS
from bot.text.sentences import split_sentences
from tests.corpus.layouts import normalised

PAGES_DIR = Path(__file__).resolve().parent / "pages"
# Page → kind: "news" and "ruby" pages are held to the news targets, "manual" and "mail" to
# the long-document ones (tests/test_pages.py).
PAGES = {
    "baldanders-putty-0.81.html": "news",
    "aozora-kumo-no-ito.html": "ruby",
    "debian-faq-redistributing.html": "manual",
    "fml-tutorial-intro.html": "manual",
    "fml-announce.txt": "mail",
}
_TOOL_WORDS = ("図書カード", "目次", "戻る", "次へ", "前へ", "ホーム", "トップ", "印刷", "シェア",
               "ツイート", "ふりがな", "フリガナ", "ルビ", "文字サイズ", "文字の大きさ", "音声",
               "読み上げ", "辞書", "表示", "非表示", "する", "しない", "を", "Previous", "Prev",
               "Next", "Home", "Up", "Top", "Share", "this", "entry", "Tweet", "Print", "Tags",
               "Table", "of", "Contents")
# A line made of nothing but tool words and punctuation (`PrevHomeNext`, `●図書カード`).
_TOOL_ALTERNATIVES = "|".join(_TOOL_WORDS)
_TOOL_LINE = re.compile(rf"^[\W_]*(?:(?:{_TOOL_ALTERNATIVES})[\W_]*)+$", re.IGNORECASE)


@dataclass(frozen=True)
class Gold:
    title: str
    date: str  # YYYY-MM-DD, or "" where the page states none
    url: str
    units: tuple[str, ...]


def load_gold(name: str) -> Gold:
    """The gold file beside page `name` (NAME.gold.txt for NAME.html or NAME.txt)."""
    path = PAGES_DIR / (name.rsplit(".", 1)[0] + ".gold.txt")
    title, meta = "", {"date": "", "url": ""}
    units: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(": ")
        if line.startswith("# ") and not title:
            title = line[2:]
        elif key in meta and not units and value:
            meta[key] = value.strip()
        elif line.strip():
            units.append(line)
    return Gold(title, meta["date"], meta["url"], tuple(units))


class _Ruby(HTMLParser):
    """(base, reading) of every <ruby> in a page; <rp> brackets are neither."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self._base: list[str] | None = None
        self._reading: list[str] = []
        self._in = ""  # "rt" or "rp" while inside one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "ruby":
            self._base, self._reading = [], []
        elif tag in ("rt", "rp"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag in ("rt", "rp"):
            self._in = ""
        elif tag == "ruby" and self._base is not None:
            self.pairs.append(("".join(self._base), "".join(self._reading)))
            self._base = None

    def handle_data(self, data: str) -> None:
        if self._base is None or self._in == "rp":
            return
        (self._reading if self._in == "rt" else self._base).append(data)


def ruby_pairs(data: bytes) -> list[tuple[str, str]]:
    """Every (base, reading) the page marks up with <ruby>, NFKC, both non-empty."""
    parser = _Ruby()
    parser.feed(decode_bytes(data))
    pairs = {(_nfkc(b), _nfkc(r)) for b, r in parser.pairs}
    return sorted((b, r) for b, r in pairs if b and r)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def norm(text: str) -> str:
    """A unit as compared: layouts.py's normalisation, and no `+ ` list marker either."""
    return re.sub(r"^\+\s", "", normalised(text))


@dataclass(frozen=True)
class PageOutcome:
    name: str
    kind: str
    gold: int  # gold units
    whole: int  # gold units that came out as one output sentence or title
    output: int  # output sentences and titles
    junk: tuple[str, ...]  # outputs that are no gold unit
    tool_lines: int  # junk lines that are a reader tool
    glued: int  # output sentences with a reading glued to its word
    title_ok: bool
    date_ok: bool | None  # None: the page states no date
    url_ok: bool | None  # None: the page states no canonical URL

    @property
    def recall(self) -> float:
        return self.whole / self.gold if self.gold else 0.0


def measure_page(name: str) -> PageOutcome:
    """Read page `name` as the product does (reader, analysis, ingest's source rules)."""
    data = (PAGES_DIR / name).read_bytes()
    reading = read_document(name, data)
    analyses = analyze_text(reading.text, Glossary(), 3, hard_wrapped=reading.hard_wrapped)
    # No file date: only what the page itself says may date it.
    analyses = place_articles(analyses, reading.text, reading.source, "")
    titles = [a.article.title for a in analyses]
    sentences = [s for a in analyses for s in a.sentences]
    source = analyses[0].article.source if analyses else SourceInfo()
    return score(name, load_gold(name), titles, sentences, source, ruby_pairs(data))


def score(name: str, gold: Gold, titles: list[str], sentences: list[str], source: SourceInfo,
          pairs: list[tuple[str, str]]) -> PageOutcome:
    """Hold one page's output (article titles, sentences, first article's source) to its gold."""
    units = [norm(u) for u in gold.units]
    outputs = {norm(s) for s in sentences} | {norm(t) for t in titles}
    outputs |= {norm(piece) for t in titles for piece in split_sentences(t)}
    # A unit over the model's bound is cut on purpose (bot/text/bound.py): whole when its
    # pieces come out one after another.
    outputs |= {norm(unit) for unit in gold.units
                if len(unit) > MAX_SENTENCE_CHARS and _cut_whole(unit, sentences)}
    junk = find_junk(gold, titles, sentences)
    return PageOutcome(
        name=name, kind=PAGES.get(name, ""), gold=len(units),
        whole=sum(1 for u in units if u in outputs),
        output=len(titles) + len(sentences), junk=tuple(junk),
        tool_lines=sum(1 for line in junk if _TOOL_LINE.match(norm(line))),
        glued=count_glued(sentences, pairs, gold.units),
        title_ok=bool(titles) and norm(titles[0]) == norm(gold.title),
        date_ok=source.published[:10] == gold.date if gold.date else None,
        url_ok=source.url == gold.url if gold.url else None,
    )


def _cut_whole(unit: str, sentences: list[str]) -> bool:
    """Does `unit` come out as consecutive pieces (each at most the bound)?"""
    want = re.sub(r"\s+", "", norm(unit))
    got = [re.sub(r"\s+", "", norm(s)) for s in sentences]
    for start, first in enumerate(got):
        if not want.startswith(first):
            continue
        joined = ""
        for piece in got[start:]:
            joined += piece
            if joined == want:
                return True
            if not want.startswith(joined):
                break
    return False


def find_junk(gold: Gold, titles: list[str], sentences: list[str]) -> list[str]:
    """Outputs left over once each gold unit (and the headline) has absorbed its copies."""
    pool = Counter(norm(u) for u in gold.units) + Counter([norm(gold.title)])
    junk = []
    for title in titles:
        # A heading of two sentences becomes one title: its sentences are the gold units.
        pieces = [title] if pool[norm(title)] else split_sentences(title) or [title]
        junk += [piece for piece in pieces if not _take(pool, norm(piece))]
    return junk + [s for s in sentences if not _take(pool, norm(s))]


def _take(pool: Counter[str], key: str) -> bool:
    if pool[key] <= 0:
        return False
    pool[key] -= 1
    return True


def count_glued(sentences: list[str], pairs: list[tuple[str, str]],
                gold: tuple[str, ...]) -> int:
    """Output sentences where a ruby base is followed by its reading, bracketed or not (bare
    only for readings of two or more kana: a one-kana reading bare is too often just text);
    a pair the gold itself writes that way is the author's, not a reader's glue."""
    text = _nfkc("\n".join(gold))
    patterns = []
    for base, reading in pairs:
        glued = [f"{base}({reading})"] + ([base + reading] if len(reading) > 1 else [])
        patterns += [g for g in glued if g not in text]
    return sum(1 for s in sentences if any(p in _nfkc(s) for p in patterns))


def measure_all() -> list[PageOutcome]:
    """Every page of the corpus, in the order of `PAGES`."""
    return [measure_page(name) for name in PAGES]
