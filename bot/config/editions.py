"""`[[editions]]`: read, checked, and turned into the Edition records the run passes down.

Each broken rule is a one-line ConfigError naming the edition and the key."""

from __future__ import annotations

import re
from dataclasses import fields, replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from bot.config.times import load_zone, parse_clock
from bot.core.editions import DEFAULT_EDITION, Edition, EditionFilter
from bot.core.errors import ConfigError

if TYPE_CHECKING:
    from bot.config.sections import Config, EditionConfig, ScheduleConfig

# A name is a folder of OUT/ and part of an outbox channel: lower-case letters, digits, - and _.
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
# What OUT/ holds already: an edition's folder may not take these names.
RESERVED = frozenset({DEFAULT_EDITION, "digests", "articles", "sources", "telegram",
                      "pagefind", "state"})


def read_editions(raw: Any, schedule: ScheduleConfig) -> tuple[EditionConfig, ...]:
    """The `[[editions]]` tables, schedule keys filled in from `[schedule]`."""
    from bot.config.sections import EditionConfig

    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise ConfigError("config: editions must be an array of tables ([[editions]])")
    known = {f.name for f in fields(EditionConfig)}
    editions = []
    for number, table in enumerate(raw, 1):
        where = f"editions[{number}]" if not isinstance(table.get("name"), str) else \
            f"editions.{table['name']}"
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in known:
                raise ConfigError(f"config: unknown key {where}.{key}")
            values[key] = _value(where, key, value, getattr(EditionConfig(), key))
        edition = EditionConfig(**values)
        editions.append(replace(edition, mode=edition.mode or schedule.mode,
                                digest_times=edition.digest_times or schedule.digest_times,
                                timezone=edition.timezone or schedule.timezone))
    return tuple(editions)


def _value(where: str, key: str, value: Any, default: Any) -> Any:
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"config: {where}.{key} must be a list of non-empty strings")
        return tuple(value)
    if key == "chat_id" and type(value) is int:
        return str(value)  # a chat id written as a TOML integer
    if not isinstance(value, str):
        raise ConfigError(f"config: {where}.{key} must be a string")
    return value


def check_editions(config: Config) -> None:
    """Names safe and unique, feed files under OUT/ and unique, schedules valid."""
    names: set[str] = set()
    feeds = {"feed.xml"}
    for edition in config.editions:
        name = edition.name
        if not _NAME.fullmatch(name):
            raise ConfigError(f"config: editions: name {name!r} must be 1-40 of a-z, 0-9, "
                              "- and _, first a letter or digit (it names a folder of OUT/)")
        if name in RESERVED:
            raise ConfigError(f"config: editions: the name {name!r} is taken (reserved: "
                              f"{', '.join(sorted(RESERVED))})")
        if name in names:
            raise ConfigError(f"config: editions: name {name!r} is used twice")
        names.add(name)
        feed = feed_file_of(edition)
        if not _safe_file(feed):
            raise ConfigError(f"config: editions.{name}.feed_file {feed!r} must be a file "
                              "under OUT/ or one folder of it, ending in .xml (no '..')")
        if feed in feeds:
            raise ConfigError(f"config: editions.{name}.feed_file {feed!r} is used twice "
                              "(feed.xml is the default edition's)")
        feeds.add(feed)
        if edition.chat_id and edition.chat_id == config.telegram.alert_chat_id:
            raise ConfigError(f"config: editions.{name}.chat_id is the alert chat: alerts go "
                              "to an admin chat only")
        _check_schedule(edition)


def _safe_file(path: str) -> bool:
    """A file of OUT/ or of one folder of it (as `kakehashi serve` serves them: a folder
    that is not one of the archive's own)."""
    parts = PurePosixPath(path).parts
    return (bool(parts) and not path.startswith("/") and ".." not in parts and "\\" not in path
            and path.endswith(".xml") and all(_NAME.fullmatch(p.removesuffix(".xml"))
                                               for p in parts)
            and (len(parts) == 1 or (len(parts) == 2 and parts[0] not in RESERVED)))


def _check_schedule(edition: EditionConfig) -> None:
    where = f"editions.{edition.name}"
    if edition.mode not in ("immediate", "scheduled"):
        raise ConfigError(f'config: {where}.mode must be "immediate" or "scheduled"')
    if edition.mode == "scheduled" and not edition.digest_times:
        raise ConfigError(f'config: {where}.mode = "scheduled" needs digest_times, e.g. '
                          '["08:00"]')
    for value in edition.digest_times:
        parse_clock(value)
    load_zone(edition.timezone, f"{where}.timezone")


def feed_file_of(edition: EditionConfig) -> str:
    """The edition's feed file under OUT/ (NAME/feed.xml unless set)."""
    return edition.feed_file or f"{edition.name}/feed.xml"


def editions_of(config: Config) -> tuple[Edition, ...]:
    """Every edition of `config`, the default one first."""
    s = config.schedule
    default = Edition(DEFAULT_EDITION, config.telegram.chat_id, "feed.xml", config.feed.title,
                      s.mode, s.digest_times, s.timezone,
                      queues_telegram=bool(config.telegram.chat_id or not config.editions
                                           or not config.telegram.token))
    named = tuple(Edition(e.name, e.chat_id, feed_file_of(e),
                          e.title or f"{config.feed.title} · {e.name}", e.mode,
                          e.digest_times, e.timezone,
                          EditionFilter(e.keywords, e.sources, e.exclude_keywords),
                          queues_telegram=bool(e.chat_id))
                  for e in config.editions)
    return (default, *named)
