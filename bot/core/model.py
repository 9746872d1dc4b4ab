"""The values passed between stages: frozen dataclasses, no behaviour beyond derived fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SourceInfo:
    """Where an article came from, for the digest's source line (never body text)."""

    site: str = ""
    url: str = ""
    original_title: str = ""
    published: str = ""  # ISO 8601 date or date-time of the article itself, when known
    # Where `published` came from: "feed" (the entry's date), "page" (the document's own
    # metadata: a web page's meta tags, a mail's Date, front matter), "text" (a date line in
    # the document), "file" (the file's modification date), or "" (unknown).
    published_from: str = ""


@dataclass(frozen=True)
class Reading:
    """A file as its format's reader understood it: the text (headline first, when the format
    names one) and what the format says about the document (canonical URL, site, date)."""

    text: str
    source: SourceInfo = field(default_factory=SourceInfo)
    hard_wrapped: bool = False  # line breaks come from a page layout (PDF), not the author


@dataclass(frozen=True)
class Document:
    """One input as read: a file in the watched folder (later: a feed entry)."""

    name: str
    content_hash: str
    text: str
    hard_wrapped: bool = False  # line breaks come from a page layout (PDF), not the author
    published: str = ""  # the file's date (ISO 8601), the last resort for its articles' date
    # What the document's format says of every article in it (a page's canonical URL and
    # date): used where an article's own text says nothing.
    source: SourceInfo = field(default_factory=SourceInfo)
    origin: str = ""  # the feed's URL for a feed entry (what an edition's `sources` names)


@dataclass(frozen=True)
class Article:
    """One article cut out of a document, cleaned: a title and its paragraphs."""

    title: str
    paragraphs: tuple[str, ...]
    source: SourceInfo = field(default_factory=SourceInfo)


@dataclass(frozen=True)
class Term:
    """A glossary term found in Japanese text, with its one agreed English rendering.

    status: "found" (in the article), "enforced" (verified in the English) or "failed".
    """

    ja: str
    en: str
    status: str = "found"


@dataclass(frozen=True)
class Analysis:
    """An article split into sentences, with its key sentences and glossary terms."""

    article: Article
    sentences: tuple[str, ...]
    summary: tuple[int, ...]
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Pair:
    """One Japanese source sentence beside its English translation."""

    ja: str
    en: str


@dataclass(frozen=True)
class Entry:
    """One translated article, ready for a digest."""

    guid: str
    document: str
    title_ja: str
    title_en: str
    pairs: tuple[Pair, ...]
    terms: tuple[Term, ...]
    warnings: tuple[str, ...]
    source: SourceInfo
    created: datetime
    # The other sources of the same story (near-duplicates merged into this entry: reprints,
    # the press release behind it), in the order they were met.
    also: tuple[SourceInfo, ...] = ()


@dataclass(frozen=True)
class Digest:
    """The entries published together in one run."""

    id: int
    created: datetime
    entries: tuple[Entry, ...]
