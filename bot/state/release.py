"""`kakehashi release`: let held entries into the next digest, or held messages out again.

A held message is named as `status` shows it: DIGEST:PART on the Telegram channel,
CHANNEL:DIGEST:PART on another (bot.state.records.MessageRef), so one name releases one row.

All or nothing: when one named guid or message is not in the state file, nothing is
released and the error names it, so the same command, corrected, does the whole job and no
one has to work out which half of a list took effect. A named one that is no longer held is
reported back (releasing twice is harmless), not an error.
"""

from __future__ import annotations

from bot.config import Config
from bot.core.errors import NotFoundError
from bot.state.records import DeliveryStatus, MessageRef
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
                     refs: list[MessageRef] | None) -> tuple[int, list[str]]:
    """`release --messages`: held (uncertain) messages are sent again by the next run.
    Returns (released, named ones that were not held); one unknown ref releases nothing."""
    store = _open_existing(config)
    try:
        with store.transaction():
            outbox = store.outbox()
            if refs is None:
                return outbox.release_held(None), []
            statuses = outbox.statuses(refs)
            _refuse_unknown("message", [str(r) for r in refs if r not in statuses], config)
            return outbox.release_held(refs), [str(r) for r in refs
                                               if statuses[r] != DeliveryStatus.HELD]
    finally:
        store.close()


def _open_existing(config: Config) -> Store:
    # A state file that is not there is a mistyped --state, not an empty one to create.
    if not config.paths.database and not config.paths.state.exists():
        raise NotFoundError(f"release: no state file at {config.paths.state} (run 'kakehashi "
                            "once' first, or give --state)")
    return Store.open(config.paths.store)


def _refuse_unknown(kind: str, unknown: list[str], config: Config) -> None:
    if unknown:
        plural = "entries" if kind == "entry" else "messages"
        raise NotFoundError(f"release: no {kind if len(unknown) == 1 else plural} "
                            f"{', '.join(unknown)} in {config.paths.state} (see 'kakehashi "
                            "status'); nothing released")
