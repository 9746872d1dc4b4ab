"""Capped exponential backoff, with optional jitter: the one rule behind every "try again
later" (Telegram delivery, the bot's start, failing feeds). Each caller keeps its own numbers."""

from __future__ import annotations

import random
from collections.abc import Callable

# Any cap is reached long before 2**64 doublings; bounding the exponent avoids float overflow.
_MAX_DOUBLINGS = 64


def backoff_delay(attempt: int, base: float, cap: float, *, jitter: float = 0.0,
                  rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait after the `attempt`-th failure in a row (1, 2, ...): `base` doubled at
    each failure after the first, at most `cap`. With `jitter` (0 to 1) that fraction of the
    delay is drawn at random (0.5 is "equal jitter": between half and all of it), so clients
    that failed together do not all come back together."""
    ceiling = float(min(cap, base * 2.0 ** min(attempt - 1, _MAX_DOUBLINGS)))
    if not jitter:
        return ceiling
    return ceiling * (1 - jitter) + rand() * ceiling * jitter
