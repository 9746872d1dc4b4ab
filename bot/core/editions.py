"""The editions a worker publishes: each a digest, a feed and an archive section of its own,
built once from the config (bot.config.editions.editions_of) and passed down.

The default edition is today's single channel ([telegram], [feed], [schedule]): its digests,
outbox rows (channel "telegram"), feed.xml and archive at the root of OUT/ are where they
always were. Every `[[editions]]` table adds one, under OUT/NAME/."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.channels import TELEGRAM

DEFAULT_EDITION = "default"


@dataclass(frozen=True)
class EditionFilter:
    """Which articles an edition takes (empty lists let everything through)."""

    keywords: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not (self.keywords or self.sources or self.exclude_keywords)


@dataclass(frozen=True)
class Edition:
    """One edition, as the run, the state and the chat bot see it."""

    name: str
    chat_id: str
    feed_file: str  # relative to OUT/
    title: str
    mode: str  # "immediate" | "scheduled"
    digest_times: tuple[str, ...]
    timezone: str
    filter: EditionFilter = field(default_factory=EditionFilter)
    # Without a chat, a named edition queues no Telegram messages at all (a feed only); the
    # default one keeps today's behaviour (previews without a token) unless others exist.
    queues_telegram: bool = True

    @property
    def default(self) -> bool:
        return self.name == DEFAULT_EDITION

    @property
    def key(self) -> str:
        """The edition's key in the state file ("" for the default: its original tables)."""
        return "" if self.default else self.name

    @property
    def channel(self) -> str:
        """The outbox channel of its Telegram messages: "telegram", or "telegram.NAME"."""
        return TELEGRAM if self.default else f"{TELEGRAM}.{self.name}"

    @property
    def folder(self) -> str:
        """Its archive section under OUT/ ("" for the default: OUT/ itself)."""
        return "" if self.default else self.name


def edition_of_channel(channel: str) -> str | None:
    """The name of the edition whose Telegram messages go on outbox `channel` ("default" for
    "telegram", NAME for "telegram.NAME"); None for a channel of no edition."""
    if channel == TELEGRAM:
        return DEFAULT_EDITION
    name = channel.removeprefix(f"{TELEGRAM}.")
    return name if name != channel and name else None
