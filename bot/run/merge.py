"""One story told once: an article whose Japanese text is near-identical to one already kept
(earlier in this run, or stored within `digest.merge_window_days`) becomes another source of
that entry instead of an entry of its own, and is never translated.

The hook sits in ingest, after the exact text-key check and before the translation queue:
the one place every article of files and feeds passes through once, before any model work.
The first article met is the one kept: it may already be queued, translated or published
(its guid, its Telegram message), so a later reprint only adds its source to it. The
signatures of kept articles and the merges are written with the documents (the stream's
`after_stored`), so a crash before that leaves nothing half-recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.config.sections import Config, DigestConfig
from bot.core.errors import StoreError
from bot.core.model import Analysis, Article, SourceInfo
from bot.state.records import DocumentStatus
from bot.state.store import Store
from bot.state.storylog import Merge, StoredStory
from bot.text.neardup import Signature, SignatureSet, signature


@dataclass(frozen=True)
class Joined:
    """An article of a document merged into an entry kept before it."""

    key: str  # the article's key
    title: str  # its own title
    source: SourceInfo
    guid: str  # the entry it joins
    kept_title: str  # that entry's Japanese title
    similarity: float


@dataclass(frozen=True)
class Kept:
    """An article kept as an entry of its own, with its signature (stored with it)."""

    guid: str
    title: str
    signature: Signature


@dataclass
class Stories:
    """The signatures an article is compared with: the window's stored entries, then the
    articles kept so far in this run, oldest first."""

    threshold: float
    guids: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    signatures: SignatureSet = field(default_factory=SignatureSet)

    @classmethod
    def load(cls, store: Store, digest: DigestConfig, now: datetime) -> Stories:
        stories = cls(digest.merge_threshold)
        if digest.merge_threshold > 0:
            for row in store.stories().since(now - timedelta(days=digest.merge_window_days)):
                stories.add(row.guid, row.title,
                            Signature(row.values, row.shingles, row.figures))
        return stories

    def add(self, guid: str, title: str, sig: Signature) -> None:
        self.guids.append(guid)
        self.titles.append(title)
        self.signatures.add(sig)

    def match(self, sig: Signature) -> tuple[str, str, float] | None:
        """(guid, title, similarity) of the closest kept story at or over the threshold."""
        found = self.signatures.best(sig, self.threshold)
        if found is None:
            return None
        index, score = found
        return self.guids[index], self.titles[index], score


def story_text(article: Article) -> str:
    """What is compared: the title and the body (normalised by bot.text.neardup)."""
    return "\n".join((article.title, *article.paragraphs))


def split_merged(stories: Stories, analyses: Sequence[Analysis], fresh: dict[str, int],
                 guids: dict[str, str]) -> tuple[dict[str, int], list[Kept], list[Joined]]:
    """`fresh` (article key → position) parted into the articles kept and those merged into
    a story kept before; `guids`: each fresh article's guid were it kept."""
    if stories.threshold <= 0:  # merging off: nothing compared, nothing kept for later
        return dict(fresh), [], []
    kept: dict[str, int] = {}
    signatures: list[Kept] = []
    joined: list[Joined] = []
    for key, position in fresh.items():
        article = analyses[position].article
        sig = signature(story_text(article))
        if found := stories.match(sig):
            joined.append(Joined(key, article.title, article.source, *found))
            continue
        kept[key] = position
        stories.add(guids[key], article.title, sig)
        signatures.append(Kept(guids[key], article.title, sig))
    return kept, signatures, joined


def record(store: Store, name: str, now: datetime, kept: Sequence[Kept],
           joined: Sequence[Joined], skipped: tuple[str, str] | None = None) -> None:
    """Write a document's signatures and merges (inside the caller's transaction); with
    `skipped` (its key, the reason), the document as skipped: all of it was merged."""
    if skipped is not None:
        store.record_document(skipped[0], name, now, DocumentStatus.SKIPPED, skipped[1])
    log = store.stories()
    for story in kept:
        sig = story.signature
        log.add(StoredStory(story.guid, story.title, sig.values, sig.shingles, sig.figures), now)
    for merge in joined:
        log.add_source(merge.guid, merge.source)
        store.record_articles([(merge.key, merge.guid)])  # an exact copy later: known
        log.record_merge(Merge(merge.key, merge.guid, name, merge.title,
                               round(merge.similarity, 3), now.isoformat()))


def merged_reason(joined: Sequence[Joined]) -> str:
    """Why a document made no entry: each article's story, kept before."""
    stories = "; ".join(f"{j.guid} 「{j.kept_title}」 (similarity {j.similarity:.2f})"
                        for j in joined)
    return f"same story as {stories}: listed as another source of it, not published again"


def same_stories(config: Config, analyses: Sequence[Analysis], now: datetime
                 ) -> list[dict[str, object] | None]:
    """For `kakehashi inspect`: what each article would be merged into by a run now, read
    from the state file when there is one (never written): {"guid", "title", "similarity"}
    of an entry stored within the window, or {"article": i, …} of an earlier article of the
    same file; None for an article that would be an entry of its own."""
    stories = Stories(config.digest.merge_threshold)
    path = config.paths.state
    if stories.threshold > 0 and (config.paths.database or path.exists()):
        try:
            store = Store.open_read_only(config.paths.store)
        except StoreError:
            pass  # an older or foreign file: only the file's own articles are compared
        else:
            try:
                stories = Stories.load(store, config.digest, now)
            finally:
                store.close()
    found: list[dict[str, object] | None] = []
    for index, analysis in enumerate(analyses):
        sig = signature(story_text(analysis.article))
        match = stories.match(sig)
        if match is None:
            found.append(None)
            stories.add(f"article:{index}", analysis.article.title, sig)
            continue
        guid, title, score = match
        where: dict[str, object] = ({"article": int(guid.split(":")[1])}
                                    if guid.startswith("article:") else {"guid": guid})
        found.append({**where, "title": title, "similarity": round(score, 3)})
    return found
