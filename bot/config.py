"""Configuration: one TOML file, secrets from the environment, flags applied on top.

Built once by the CLI and passed down; nothing else reads the environment or the file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

from bot.errors import ConfigError

DEFAULT_CONFIG_NAME = "kakehashi.toml"


@dataclass(frozen=True)
class PathsConfig:
    seeds: Path = Path("seeds")
    out: Path = Path("out")
    state: Path = Path("out/state.sqlite3")
    glossary: tuple[Path, ...] = ()


@dataclass(frozen=True)
class TranslationConfig:
    from_code: str = "ja"
    to_code: str = "en"
    beam_size: int = 2
    compute_type: str = "int8"
    # 0 = fit the cores: one thread per core spread over replicas (DESIGN: replicas beat threads).
    inter_threads: int = 0
    intra_threads: int = 0
    # One batch per replica, sorted by length. "tokens": max_batch_size counts padded pieces,
    # "examples": sentences. Measured at the real model's shape on 2 cores (bench/README.md,
    # engine table): the settings ran at about one rate there; memory differs: 32 sentences
    # per batch peaked at ~750 MB, 1024 pieces at ~460 MB, and a batch counted in pieces stays
    # bounded however long the sentences are. Low-memory machines: 512 pieces (~315 MB).
    batch_type: str = "tokens"
    max_batch_size: int = 1024
    # 0 = automatic: at most 3x the input's pieces + 10 (stops runaway output).
    max_output_tokens: int = 0
    cache: bool = True


@dataclass(frozen=True)
class SourcesConfig:
    max_file_bytes: int = 20_000_000
    # A file is read once its size and mtime have not changed for this long (half-written
    # copies and downloads are left for the next run).
    settle_seconds: float = 2.0
    feeds: tuple[str, ...] = ()
    feed_timeout_seconds: float = 20.0
    max_feed_bytes: int = 5_000_000
    # The zone of feed dates written without one (dates with an offset keep theirs): the
    # sources are Japanese, and a Japanese site's bare time is Japan time.
    timezone: str = "Asia/Tokyo"
    # Symbolic links in the watched folder are skipped (and listed) unless this is on; then
    # they are read wherever they point, loops and dangling links still listed.
    follow_symlinks: bool = False


@dataclass(frozen=True)
class DigestConfig:
    summary_sentences: int = 3
    # Japanese characters per article's summary: with its English (2-3x as long), both
    # titles and the source line, one article fits one Telegram message (4096).
    summary_chars: int = 500


@dataclass(frozen=True)
class GlossaryConfig:
    # Hold back entries with a term that could not be rendered as agreed, until released.
    strict: bool = False


@dataclass(frozen=True)
class FeedConfig:
    title: str = "Kakehashi digest"
    description: str = "English digest of Japanese-language reporting on China and Central Asia"
    # Where OUT/ is served: the feed's self link, the link of items without a source URL (their
    # page in the web archive), and the article links in Telegram messages (a loopback host is
    # never given to subscribers, who cannot open it).
    site_url: str = "http://localhost:8000/"
    max_items: int = 200


@dataclass(frozen=True)
class TelegramConfig:
    token: str = field(default="", repr=False)
    chat_id: str = ""
    api_base_url: str = ""
    # A message that may or may not have arrived (a send that timed out, or a process that
    # stopped between the send and its record): "resend" it (at-least-once: it may appear
    # twice) or "hold" it until `kakehashi release --messages` (never a duplicate).
    uncertain: str = "resend"


@dataclass(frozen=True)
class ScheduleConfig:
    interval_minutes: float = 30.0
    # How long a job waits for another process working on the same state file.
    lock_wait_seconds: float = 600.0


@dataclass(frozen=True)
class LogConfig:
    # debug | info | warning | error; --verbose (debug) and --quiet (warning) override it.
    level: str = "info"
    # "text": `2026-11-26T10:00:00Z INFO message`; "json": one object per line.
    format: str = "text"


@dataclass(frozen=True)
class Config:
    paths: PathsConfig = field(default_factory=PathsConfig)
    translation: TranslationConfig = field(default_factory=TranslationConfig)
    sources: SourcesConfig = field(default_factory=SourcesConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    glossary: GlossaryConfig = field(default_factory=GlossaryConfig)
    feed: FeedConfig = field(default_factory=FeedConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    log: LogConfig = field(default_factory=LogConfig)

    def validate(self) -> Config:
        """Check values that types alone do not catch; return self for chaining."""
        t = self.translation
        if t.beam_size < 1 or t.max_batch_size < 1:
            raise ConfigError("config: translation.beam_size and max_batch_size must be >= 1")
        if t.batch_type not in ("examples", "tokens"):
            raise ConfigError('config: translation.batch_type must be "examples" or "tokens"')
        if t.inter_threads < 0 or t.intra_threads < 0 or t.max_output_tokens < 0:
            raise ConfigError("config: translation thread counts and max_output_tokens must be"
                              " >= 0 (0 = automatic)")
        if self.digest.summary_sentences < 1 or self.digest.summary_chars < 1:
            raise ConfigError("config: digest.summary_sentences and summary_chars must be >= 1")
        s = self.sources
        if s.max_file_bytes < 1 or s.settle_seconds < 0 or s.feed_timeout_seconds <= 0:
            raise ConfigError("config: sources limits must be positive")
        bad = [url for url in s.feeds if not url.startswith(("http://", "https://"))]
        if bad:
            raise ConfigError(f"config: sources.feeds: not an http(s) URL: {bad[0]}")
        load_zone(s.timezone)
        if self.schedule.interval_minutes <= 0:
            raise ConfigError("config: schedule.interval_minutes must be > 0")
        if self.schedule.lock_wait_seconds < 0:
            raise ConfigError("config: schedule.lock_wait_seconds must be >= 0")
        if self.telegram.uncertain not in ("resend", "hold"):
            raise ConfigError('config: telegram.uncertain must be "resend" or "hold"')
        if not self.feed.site_url.startswith(("http://", "https://")):
            raise ConfigError("config: feed.site_url must be an absolute http(s) URL")
        if self.log.level not in ("debug", "info", "warning", "error"):
            raise ConfigError('config: log.level must be "debug", "info", "warning" or "error"')
        if self.log.format not in ("text", "json"):
            raise ConfigError('config: log.format must be "text" or "json"')
        return self


def load_zone(name: str) -> tzinfo:
    """An IANA time zone by name; ConfigError when the system's zone database lacks it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name == "Asia/Tokyo":  # no DST since 1951: exact without a zone database
            return timezone(timedelta(hours=9), "JST")
        raise ConfigError(f"config: sources.timezone: unknown time zone {name!r} (an IANA name"
                          " such as 'Asia/Tokyo' or 'UTC')") from None


