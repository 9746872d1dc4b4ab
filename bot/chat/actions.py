"""What the bot may do beyond answering: the service's own operations, given as callables.

The bot calls each one in a worker thread (they read or write the state file, which may
wait on SQLite's lock), so they may block but must be safe to call from another thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.config import Config


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class ChatActions:
    """The service's operations behind the admin commands, and where the bot reports."""

    status: Callable[[], list[str]]  # /status: the lines of `kakehashi status`
    publish_now: Callable[[], str]  # /digest: publish what is pending now; one-line result
    release: Callable[[list[str] | None], str]  # /release GUID… or all (None); one line
    say: Callable[[str], None] = _quiet  # one line per event (start, errors), token-free


def service_actions(config: Config, digest_now: Callable[[], object],
                    say: Callable[[str], None] = _quiet) -> ChatActions:
    """The actions of a running service: status and release as the CLI does them, and
    `digest_now` (the service's thread-safe "publish pending articles now")."""
    from bot.state.release import release_entries
    from bot.state.status import status_lines

    def publish_now() -> str:
        result = digest_now()
        if isinstance(result, str) and result.strip():
            return result.strip().splitlines()[0]
        return "asked for a digest now: pending articles are published in a moment"

    def release(guids: list[str] | None) -> str:
        # An unknown GUID releases nothing and says so (NotFoundError: the bot replies it).
        count, idle = release_entries(config, guids)
        line = f"released {count} held entr{'y' if count == 1 else 'ies'}"
        if idle:
            line += f"; {len(idle)} of the given GUIDs were not held"
        return line + ("; the next digest publishes them" if count else "")

    return ChatActions(status=lambda: status_lines(config), publish_now=publish_now,
                       release=release, say=say)
