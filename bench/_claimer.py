"""One claimer for bench/workers.py: a member of the database at URL that claims keys as fast
as it can, mode after mode, each for SECONDS from its own start time (so that every claimer of
a configuration runs each mode at the same moment); prints JSON {mode: [calls, keys granted]}.

    python bench/_claimer.py URL START_AT SECONDS

Modes: `take_own` (`take` of keys no one else asks for: an insert each), `take_hot` (`take`
of 256 keys every claimer asks for: after the first pass each is a conflict, granted to its
holder only), and the same two with `take_all` of 32 keys a call (as the translation memory
claims a window's sentences)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MODES = ("take_own", "take_hot", "take_all_own", "take_all_hot")
GAP_SECONDS = 0.3  # between modes: every claimer has ended the last one
HOT_KEYS = 256
BATCH = 32


def run(url: str, start_at: float, seconds: float) -> dict[str, list[int]]:
    from bot.state.store import Store
    from bot.state.workers import Membership

    store = Store.open(url)  # the bench made the schema already: the claimers race for none
    member = Membership(url, "bench")
    store.join(member.id)
    claims = store.claims()
    found: dict[str, list[int]] = {}
    try:
        for k, mode in enumerate(MODES):
            begin = start_at + k * (seconds + GAP_SECONDS)
            time.sleep(max(0.0, begin - time.time()))
            calls = granted = i = 0
            while time.time() < begin + seconds:
                if mode.startswith("take_all"):
                    keys = [_key(mode, member.id, i + j) for j in range(BATCH)]
                    granted += len(claims.take_all(keys))
                    i += BATCH
                else:
                    granted += claims.take(_key(mode, member.id, i))
                    i += 1
                calls += 1
            found[mode] = [calls, granted]
    finally:
        store.close()
        member.close()
    return found


def _key(mode: str, member: str, i: int) -> str:
    return f"hot:{i % HOT_KEYS}" if mode.endswith("hot") else f"own:{member}:{i}"


if __name__ == "__main__":
    url, start_at, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    print(json.dumps(run(url, start_at, seconds)))
