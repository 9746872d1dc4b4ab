"""Times of day and time zones as a configuration names them: read by the checks in
bot/config/rules.py and by whoever needs the clock or the zone (ingest, the service's jobs)."""

from __future__ import annotations

from datetime import timedelta, timezone, tzinfo

from bot.core.errors import ConfigError


def parse_clock(value: str) -> tuple[int, int, int]:
    """(hour, minute, second) of "HH:MM" or "HH:MM:SS"; ConfigError otherwise."""
    parts = value.split(":")
    ok = len(parts) in (2, 3) and all(p.isascii() and p.isdigit() and len(p) == 2
                                      for p in parts)
    numbers = [int(p) for p in parts] + [0] if ok else []
    if not ok or numbers[0] > 23 or numbers[1] > 59 or numbers[2] > 59:
        raise ConfigError(f"config: schedule.digest_times: {value!r} is not a time of day"
                          ' ("HH:MM" or "HH:MM:SS", e.g. "08:00")')
    return numbers[0], numbers[1], numbers[2]


def load_zone(name: str, key: str = "sources.timezone") -> tzinfo:
    """An IANA time zone by name; ConfigError when the system's zone database lacks it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name == "Asia/Tokyo":  # no DST since 1951: exact without a zone database
            return timezone(timedelta(hours=9), "JST")
        raise ConfigError(f"config: {key}: unknown time zone {name!r} (an IANA name"
                          " such as 'Asia/Tokyo' or 'UTC')") from None
