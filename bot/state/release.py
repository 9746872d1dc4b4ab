"""`kakehashi release`: let held entries into the next digest, or held messages out again.

All or nothing: when one named guid or DIGEST:PART is not in the state file, nothing is
released and the error names it, so the same command, corrected, does the whole job and no
one has to work out which half of a list took effect. A named one that is no longer held is
reported back (releasing twice is harmless), not an error.
"""

from __future__ import annotations

from bot.config import Config
from bot.core.errors import NotFoundError
from bot.state.outbox import HELD
from bot.state.store import Store


def release_entries(config: Config, guids: list[str] | None) -> tuple[int, list[str]]:
    """`release`: held entries go into the next digest. Returns (released, named ones that
    were not held). One unknown guid releases nothing (NotFoundError naming it)."""
    store = _open_existing(config)
    try:
        with store.transaction():
            if guids is None:
                return store.release(None), []
            holds = store.holds(guids)
            _refuse_unknown("entry", [g for g in guids if g not in holds], config)
            return store.release(guids), [g for g in guids if not holds[g]]
    finally:
        store.close()


def release_messages(config: Config,
                     keys: list[tuple[int, int]] | None) -> tuple[int, list[str]]:
    """`release --messages`: held (uncertain) messages are sent again by the next run.
    Returns (released, named ones that were not held); one unknown key releases nothing."""
    store = _open_existing(config)
    try:
        with store.transaction():
            outbox = store.outbox()
            if keys is None:
                return outbox.release_held(None), []
            statuses = outbox.statuses(keys)
            _refuse_unknown("message", [f"{d}:{p}" for d, p in keys if (d, p) not in statuses],
                            config)
            return outbox.release_held(keys), [f"{d}:{p}" for d, p in keys
                                               if statuses[(d, p)] != HELD]
    finally:
        store.close()


def _open_existing(config: Config) -> Store:
    # A state file that is not there is a mistyped --state, not an empty one to create.
    if not config.paths.state.exists():
        raise NotFoundError(f"release: no state file at {config.paths.state} (run 'kakehashi "
                            "once' first, or give --state)")
    return Store.open(config.paths.state)


def _refuse_unknown(kind: str, unknown: list[str], config: Config) -> None:
    if unknown:
        plural = "entries" if kind == "entry" else "messages"
        raise NotFoundError(f"release: no {kind if len(unknown) == 1 else plural} "
                            f"{', '.join(unknown)} in {config.paths.state} (see 'kakehashi "
                            "status'); nothing released")
