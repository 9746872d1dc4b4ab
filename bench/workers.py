"""Several `kakehashi run` workers on one PostgreSQL state: what one more worker buys.

    uv run python -u bench/workers.py [--articles 400] [--repeats 3] [--workers 1,2,3]
                                      [--claim-seconds 1.5]

A real PostgreSQL 18 is started by the bench (tests/support/postgres.py, nothing downloaded),
with a fresh database for every run. The workers are real `kakehashi run` processes
(bench/_probe.py: `python -m bot run` with two stopwatches), all watching one folder, so they
contend for every document through the claims (bot/state/workers.py) and share the
translation memory; `once` processes would end after one pass and time their start-up, not
the sharing. Each is pinned to a share of the cores (`os.sched_setaffinity`; with more
workers than cores they share, and the output says so) and its engine is given as many
replicas as its share has cores. PostgreSQL itself is not pinned.

The model is the tests' tiny random-weight one (tests/support/make_test_model.py, installed
into a temp ARGOS_PACKAGES_DIR): it decodes every sentence to its bound, so this measures the
plumbing, not translation quality, and the model is far cheaper than a real one (which would
make the database's share smaller still). The documents are --articles distinct short
Japanese articles (tests/reliability/helpers.py `good_doc`, one article each; they share
templates, so `digest.merge_threshold = 0`).

A run: the workers start on an empty folder and load the model; once every one is a member
and idle, the articles are moved into the folder at once, and the clock runs until the
database has every document recorded. Per configuration: that wall time, articles/s, the
model sentences each worker translated, and the share of the workers' time
spent in PostgreSQL calls and in the model (bench/_probe.py; the heartbeat's thread apart).
Configurations take turns, --repeats rounds, rotated; figures are medians.

Then the claims alone (bench/_claimer.py, no translator at all): 1, 2, 3 claimer processes,
pinned the same way, each a member claiming as fast as it can for --claim-seconds per mode,
keys of its own and keys they all ask for, one at a time (`take`) and 32 a call (`take_all`).

Last line: `claims_per_s=<float>`, one claimer's `take` of keys of its own (median).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _common import ROOT

from tests.reliability.helpers import good_doc
from tests.support import postgres
from tests.support.shared_workers import one, write_config

BENCH = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Run:
    workers: int
    wall_s: float
    model_sentences: tuple[int, ...]
    db_s: float  # summed over the workers, until the last document was recorded
    model_s: float
    beat_s: float


def shares(count: int, cores: list[int]) -> list[list[int]]:
    """The cores each of `count` processes may use: a slice each, or one each in turn."""
    if count <= len(cores):
        size = len(cores) // count
        return [cores[i * size:(i + 1) * size] for i in range(count)]
    return [[cores[i % len(cores)]] for i in range(count)]


def install_model(home: Path) -> dict[str, str]:
    """The tiny model installed in a private Argos folder; the environment that finds it."""
    env = {"ARGOS_PACKAGES_DIR": str(home / "packages"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache"),
           "ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/"}  # nothing is downloaded
    os.environ.update(env)
    from bot.translate.packages import install_from_file
    from tests.support.make_test_model import build_package

    install_from_file(build_package(home / "tiny.argosmodel"))
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID", "TELEGRAM_API_BASE_URL",
                 "KAKEHASHI_CONFIG"):
        os.environ.pop(name, None)
    return dict(os.environ)


def start_worker(i: int, cores: list[int], url: str, where: Path,
                 env: dict[str, str]) -> subprocess.Popen[bytes]:
    config = write_config(where / f"worker{i}.toml", [])
    with config.open("a", encoding="utf-8") as file:
        file.write(f"[translation]\ninter_threads = {len(cores)}\nintra_threads = 1\n")
    argv = [sys.executable, str(BENCH / "_probe.py"), "run", "--config", str(config),
            "--seeds", str(where / "seeds"), "--out", str(where / "out"), "--state", url]
    log = (where / f"worker{i}.log").open("wb")
    return subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=log,
                            env={**env, "KAKEHASHI_PROBE": str(where / f"probe{i}.json")},
                            preexec_fn=lambda: os.sched_setaffinity(0, cores))


def wait_for(condition: object, what: str, procs: list[subprocess.Popen[bytes]],
             timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            raise SystemExit(f"no {what}: a worker ended or {timeout:g} s passed")
        time.sleep(0.02)


def idle(log: Path) -> bool:
    """The worker's start-up job is over (its engine loaded)."""
    return "nothing new in folder" in log.read_text("utf-8", errors="replace")


def one_run(count: int, cores: list[int], server: postgres.TestServer, tag: str,
            staged: Path, tmp: Path, env: dict[str, str]) -> Run:
    where = tmp / tag
    (where / "seeds").mkdir(parents=True)
    url = server.create_database(tag)
    procs = [start_worker(i, share, url, where, env)
             for i, share in enumerate(shares(count, cores))]
    logs = [where / f"worker{i}.log" for i in range(count)]
    try:
        wait_for(lambda: all(idle(log) for log in logs)
                 and one(url, "SELECT count(*) FROM workers") == count, "idle members", procs)
        files = sorted(staged.iterdir())
        start = time.perf_counter()
        for path in files:  # a rename each: every file arrives whole
            shutil.copy2(path, where / "stage.tmp")
            os.replace(where / "stage.tmp", where / "seeds" / path.name)
        wait_for(lambda: one(url, "SELECT count(*) FROM documents") == len(files),
                 "document recorded", procs)
        wall = time.perf_counter() - start
        probes = [json.loads((where / f"probe{i}.json").read_text()) for i in range(count)]
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=120)
    # Counted by the probe as the model returns them, read once each worker has ended: a
    # worker stopped mid-job never logs its "translated N sentence(s)" line.
    ended = [json.loads((where / f"probe{i}.json").read_text()) for i in range(count)]
    sentences = tuple(int(probe.get("sentences", 0)) for probe in ended)
    return Run(count, wall, sentences, *(sum(p.get(k, 0.0) for p in probes)
                                         for k in ("db_s", "model_s", "beat_s")))


