"""The scheduled worker: runs at once, then on its interval; stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_run_publishes_then_stops_cleanly_on_sigterm(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(ROOT / "seeds" / "04_report.md", seeds)
    config = tmp_path / "k.toml"
    config.write_text("[sources]\nsettle_seconds = 0\n[schedule]\ninterval_minutes = 60\n")
    preview = tmp_path / "out" / "telegram" / "001.html"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(config), "--seeds", str(seeds),
         "--out", str(tmp_path / "out"), "--state", str(tmp_path / "s.sqlite3")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 120
        while not preview.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert preview.exists(), "the first run did not happen at start-up"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "full rescan every 60 min" in stderr and "digest #1 published" in stderr
    assert "Traceback" not in stderr
    assert (tmp_path / "out" / "feed.xml").exists()
