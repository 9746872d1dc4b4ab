"""The one backoff rule (bot/core/backoff.py): doubling from the base, capped, and with
jitter a random share of the delay taken off, never more than asked."""

from __future__ import annotations

import pytest

from bot.core.backoff import backoff_delay


def never() -> float:
    raise AssertionError("no jitter asked for, yet a random number was drawn")


def test_the_delay_doubles_from_the_base_at_each_failure() -> None:
    assert [backoff_delay(n, 0.25, 1000.0, rand=never) for n in range(1, 7)] == [
        0.25, 0.5, 1.0, 2.0, 4.0, 8.0]


def test_the_delay_stops_at_the_cap_however_long_it_fails() -> None:
    assert [backoff_delay(n, 1.0, 60.0) for n in range(5, 10)] == [16.0, 32.0, 60.0, 60.0, 60.0]
    assert backoff_delay(10_000, 1.0, 60.0) == 60.0  # no overflow
    assert backoff_delay(1, 5.0, 2.0) == 2.0  # the cap wins over the base too


@pytest.mark.parametrize("jitter", [0.25, 0.5, 1.0])
def test_jitter_takes_off_at_most_its_share_of_the_delay(jitter: float) -> None:
    for failures, ceiling in [(1, 2.0), (3, 8.0), (40, 30.0)]:
        low = backoff_delay(failures, 2.0, 30.0, jitter=jitter, rand=lambda: 0.0)
        high = backoff_delay(failures, 2.0, 30.0, jitter=jitter, rand=lambda: 1.0)
        assert (low, high) == (ceiling * (1 - jitter), ceiling)
        drawn = {backoff_delay(failures, 2.0, 30.0, jitter=jitter) for _ in range(100)}
        assert len(drawn) > 90 and all(low <= d <= high for d in drawn)


def test_the_bots_restarts_keep_their_numbers() -> None:
    from bot.chat.run import MAX_RETRY_SECONDS, RETRY_BASE_SECONDS

    delays = [backoff_delay(n, RETRY_BASE_SECONDS, MAX_RETRY_SECONDS) for n in range(1, 9)]
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
