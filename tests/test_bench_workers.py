"""bench/workers.py runs `kakehashi run` workers (1, 2 and 3 by default) on a PostgreSQL it
starts, then the claimers alone, and ends with its headline line: a smoke run of 1 and 3
workers on a dozen articles (figures are not judged here)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_the_workers_bench_runs_each_worker_count_and_ends_with_claims_per_s() -> None:
    result = subprocess.run(
        [sys.executable, "bench/workers.py", "--articles", "12", "--repeats", "1",
         "--claim-seconds", "0.3", "--workers", "1,3"],
        capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    totals = []
    for n in (1, 3):
        assert re.search(rf"^workers_{n}_articles_per_s=\d+\.\d+$", result.stdout, re.M), n
        assert re.search(rf"^claimers_{n}_take_own_calls_per_s=\d+\.\d+$", result.stdout,
                         re.M), n
        # Each worker says what it translated, and together they translated each sentence
        # once: the same total whatever the count (a sentence sent twice would count twice).
        per_worker = re.search(rf"^workers_{n}_model_sentences_per_worker=([\d,]+) ",
                               result.stdout, re.M)
        assert per_worker is not None, n
        counts = [int(c) for c in per_worker.group(1).split(",")]
        assert len(counts) == n, counts
        totals.append(sum(counts))
    assert totals[0] > 0 and len(set(totals)) == 1, totals
    pinned = re.search(r"^workers_3_cores=.*$", result.stdout, re.M)
    assert pinned is not None
    if len(os.sched_getaffinity(0)) < 3:
        assert pinned.group(0).endswith("(more workers than cores: they share)"), pinned
    last = re.fullmatch(r"claims_per_s=(\d+\.\d+)", lines[-1])
    assert last is not None and float(last.group(1)) > 0, lines[-1]
