"""The rules a configuration must keep beyond its types: each broken one is a ConfigError
naming the key, so a bad file stops a command before it touches anything."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.config.bounds import check_bounds
from bot.config.editions import check_editions
from bot.config.times import load_zone, parse_clock
from bot.core.errors import ConfigError

if TYPE_CHECKING:
    from bot.config.sections import (
        Config,
        ScheduleConfig,
        TelegramConfig,
        TranslationConfig,
    )


def check_config(config: Config) -> None:
    """Check values that types alone do not catch (ConfigError naming the key)."""
    check_bounds(config)  # every number within its range, named with it
    check_translation(config.translation)
    s = config.sources
    bad = [url for url in s.feeds if not url.startswith(("http://", "https://"))]
    if bad:
        raise ConfigError(f"config: sources.feeds: not an http(s) URL: {bad[0]}")
    load_zone(s.timezone)
    for key, table in (("feed_intervals", s.feed_intervals), ("full_text", s.full_text)):
        stray = [url for url, _ in table if url not in s.feeds]
        if stray:
            raise ConfigError(f"config: sources.{key}: {stray[0]} is not in sources.feeds")
    _validate_schedule(config.schedule)
    _validate_telegram(config.telegram)
    _check_chat(config.telegram)
    _check_outputs(config)
    check_editions(config)


# CTranslate2's compute types that run on CUDA (int16 does not).
CUDA_COMPUTE_TYPES = ("float16", "bfloat16", "float32", "int8_float16", "int8_bfloat16",
                      "int8_float32", "int8", "auto", "default")


def check_translation(t: TranslationConfig) -> None:
    """The [translation] rules (also for an engine `eval --engine` names)."""
    if t.batch_type not in ("examples", "tokens"):
        raise ConfigError('config: translation.batch_type must be "examples" or "tokens"')
    if t.engine not in ("argos", "ctranslate2", "libretranslate"):
        raise ConfigError('config: translation.engine must be "argos", "ctranslate2" or '
                          '"libretranslate"')
    if t.device not in ("auto", "cpu", "cuda"):
        raise ConfigError('config: translation.device must be "auto", "cpu" or "cuda"')
    if t.compute_type_cuda not in CUDA_COMPUTE_TYPES:
        raise ConfigError("config: translation.compute_type_cuda must be one of "
                          + ", ".join(CUDA_COMPUTE_TYPES))
    if t.engine == "ctranslate2" and not t.model_dir:
        raise ConfigError('config: translation.model_dir must name a CTranslate2 model '
                          'folder when translation.engine is "ctranslate2"')
    if t.engine == "libretranslate" and not t.servers:
        raise ConfigError('config: translation.servers must list at least one server when '
                          'translation.engine is "libretranslate"')
    bad = [url for url in t.servers if not url.startswith(("http://", "https://"))]
    if bad:
        raise ConfigError(f"config: translation.servers: not an http(s) URL: {bad[0]}")


def _check_outputs(config: Config) -> None:
    if not config.feed.site_url.startswith(("http://", "https://")):
        raise ConfigError("config: feed.site_url must be an absolute http(s) URL")
    if not config.serve.host or not 0 <= config.serve.port <= 65535:
        raise ConfigError("config: serve.host must not be empty and serve.port must be "
                          "0-65535")
    if config.log.level not in ("debug", "info", "warning", "error"):
        raise ConfigError('config: log.level must be "debug", "info", "warning" or "error"')
    if config.log.format not in ("text", "json"):
        raise ConfigError('config: log.format must be "text" or "json"')


def _validate_telegram(t: TelegramConfig) -> None:
    if t.uncertain not in ("resend", "hold"):
        raise ConfigError('config: telegram.uncertain must be "resend" or "hold"')
    if t.retry_base_seconds > t.retry_max_seconds:
        raise ConfigError("config: telegram.retry_base_seconds must be <= retry_max_seconds")
    check_api_base_url(t.api_base_url, "telegram.api_base_url")
    if t.alert_chat_id and t.alert_chat_id == t.chat_id:
        raise ConfigError("config: telegram.alert_chat_id is the public chat: alerts go "
                          "to an admin chat only")


def check_api_base_url(url: str, key: str) -> None:
    """ConfigError unless `url` is empty or an http(s) URL with a host and a valid port (a
    malformed one would otherwise be retried as a network error on every run)."""
    if not url:
        return
    example = "e.g. http://127.0.0.1:8081/bot"
    if re.search(r"[\s\x00-\x1f\x7f]", url):
        raise ConfigError(f"config: {key}: spaces or control characters in {url!r} ({example})")
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"config: {key}: bad port in {url!r} (1-65535; {example})") from None
    host = parts.hostname or ""  # lower case, an IPv6 address without its brackets
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"config: {key} must be an http(s) URL with a host, {example}"
                          f" (got {url!r})")
    if port == 0 or not re.fullmatch(r"[a-z0-9.\-]+|[0-9a-f:.]+", host):
        raise ConfigError(f"config: {key}: bad host or port in {url!r} ({example})")


def _check_chat(t: TelegramConfig) -> None:
    bad = [chat for chat in t.admin_ids if not re.fullmatch(r"-?[0-9]+", chat)]
    if bad:
        raise ConfigError(f"config: telegram.admin_ids: {bad[0]!r} is not a numeric chat id"
                          "; write the number, e.g. 123456789")
    if t.webhook_url and not t.webhook_url.startswith(("http://", "https://")):
        raise ConfigError("config: telegram.webhook_url must be an absolute https URL")
    if not 0 < t.webhook_port < 65536:
        raise ConfigError("config: telegram.webhook_port must be a port number (1-65535)")


def _validate_schedule(c: ScheduleConfig) -> None:
    if c.mode not in ("immediate", "scheduled"):
        raise ConfigError('config: schedule.mode must be "immediate" or "scheduled"')
    if c.watch not in ("auto", "events", "poll"):
        raise ConfigError('config: schedule.watch must be "auto", "events" or "poll"')
    if c.mode == "scheduled" and not c.digest_times:
        raise ConfigError('config: schedule.mode = "scheduled" needs schedule.digest_times,'
                          ' e.g. ["08:00", "18:00"]')
    for value in c.digest_times:
        parse_clock(value)
    load_zone(c.timezone, "schedule.timezone")
