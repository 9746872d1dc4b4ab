"""bench/engines.py runs every engine side by side, the model-folder families among them, and
ends with its headline line: a smoke run on the tiny shape (figures are not judged here)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

ENGINES = ("argos", "argos_in_requests", "libretranslate", "marian", "m2m100", "nllb")


@pytest.mark.slow
def test_the_engines_bench_runs_each_engine_and_ends_with_remote_overhead() -> None:
    result = subprocess.run(
        [sys.executable, "bench/engines.py", "--shape", "tiny", "--sentences", "8",
         "--repeats", "1"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    figures = dict(line.split("=", 1) for line in result.stdout.splitlines()
                   if re.fullmatch(r"\w+=[\d.]+", line))
    for name in ENGINES:
        assert float(figures[f"{name}_sentences_per_s"]) > 0, name
    for family in ENGINES[3:]:
        assert float(figures[f"{family}_time_vs_argos"]) > 0, family
    assert re.fullmatch(r"remote_overhead=\d+\.\d+", result.stdout.splitlines()[-1])
