"""The range of every number a configuration holds. A value outside it (a typo such as
`1e308`, a negative wait, `nan`, `inf`) is a ConfigError naming the key and its range, so a
bad setting stops a command at once instead of making a run wait for ever or never."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.errors import ConfigError

if TYPE_CHECKING:
    from bot.config.sections import Config

DAY_SECONDS = 86_400
YEAR_MINUTES = 525_600


@dataclass(frozen=True)
class Bound:
    """`key` ("section.name") lies in [low, high], or (low, high] when `above` is set."""

    key: str
    low: float
    high: float
    above: bool = False  # the low end itself is excluded (a zero interval never ends)


BOUNDS = (
    Bound("translation.beam_size", 1, 16),
    Bound("translation.inter_threads", 0, 256),
    Bound("translation.intra_threads", 0, 256),
    Bound("translation.max_batch_size", 1, 65_536),
    Bound("translation.max_output_tokens", 0, 100_000),
    Bound("digest.summary_sentences", 1, 100),
    Bound("digest.summary_chars", 1, 100_000),
    Bound("digest.merge_threshold", 0, 1),
    Bound("digest.merge_window_days", 0, 3650),
    Bound("sources.max_file_bytes", 1, 10**10),
    Bound("sources.settle_seconds", 0, 3600),
    Bound("sources.feed_timeout_seconds", 0, 600, above=True),
    Bound("sources.max_feed_bytes", 1, 10**9),
    Bound("sources.feed_interval_minutes", 0, YEAR_MINUTES, above=True),
    Bound("sources.page_timeout_seconds", 0, 600, above=True),
    Bound("sources.max_page_bytes", 1, 10**9),
    Bound("sources.page_host_interval_seconds", 0, 3600),
    Bound("feed.max_items", 1, 10_000),
    Bound("telegram.retry_budget_seconds", 0, DAY_SECONDS),
    Bound("telegram.retry_base_seconds", 0, 3600, above=True),
    Bound("telegram.retry_max_seconds", 0, 3600, above=True),
    Bound("telegram.alert_interval_seconds", 0, DAY_SECONDS, above=True),
    Bound("schedule.interval_minutes", 0, YEAR_MINUTES, above=True),
    Bound("schedule.lock_wait_seconds", 0, DAY_SECONDS),
    Bound("schedule.grace_minutes", 0, 1440),
    Bound("schedule.poll_seconds", 0, DAY_SECONDS, above=True),
    Bound("schedule.debounce_seconds", 0, 3600),
    Bound("serve.health_minutes", 0, YEAR_MINUTES),  # 0: the automatic bound
)


def check_bounds(config: Config) -> None:
    """Every number of `config` within its Bound (ConfigError naming the first that is not)."""
    for bound in BOUNDS:
        section, name = bound.key.split(".")
        check_number(getattr(getattr(config, section), name), bound)
    for url, minutes in config.sources.feed_intervals:
        check_number(minutes, Bound(f'sources.feed_intervals."{url}"', 0, YEAR_MINUTES,
                                    above=True))


def check_number(value: float, bound: Bound) -> None:
    """ConfigError unless `value` is a finite number within `bound`."""
    low_ok = value > bound.low if bound.above else value >= bound.low
    if math.isfinite(value) and low_ok and value <= bound.high:
        return
    low = f"> {_show(bound.low)}" if bound.above else f">= {_show(bound.low)}"
    raise ConfigError(f"config: {bound.key} must be {low} and <= {_show(bound.high)}"
                      f" (got {_show(value)})")


def _show(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
