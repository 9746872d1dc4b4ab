"""SIGHUP: the configuration read again, between jobs, and swapped in when it is valid.

The service reads the file (and the environment it was started with) through a Reloader the
command gives it, compares the new Config with the running one key by key, and hands the new
one to the parts that use it: the jobs (feeds, publish settings, glossary, translation), the
schedule (its APScheduler jobs are replaced), logging. An invalid file changes nothing.

Some keys are fixed for the life of the process: the state file, the watched folder and how
it is watched, OUT/ (the HTTP server serves it), the listen address and port, and the
Telegram settings the chat bot and the alerts were started with. A change to one of them
is kept out of the new Config and named in a warning, so the running Config always says
what is really in effect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

from bot.config import Config
from bot.core.errors import KakehashiError


def _nothing(config: Config) -> None:
    del config


@dataclass(frozen=True)
class Reloader:
    """How to read the configuration again (`load`: the file, the start-up environment and
    the command-line flags; raises ConfigError) and what to do once a new one is in effect."""

    load: Callable[[], Config]
    applied: Callable[[Config], object] = _nothing

    def first(self, use: Callable[[Config], None]) -> Reloader:
        """This Reloader, handing a new Config to `use` before `applied`."""
        def both(config: Config) -> None:
            use(config)
            self.applied(config)
        return replace(self, applied=both)


# Fixed at start: the watcher, the HTTP server, the state-file lock and the chat bot and
# alerts (companions started with the Config of the start) hold on to them.
RESTART_KEYS = frozenset({
    "paths.seeds", "paths.out", "paths.state", "paths.database", "schedule.watch",
    "schedule.poll_seconds",
    "serve.host", "serve.port", "telegram.token", "telegram.chat_id", "telegram.api_base_url",
    "telegram.admin_ids", "telegram.webhook_url", "telegram.webhook_listen",
    "telegram.webhook_port", "telegram.alert_chat_id", "telegram.alert_interval_seconds",
})
# Keys whose change replaces the service's APScheduler jobs (feeds, rescan, digest times).
SCHEDULE_KEYS = frozenset({
    "schedule.interval_minutes", "schedule.mode", "schedule.digest_times", "schedule.timezone",
    "schedule.grace_minutes", "sources.feeds", "sources.feed_interval_minutes",
    "sources.feed_intervals", "editions",
})


@dataclass(frozen=True)
class Reread:
    """What reading the configuration again gave: the Config to run with (None: refused),
    the keys now in effect that changed, and the lines to say."""

    config: Config | None
    changed: tuple[str, ...]
    lines: tuple[str, ...]

    @property
    def reschedules(self) -> bool:
        return any(key in SCHEDULE_KEYS for key in self.changed)


def reread(running: Config, load: Callable[[], Config]) -> Reread:
    """Read the configuration again and compare it with the `running` one."""
    try:
        new = load()
    except KakehashiError as exc:
        return Reread(None, (), (f"error: configuration not reloaded (still running on the "
                                 f"previous one): {exc}",))
    except Exception as exc:  # a bug: one line too, and the service keeps its configuration
        return Reread(None, (), ("error: configuration not reloaded: internal error: "
                                 f"{type(exc).__name__}: {exc}",))
    keys = changed_keys(running, new)
    fixed = [key for key in keys if key in RESTART_KEYS]
    changed = tuple(key for key in keys if key not in RESTART_KEYS)
    lines = [f"warning: {key} changed: it needs a restart (kept until then)" for key in fixed]
    lines.append(f"configuration reloaded: {len(changed)} change(s)"
                 + (f": {', '.join(changed)}" if changed else ""))
    return Reread(kept(running, new, fixed), changed, tuple(lines))


def changed_keys(old: Config, new: Config) -> list[str]:
    """The dotted keys ("feed.title") whose values differ, in the sections' order."""
    keys = []
    for section in fields(Config):
        before, after = getattr(old, section.name), getattr(new, section.name)
        if isinstance(before, tuple):  # [[editions]]: one key for the whole array
            keys += [section.name] if before != after else []
            continue
        keys += [f"{section.name}.{f.name}" for f in fields(before)
                 if getattr(before, f.name) != getattr(after, f.name)]
    return keys


def kept(old: Config, new: Config, keys: list[str]) -> Config:
    """`new` with each of `keys` set back to its value in `old`."""
    for key in keys:
        section, name = key.split(".")
        part = replace(getattr(new, section), **{name: getattr(getattr(old, section), name)})
        new = replace(new, **{section: part})
    return new
