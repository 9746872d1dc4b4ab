"""`kakehashi serve` and `kakehashi run --serve` as real processes: started, asked over HTTP
by real clients, stopped with the signals a terminal and a service manager send."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
from contextlib import AbstractContextManager
from pathlib import Path

import feedparser
import pytest

from bot.state.store import Store
from tests.conftest import ROOT, run_cli
from tests.support import serving
from tests.support.serving import get, wait_for
from tests.support.site import write_sample_site


def started(args: list[str]) -> AbstractContextManager[tuple[subprocess.Popen[str], str]]:
    return serving.started([sys.executable, "-m", "bot", *args], cwd=ROOT)


def stop(process: subprocess.Popen[str], how: signal.Signals) -> str:
    process.send_signal(how)
    _, stderr = process.communicate(timeout=30)
    return stderr


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    write_sample_site(folder)
    Store.open(folder / "state.sqlite3").close()
    (tmp_path / "secret.html").write_text("outside", encoding="utf-8")
    return folder


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_revalidates_refuses_and_stops_cleanly(out: Path, how: signal.Signals):
    with started(["serve", "--out", str(out), "--port", "0"]) as (process, url):
        status, body, headers = get(url + "feed.xml")
        assert status == 200 and body == (out / "feed.xml").read_bytes()
        assert headers["Content-Type"] == "application/rss+xml; charset=utf-8"
        assert get(url + "feed.xml", {"If-None-Match": headers["ETag"]})[0] == 304
        parsed = feedparser.parse(url + "feed.xml")
        assert parsed.status == 200 and len(parsed.entries) == 3
        assert feedparser.parse(url + "feed.xml", etag=parsed.etag).status == 304
        assert get(url + "../secret.html")[0] in (400, 404)
        assert get(url + "%2e%2e/secret.html")[0] in (400, 404)
        assert get(url + "state.sqlite3")[0] == 404
        stderr = stop(process, how)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


def test_serve_takes_its_address_from_the_config(out: Path, tmp_path: Path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "k.toml"
    config.write_text(f'[paths]\nout = "out"\n[serve]\nhost = "127.0.0.1"\nport = {port}\n')
    with started(["serve", "--config", str(config)]) as (process, url):
        assert url == f"http://127.0.0.1:{port}/"
        assert get(url)[0] == 200
        stop(process, signal.SIGTERM)
    assert process.returncode == 0


def test_port_in_use_is_one_line_and_exit_1(out: Path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run_cli("serve", "--out", str(out), "--port", str(port))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"kakehashi: error: serve: cannot listen on 127.0.0.1:{port}: address already in use "
        "(another server holds it: stop it or choose another --port)"]


@pytest.mark.parametrize(("args", "code", "says"), [
    (["serve", "--out", "{missing}"], 1, "serve: no such folder: {missing} (run"),
    (["serve", "--out", "{out}", "--port", "70000"], 2, "not a port number (0-65535): '70000'"),
    (["serve", "--out", "{out}", "--port", "-1"], 2, "not a port number"),
    (["serve", "--out", "{out}", "--host", "no-such-host.invalid", "--port", "0"], 1,
     "serve: cannot listen on no-such-host.invalid:0: "),
    (["run", "--out", "{out}", "--port", "8080"], 2, "run: --host and --port need --serve"),
])
def test_bad_addresses_and_folders(tmp_path: Path, args: list[str], code: int, says: str):
    (tmp_path / "out").mkdir()
    places = {"out": tmp_path / "out", "missing": tmp_path / "missing"}
    result = run_cli(*(a.format(**places) for a in args))
    assert result.returncode == code, result.stderr
    assert says.format(**places) in result.stderr
    assert "Traceback" not in result.stderr
    if code == 1:
        assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_run_serve_publishes_and_serves_from_one_process(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(ROOT / "seeds" / "04_report.md", seeds)
    config = tmp_path / "k.toml"
    config.write_text("[sources]\nsettle_seconds = 0\n[schedule]\ninterval_minutes = 60\n")
    out = tmp_path / "out"
    args = ["run", "--serve", "--port", "0", "--config", str(config), "--seeds", str(seeds),
            "--out", str(out), "--state", str(tmp_path / "s.sqlite3")]
    with started(args) as (process, url):
        # The feed is written first, then the archive: the last page means the run published.
        wait_for(url + "digests/1.html")
        status, body, _ = get(url + "feed.xml")
        assert status == 200 and body == (out / "feed.xml").read_bytes()
        parsed = feedparser.parse(url + "feed.xml")
        assert parsed.bozo == 0 and len(parsed.entries) >= 1
        assert get(url)[1] == (out / "index.html").read_bytes()
        stderr = stop(process, signal.SIGTERM)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    port = int(url.rsplit(":", 1)[1].strip("/"))
    with socket.socket() as again:  # nobody listens there any more (a restart can bind it)
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
        again.listen()
