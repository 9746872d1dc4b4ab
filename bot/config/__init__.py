"""Configuration: one TOML file, secrets from the environment, flags applied on top.

Built once by the CLI and passed down; nothing else reads the environment or the file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from bot.config.editions import editions_of, read_editions
from bot.config.rules import check_api_base_url, check_config
from bot.config.sections import (
    Config,
    DigestConfig,
    EditionConfig,
    FeedConfig,
    GlossaryConfig,
    LogConfig,
    PathsConfig,
    ScheduleConfig,
    ServeConfig,
    SourcesConfig,
    TelegramConfig,
    TranslationConfig,
)
from bot.core.errors import ConfigError
from bot.core.stateurl import anchor, checked_url, is_url

DEFAULT_CONFIG_NAME = "kakehashi.toml"
__all__ = [
    "Config",
    "DigestConfig",
    "EditionConfig",
    "FeedConfig",
    "GlossaryConfig",
    "LogConfig",
    "PathsConfig",
    "ScheduleConfig",
    "ServeConfig",
    "SourcesConfig",
    "TelegramConfig",
    "TranslationConfig",
    "editions_of",
    "load_config",
    "override_paths",
    "validated",
]


def validated(config: Config) -> Config:
    """`config` once its values keep the rules types alone do not catch (bot.config.rules)."""
    check_config(config)
    return config


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
    schedule = _section(ScheduleConfig, data.get("schedule", {}))
    config = Config(
        paths=_paths(data.get("paths", {}), base),
        translation=_section(TranslationConfig, data.get("translation", {})),
        sources=_section(SourcesConfig, data.get("sources", {})),
        digest=_section(DigestConfig, data.get("digest", {})),
        glossary=_section(GlossaryConfig, data.get("glossary", {})),
        feed=_section(FeedConfig, data.get("feed", {})),
        telegram=_telegram(data.get("telegram", {}), environ),
        schedule=schedule,
        serve=_section(ServeConfig, data.get("serve", {})),
        log=_section(LogConfig, data.get("log", {})),
        editions=read_editions(data.get("editions", []), schedule),
    )
    if config.translation.model_dir:  # relative to the file, as every path in it
        model_dir = str(_resolve(base, config.translation.model_dir))
        config = replace(config, translation=replace(config.translation, model_dir=model_dir))
    return validated(config)


def override_paths(
    config: Config, seeds: Path | None = None, out: Path | None = None,
    state: Path | str | None = None,
) -> Config:
    """Apply command-line path flags (None = not given) on top of the file. The state is a
    path, or a `postgresql://` URL (bot/core/stateurl.py)."""
    paths = config.paths
    paths = replace(paths, seeds=seeds) if seeds is not None else paths
    paths = replace(paths, out=out) if out is not None else paths
    if state is not None and is_url(str(state)):
        paths = replace(paths, database=checked_url(str(state)))
    elif state is not None:
        paths = replace(paths, state=Path(state), database="")
    if paths.database:
        paths = replace(paths, state=anchor(paths.out))
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
        if key == "feed_intervals":
            values[key] = _intervals(value)
            continue
        if key == "full_text":
            values[key] = _switches(value)
            continue
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
    known = {f.name for f in fields(PathsConfig)} - {"database"}  # set from paths.state
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(f"config: unknown key paths.{key}")
        if key == "state" and isinstance(value, str) and is_url(value):
            values["database"] = checked_url(value)
        elif key == "glossary":
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                raise ConfigError("config: paths.glossary must be a path or a list of paths")
            values[key] = tuple(_resolve(base, v) for v in items)
        elif isinstance(value, str):
            values[key] = _resolve(base, value)
        else:
            raise ConfigError(f"config: paths.{key} must be a string")
    if values.get("database"):
        values["state"] = anchor(values.get("out", PathsConfig().out))
    return PathsConfig(**values)


def _resolve(base: Path, value: str) -> Path:
    # Paths in a config file are relative to that file, so the file can be used from anywhere.
    return base / os.path.expanduser(value)


def _telegram(raw: Any, environ: Mapping[str, str]) -> TelegramConfig:
    if isinstance(raw, dict) and isinstance(raw.get("admin_ids"), list):
        # Chat ids are numbers: written as TOML integers or as strings, both are kept as text.
        ids = raw["admin_ids"]
        raw = {**raw, "admin_ids": [str(v) if type(v) is int else v for v in ids]}
    section: TelegramConfig = _section(TelegramConfig, raw)
    # Checked here too, to name the variable rather than the key it overrides.
    check_api_base_url(environ.get("TELEGRAM_API_BASE_URL", ""), "TELEGRAM_API_BASE_URL")
    return replace(
        section,
        token=environ.get("TELEGRAM_BOT_TOKEN", ""),
        chat_id=environ.get("TELEGRAM_CHAT_ID", section.chat_id),
        api_base_url=environ.get("TELEGRAM_API_BASE_URL", section.api_base_url),
        alert_chat_id=environ.get("TELEGRAM_ALERT_CHAT_ID", section.alert_chat_id),
    )


def _intervals(raw: Any) -> tuple[tuple[str, float], ...]:
    """[sources.feed_intervals]: a table of feed URL → minutes."""
    ok = isinstance(raw, dict) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in raw.values())
    if not ok:
        raise ConfigError('config: sources.feed_intervals must be a table of "URL" = minutes')
    return tuple((str(url), float(minutes)) for url, minutes in raw.items())


def _switches(raw: Any) -> tuple[tuple[str, bool], ...]:
    """[sources.full_text]: a table of feed URL → true/false."""
    if not isinstance(raw, dict) or not all(isinstance(v, bool) for v in raw.values()):
        raise ConfigError('config: sources.full_text must be a table of "URL" = true or false')
    return tuple((str(url), on) for url, on in raw.items())
