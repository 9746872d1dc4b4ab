"""`python -m bot ARGS` with two stopwatches, for bench/workers.py: the time this process spends
in PostgreSQL calls (psycopg's execute and executemany: the round trip, the server's work and
any lock wait) and in the model (the engine's batches), and the sentences the model returned,
written as JSON to the file named by KAKEHASHI_PROBE every 0.2 s and at exit, so the bench
reads them at the moment it stops timing.

    python bench/_probe.py run --config … (as `python -m bot run --config …`)

Calls on the membership's heartbeat thread are counted apart (`beat_s`): they never hold up
a job."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOTALS: dict[str, float] = defaultdict(float)
_GUARD = threading.Lock()


def _add(name: str, seconds: float, sentences: int = 0) -> None:
    if threading.current_thread().name == "kakehashi-beat":
        name = "beat_s"
    with _GUARD:
        TOTALS[name] += seconds
        TOTALS[name.replace("_s", "_calls")] += 1
        TOTALS["sentences"] += sentences


def _timed(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _add(name, time.perf_counter() - start)

    return wrapper


def _timed_groups(fn: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
        groups = fn(*args, **kwargs)
        while True:
            start = time.perf_counter()
            try:
                group = next(groups)
            except StopIteration:
                _add("model_s", time.perf_counter() - start)
                return
            _add("model_s", time.perf_counter() - start, len(group))
            yield group

    return wrapper


def install() -> None:
    import psycopg

    from bot.translate.engine import CTranslate2Translator

    psycopg.Connection.execute = _timed(psycopg.Connection.execute, "db_s")  # type: ignore
    psycopg.Cursor.executemany = _timed(psycopg.Cursor.executemany, "db_s")  # type: ignore
    CTranslate2Translator.translate_groups = _timed_groups(  # type: ignore[method-assign]
        CTranslate2Translator.translate_groups)


def _dump(path: Path) -> None:
    with _GUARD:
        text = json.dumps(dict(TOTALS))
    path.with_suffix(".tmp").write_text(text)
    path.with_suffix(".tmp").replace(path)


def _keep_writing(path: Path) -> None:
    while True:
        _dump(path)
        time.sleep(0.2)


if __name__ == "__main__":
    install()
    target = Path(os.environ["KAKEHASHI_PROBE"])
    threading.Thread(target=_keep_writing, args=(target,), daemon=True).start()
    from bot.cli.main import main

    code = main(sys.argv[1:])
    _dump(target)
    raise SystemExit(code)