def claim_round(count: int, cores: list[int], server: postgres.TestServer, tag: str,
                seconds: float) -> dict[str, float]:
    """Claims per second (calls and keys granted) of `count` claimers, summed, per mode."""
    from bot.state.store import Store

    url = server.create_database(tag)
    Store.open(url).close()  # the schema, made once
    start_at = time.time() + 3.0  # every claimer connected and joined by then
    procs = [subprocess.Popen([sys.executable, str(BENCH / "_claimer.py"), url, str(start_at),
                               str(seconds)], cwd=ROOT, stdout=subprocess.PIPE,
                              preexec_fn=lambda s=share: os.sched_setaffinity(0, s))
             for share in shares(count, cores)]
    found = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    totals: dict[str, float] = {}
    for mode in found[0]:
        totals[f"{mode}_calls"] = sum(f[mode][0] for f in found) / seconds
        totals[f"{mode}_keys"] = sum(f[mode][1] for f in found) / seconds
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", default="1,2,3", help="worker counts, comma-separated")
    parser.add_argument("--claim-seconds", type=float, default=1.5)
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    cores = sorted(os.sched_getaffinity(0))
    print(f"cores={len(cores)} load_average={os.getloadavg()[0]:.1f} articles={args.articles} "
          f"repeats={args.repeats} model=tiny random weights, decodes to its bound "
          "(plumbing, not quality)")
    for n in counts:
        how = " (more workers than cores: they share)" if n > len(cores) else ""
        print(f"workers_{n}_cores={' '.join(','.join(map(str, s)) for s in shares(n, cores))}"
              f"{how}")
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-workers-") as name:
        tmp = Path(name)
        env = install_model(tmp / "argos")
        staged = tmp / "staged"
        staged.mkdir()
        for n in range(args.articles):
            (staged / f"good_{n:04d}.txt").write_text(good_doc(n).text, encoding="utf-8")
        server = postgres.start()
        try:
            runs, claims = rounds(args, counts, cores, server, staged, tmp, env)
        finally:
            server.stop()
    report(args.articles, counts, runs, claims)
    print(f"load_average_end={os.getloadavg()[0]:.1f}")
    print(f"claims_per_s={statistics.median(c['take_own_calls'] for c in claims[counts[0]]):.1f}")
    return 0


def rounds(args: argparse.Namespace, counts: list[int], cores: list[int],
           server: postgres.TestServer, staged: Path, tmp: Path, env: dict[str, str],
           ) -> tuple[dict[int, list[Run]], dict[int, list[dict[str, float]]]]:
    runs: dict[int, list[Run]] = {n: [] for n in counts}
    claims: dict[int, list[dict[str, float]]] = {n: [] for n in counts}
    for r in range(args.repeats):
        for n in counts[r % len(counts):] + counts[:r % len(counts)]:
            run = one_run(n, cores, server, f"w{n}_r{r}", staged, tmp, env)
            runs[n].append(run)
            print(f"r{r} workers={n} wall_s={run.wall_s:.2f} model_sentences="
                  f"{','.join(map(str, run.model_sentences))} db_s={run.db_s:.2f} "
                  f"model_s={run.model_s:.2f}", flush=True)
        for n in counts[r % len(counts):] + counts[:r % len(counts)]:
            claims[n].append(claim_round(n, cores, server, f"c{n}_r{r}", args.claim_seconds))
    return runs, claims


def share(runs: list[Run], what: str) -> float:
    """The median share of the workers' time (count × wall) spent in `what`."""
    return statistics.median(getattr(r, what) / (r.workers * r.wall_s) for r in runs)


def report(articles: int, counts: list[int], runs: dict[int, list[Run]],
           claims: dict[int, list[dict[str, float]]]) -> None:
    base = statistics.median(articles / run.wall_s for run in runs[counts[0]])
    for n in counts:
        rate = statistics.median(articles / run.wall_s for run in runs[n])
        print(f"workers_{n}_wall_s={statistics.median(r.wall_s for r in runs[n]):.2f}")
        print(f"workers_{n}_articles_per_s={rate:.1f}")
        print(f"workers_{n}_throughput_vs_{counts[0]}={rate / base:.2f}")
        per_worker = [sorted(r.model_sentences, reverse=True) for r in runs[n]]
        print(f"workers_{n}_model_sentences_per_worker="
              f"{' '.join(','.join(map(str, s)) for s in per_worker)} (each round, largest first)")
        print(f"workers_{n}_db_share={share(runs[n], 'db_s'):.3f} "
              f"model_share={share(runs[n], 'model_s'):.3f}")
    for n in counts:
        for key in claims[n][0]:
            value = statistics.median(c[key] for c in claims[n])
            print(f"claimers_{n}_{key}_per_s={value:.1f}")
    one_claimer = statistics.median(c["take_own_calls"] for c in claims[counts[0]])
    for n in counts[1:]:
        mine = statistics.median(c["take_own_calls"] for c in claims[n])
        print(f"claimers_{n}_take_own_vs_{counts[0]}={mine / one_claimer:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
