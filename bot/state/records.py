"""What the state file hands out: the states it stores (as enums whose values are the strings
in its columns, so an older file reads the same) and its rows as named frozen records.

The SQL that fills them is in bot/state (store, outbox, feedlog); callers read fields by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.core.channels import TELEGRAM


class DeliveryStatus(StrEnum):
    """Where a message of the outbox stands (the deliveries table's `status` column)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    REJECTED = "rejected"
    HELD = "held"
    PREVIEW = "preview"


class DocumentStatus(StrEnum):
    """What became of a document (the documents table's `status` column)."""

    DONE = "done"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Message:
    """One message of a digest, as queued."""

    digest_id: int
    part: int
    body: str


@dataclass(frozen=True, order=True)
class MessageRef:
    """One row of the outbox by name: what `release --messages` takes and `status` shows.

    Written DIGEST:PART for the Telegram channel and CHANNEL:DIGEST:PART for another, so the
    one channel there is today keeps its short form."""

    channel: str
    digest_id: int
    part: int

    @property
    def key(self) -> tuple[str, int, int]:
        """(channel, digest, part): the outbox's key, as query parameters."""
        return (self.channel, self.digest_id, self.part)

    def __str__(self) -> str:
        key = f"{self.digest_id}:{self.part}"
        return key if self.channel == TELEGRAM else f"{self.channel}:{key}"

    @classmethod
    def parse(cls, text: str) -> MessageRef:
        """The reference `text` names (as `str` writes it; "#3:2" too); ValueError if none."""
        found = _REF.fullmatch(text)
        if found is None:
            raise ValueError(f"{text!r} is not DIGEST:PART (e.g. 3:2; CHANNEL:DIGEST:PART on "
                             "a channel other than Telegram)")
        channel, digest, part = found.groups()
        return cls(channel or TELEGRAM, int(digest), int(part))


# A channel name never starts with a digit, so "3:2" is never channel 3, digest 2.
_REF = re.compile(r"(?:([^\d:][^:]*):)?#?(\d+):(\d+)", re.ASCII)


@dataclass(frozen=True)
class Delivery:
    """A message that needs an editor's eye in `status` (rejected, held, claimed)."""

    channel: str
    digest_id: int
    part: int
    status: DeliveryStatus
    detail: str
    claimed_by: str
    claimed_at: str

    @property
    def ref(self) -> MessageRef:
        return MessageRef(self.channel, self.digest_id, self.part)


@dataclass(frozen=True)
class DocumentRecord:
    """A document the store has seen, and what became of it."""

    name: str
    seen_at: str  # ISO 8601
    status: DocumentStatus
    reason: str
    articles: int


@dataclass(frozen=True)
class StoreCounts:
    """The state file's totals, in the order `status` lists them (its field names)."""

    documents: int
    entries: int
    pending: int  # entries waiting for the next digest
    held: int  # entries held back for an editor
    digests: int
    undelivered: int  # messages pending, being sent, or held
    cached_translations: int


@dataclass(frozen=True)
class TermFailure:
    """A stored entry with glossary terms not rendered as agreed."""

    guid: str
    document: str
    terms: str  # the failed terms, comma-separated
    held: bool


@dataclass(frozen=True)
class EditorCheck:
    """A recent entry with checks an editor should look at: numbers that changed in
    translation, glossary terms not rendered as agreed."""

    guid: str
    document: str
    notes: str  # the first few notes, joined, with a count of the rest


@dataclass(frozen=True)
class SavedFeed:
    """What the store kept of a feed's last poll."""

    etag: str
    modified: str
    failures: int
    next_poll: float
    last_error: str


@dataclass(frozen=True)
class FailingFeed:
    """A feed whose last poll failed."""

    url: str
    failures: int  # in a row
    last_error: str


@dataclass(frozen=True)
class FeedWarning:
    """A feed whose last poll worked only in part (malformed XML)."""

    url: str
    warning: str


@dataclass(frozen=True)
class SavedPage:
    """What the store kept of an article page's last fetch (a full_text feed's entry)."""

    etag: str
    modified: str
    text: str  # the article's text without its headline; "" when it could not be read
    published: str  # the page's own date, ISO 8601, or ""
    reason: str  # why the entry kept its teaser, or ""


@dataclass(frozen=True)
class TeaserOnly:
    """A full_text feed's entry published from its teaser: its page, and why."""

    url: str
    reason: str
    fetched_at: float  # unix time
