"""The fault suite's kills prove the crash: they fail on a process that had already ended,
and on one whose stage had finished before the signal landed (tests/support/processes.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.processes import kill, kill_in_stage, reap


def _python(script: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


STAGE = "import sys, time; print('{first}', file=sys.stderr, flush=True); {then}"


def test_a_kill_inside_the_stage_passes() -> None:
    process = _python(STAGE.format(first="stage begins", then="time.sleep(600)"))
    logged = kill_in_stage(process, "stage begins", "stage ends")
    assert "stage begins" in logged and process.returncode == -9


def test_a_kill_after_the_stage_ended_fails() -> None:
    # Both lines in one write: the second is in the pipe before the kill can land.
    process = _python(STAGE.format(first="stage begins\\nstage ends", then="time.sleep(600)"))
    try:
        with pytest.raises(AssertionError, match="not inside the stage"):
            kill_in_stage(process, "stage begins", "stage ends")
    finally:
        reap(process)


def test_a_kill_of_a_process_that_had_ended_fails() -> None:
    process = _python("pass")
    process.wait(timeout=60)
    try:
        with pytest.raises(AssertionError, match="nothing was crashed"):
            kill(process)
    finally:
        reap(process)