def load_config(path: Path | None, environ: Mapping[str, str]) -> Config:
    """Read the TOML file (if any) and the environment into a validated Config."""
    if path is None and "KAKEHASHI_CONFIG" in environ:
        path = Path(environ["KAKEHASHI_CONFIG"])
    if path is None and Path(DEFAULT_CONFIG_NAME).is_file():
        path = Path(DEFAULT_CONFIG_NAME)
    data: dict[str, Any] = {}
    base = Path(".")
    if path is not None:
        data = _read_toml(path)
        base = path.parent
    sections = {f.name: f.type for f in fields(Config)}
    unknown = set(data) - set(sections)
    if unknown:
        raise ConfigError(f"config: unknown section [{sorted(unknown)[0]}] in {path}")
    config = Config(
        paths=_paths(data.get("paths", {}), base),
        translation=_section(TranslationConfig, data.get("translation", {})),
        sources=_section(SourcesConfig, data.get("sources", {})),
        digest=_section(DigestConfig, data.get("digest", {})),
        glossary=_section(GlossaryConfig, data.get("glossary", {})),
        feed=_section(FeedConfig, data.get("feed", {})),
        telegram=_telegram(data.get("telegram", {}), environ),
        schedule=_section(ScheduleConfig, data.get("schedule", {})),
        log=_section(LogConfig, data.get("log", {})),
    )
    return config.validate()


def override_paths(
    config: Config, seeds: Path | None = None, out: Path | None = None, state: Path | None = None
) -> Config:
    """Apply command-line path flags (None = not given) on top of the file."""
    paths = config.paths
    paths = replace(paths, seeds=seeds) if seeds is not None else paths
    paths = replace(paths, out=out) if out is not None else paths
    paths = replace(paths, state=state) if state is not None else paths
    return replace(config, paths=paths)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config: file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config: {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"config: cannot read {path}: {exc.strerror}") from None


def _section(cls: Any, raw: Any) -> Any:
    """Build one section dataclass, rejecting unknown keys and wrong types."""
    name = cls.__name__.removesuffix("Config").lower()
    if not isinstance(raw, dict):
        raise ConfigError(f"config: [{name}] must be a table")
    known = {f.name: f for f in fields(cls)}
    values = dict(raw)
    for key, value in raw.items():
        if key not in known or key == "token":
            raise ConfigError(f"config: unknown key {name}.{key}")
        expected = type(getattr(cls(), key))
        if expected is tuple:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"config: {name}.{key} must be a list of strings")
            values[key] = tuple(value)
            continue
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            raise ConfigError(f"config: {name}.{key} must be {expected.__name__}")
    return cls(**values)


def _paths(raw: Any, base: Path) -> PathsConfig:
    if not isinstance(raw, dict):
        raise ConfigError("config: [paths] must be a table")
    known = {f.name for f in fields(PathsConfig)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(f"config: unknown key paths.{key}")
        if key == "glossary":
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                raise ConfigError("config: paths.glossary must be a path or a list of paths")
            values[key] = tuple(_resolve(base, v) for v in items)
        elif isinstance(value, str):
            values[key] = _resolve(base, value)
        else:
            raise ConfigError(f"config: paths.{key} must be a string")
    return PathsConfig(**values)


def _resolve(base: Path, value: str) -> Path:
    # Paths in a config file are relative to that file, so the file can be used from anywhere.
    return base / os.path.expanduser(value)


def _telegram(raw: Any, environ: Mapping[str, str]) -> TelegramConfig:
    section: TelegramConfig = _section(TelegramConfig, raw)
    return replace(
        section,
        token=environ.get("TELEGRAM_BOT_TOKEN", ""),
        chat_id=environ.get("TELEGRAM_CHAT_ID", section.chat_id),
        api_base_url=environ.get("TELEGRAM_API_BASE_URL", section.api_base_url),
    )
