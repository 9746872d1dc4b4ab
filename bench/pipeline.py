"""The whole pipeline, `once` as a user runs it, on the real model shape: where the time goes.

    uv run python bench/pipeline.py [--articles 200] [--growth 50,100,200,400] [--beam 2]
                                    [--repeats 3] [--glossary shipped|none] [--package DIR]

In-process: the same calls `kakehashi once` makes (`bot.worker.run_once` with the shipped
glossary, the translation memory in a new state file, so nothing is cached, and the engine
built from the config), on a folder of generated documents. Articles are built by
recombining clauses of the sample documents' sentences (../shared/seeds, else the bundled
seeds): every title and key sentence is distinct, so neither the text- and article-level
dedup nor the translation memory saves any model work. The model is a random-weight model of
the real translate-ja_en shape, built in a subprocess (so its build does not count in the
peak memory). Random weights never stop early: decoding is bounded to 1.2x each group's
longest input, about a ja→en translation's length; the glossary's placeholders come back
mangled more often than from a trained model, so the model calls enforcement retries cost
are printed apart (`--glossary none` runs without enforcement: the first pass alone).

Prints the time of each stage (read, clean/split, summarise, translate, render, publish,
and the rest: store, glossary matching, dedup), the model sentences per article (first pass
and enforcement retries), the peak RSS during the run, the engine alone on the very same
model inputs (one call, its best case) and the pipeline's model rate as a share of it, then
seconds per article at each --growth size (each a fresh run), and last
`articles_per_min=<float>`. With --repeats N the main size runs N times, alternating with
the engine-only pass; figures are medians.
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from _common import ROOT

STAGES = {
    "read": [("bot.ingest", "read_bytes"), ("bot.ingest", "read_text")],
    "clean_split": [("bot.pipeline", "clean_text"), ("bot.pipeline", "split_articles"),
                    ("bot.pipeline", "split_sentences")],
    "summarise": [("bot.pipeline", "choose_summary")],
    "translate": [("bot.stream", "translate_works")],
    "render": [("bot.worker", "build_digest"), ("bot.worker", "render_telegram")],
    "publish": [("bot.worker", "write_feed"), ("bot.worker", "_deliver_telegram")],
}
OUTPUT_RATIO = 1.2
ARTICLES_PER_DOCUMENT = 10
_JA_CLAUSE = re.compile(r"[、，]")


class Meter:
    """The engine, metered: model inputs, time, and which glossary round they belong to."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.inputs: list[str] = []
        self.seconds = 0.0
        self.round = 0
        self.by_round: dict[str, int] = defaultdict(int)

    @property
    def identity(self) -> str:
        return str(self.engine.identity)

    def keeps_intact(self, text: str) -> bool:
        return bool(self.engine.keeps_intact(text))

    def pieces(self) -> int:
        """Input pieces sent to the model (the model's work grows with them)."""
        return sum(len(self.engine._sp.encode(s)) for s in self.inputs)

    def translate(self, sentences: Sequence[str]) -> list[str]:
        from bot.translate.engine import gather

        return gather(self.translate_groups(sentences), len(sentences))

    def translate_groups(self, sentences: Sequence[str]) -> Iterator[dict[int, str]]:
        self.inputs.extend(sentences)
        self.by_round["first" if self.round == 0 else "retry"] += len(sentences)
        groups = self.engine.translate_groups(sentences)
        while True:
            start = time.perf_counter()
            done = next(groups, None)
            self.seconds += time.perf_counter() - start
            if done is None:
                return
            yield done


class Rounds:
    """Between translate_with_terms and the memory: counts the enforcement round."""

    def __init__(self, inner: Any, meter: Meter) -> None:
        self.inner, self.meter = inner, meter

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def translate(self, sentences: Sequence[str]) -> list[str]:
        out: list[str] = self.inner.translate(sentences)
        self.meter.round += 1
        return out


def timed(stages: dict[str, float], stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            stages[stage] += time.perf_counter() - start
    return run


def sentence_pool() -> tuple[list[str], str]:
    """Prose sentences of the sample documents that have a clause break, and their source."""
    from bot.glossary import Glossary
    from bot.pipeline import analyze_text
    from bot.sources.readers import is_hard_wrapped, read_text

    shared = ROOT.parent / "shared" / "seeds"
    folder = shared if shared.is_dir() else ROOT / "seeds"
    pool: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.name.lower() == "readme.md" or not path.is_file():
            continue
        text = read_text(path.name, path.read_bytes())
        for analysis in analyze_text(text, Glossary(), 3, is_hard_wrapped(path.name)):
            pool.extend(s for s in analysis.sentences
                        if s.endswith("。") and _JA_CLAUSE.search(s) and len(s) <= 120)
    return list(dict.fromkeys(pool)), str(folder)


def recombined(pool: list[str], index: int, part: int) -> str:
    """A distinct sentence: one sample sentence's first clause, another's remainder."""
    n = len(pool)
    a, b = pool[(index * 7 + part) % n], pool[(index * 3 + part * 11 + index // n + 1) % n]
    head = _JA_CLAUSE.split(a, maxsplit=1)[0]
    tail = _JA_CLAUSE.split(b, maxsplit=1)[1]
    return f"{head}、{tail}"


def write_corpus(folder: Path, pool: list[str], articles: int) -> int:
    """Documents of ARTICLES_PER_DOCUMENT newsletter articles; returns the distinct texts."""
    folder.mkdir(parents=True)
    seen: set[str] = set()
    texts: list[str] = []
    for index in range(50 * articles):  # bounded: a tiny pool cannot give enough
        sentences = [recombined(pool, index, part) for part in range(4)]
        head, tail = _JA_CLAUSE.split(recombined(pool, index, 4), maxsplit=1)
        title = f"{head[:16]}、{tail[:14]}"
        if seen.intersection(sentences) or title in seen:
            continue  # every model input distinct: nothing is served from the memory
        seen.update((title, *sentences))
        texts.append(f"【報告】{title}\n{''.join(sentences)}\n")
        if len(texts) == articles:
            break
    else:
        raise SystemExit(f"only {len(texts)} distinct articles from {len(pool)} sentences")
    for start in range(0, articles, ARTICLES_PER_DOCUMENT):
        chunk = texts[start : start + ARTICLES_PER_DOCUMENT]
        (folder / f"doc-{start:04d}.txt").write_text("\n".join(chunk), encoding="utf-8")
    return len(seen)


def peak_rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


def run_pipeline(package: Path, folder: Path, beam: int, glossary: str) -> dict[str, Any]:
    """One `once` over folder/seeds into a new state file; stage times and model counts."""
    from translate import load

    import bot.pipeline
    from bot.app import glossary_for
    from bot.config import Config, PathsConfig, SourcesConfig, TranslationConfig
    from bot.glossary import Glossary
    from bot.store import Store
    from bot.translate.engine import CTranslate2Translator
    from bot.translate.memory import CachedTranslator
    from bot.worker import run_once

    config = Config(paths=PathsConfig(seeds=folder / "seeds", out=folder / "out",
                                      state=folder / "state.sqlite3"),
                    translation=TranslationConfig(beam_size=beam),
                    sources=SourcesConfig(settle_seconds=0))
    stages: dict[str, float] = defaultdict(float)
    saved = []
    for stage, targets in STAGES.items():
        for module_name, attr in targets:
            module = sys.modules[module_name] if module_name in sys.modules else __import__(
                module_name, fromlist=[attr])
            saved.append((module, attr, getattr(module, attr)))
            setattr(module, attr, timed(stages, stage, getattr(module, attr)))
    start = time.perf_counter()
    store = Store.open(config.paths.state)
    meter = Meter(CTranslate2Translator(load(package), config.translation))
    rounds = Rounds(CachedTranslator(meter, store), meter)
    enforce = bot.pipeline.translate_with_terms

    def new_round(*args: Any) -> Any:
        meter.round = 0  # each window's enforcement starts with its first form
        return enforce(*args)

    bot.pipeline.translate_with_terms = new_round  # type: ignore[assignment]
    try:
        terms = glossary_for(config) if glossary == "shipped" else Glossary()
        report = run_once(config, store, terms, rounds)  # type: ignore[arg-type]
    finally:
        bot.pipeline.translate_with_terms = enforce
        for module, attr, fn in saved:
            setattr(module, attr, fn)
        store.close()
    total = time.perf_counter() - start
    return {"total": total, "stages": dict(stages), "entries": report.entries,
            "meter": meter, "peak": peak_rss_mb()}


def engine_only(meter: Meter) -> float:
    """The same engine on the same model inputs in one call: sentences per second."""
    start = time.perf_counter()
    meter.engine.translate(meter.inputs)
    return len(meter.inputs) / (time.perf_counter() - start)


def build_package(folder: Path) -> Path:
    script = ROOT / "tests" / "support" / "make_test_model.py"
    archive = folder / "real.argosmodel"
    subprocess.run([sys.executable, str(script), str(archive), "--shape", "real"], check=True,
                   cwd=ROOT, capture_output=True)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(folder)
        return folder / zf.namelist()[0].split("/")[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--growth", default="50,100,200,400")
    parser.add_argument("--beam", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--glossary", choices=["shipped", "none"], default="shipped")
    parser.add_argument("--package", type=Path, help="an extracted package folder to reuse")
    args = parser.parse_args()
    import bot.translate.engine as engine_module

    # Random weights decode to the bound: make it a ja→en translation's length.
    engine_module.output_limit = lambda _o, longest: math.ceil(OUTPUT_RATIO * longest)
    pool, source = sentence_pool()
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as tmp:
        package = args.package or build_package(Path(tmp))
        runs, rates = [], []
        for r in range(args.repeats):
            folder = Path(tmp) / f"main-{r}"
            texts = write_corpus(folder / "seeds", pool, args.articles)
            runs.append(run_pipeline(package, folder, args.beam, args.glossary))
            rates.append(engine_only(runs[-1]["meter"]))
        report_main(runs, rates, args, source, texts)
        growth = {}
        for size in (int(s) for s in args.growth.split(",") if s):
            if size == args.articles:  # measured above
                run = min(runs, key=lambda r: abs(r["total"] - statistics.median(
                    x["total"] for x in runs)))
            else:
                folder = Path(tmp) / f"growth-{size}"
                write_corpus(folder / "seeds", pool, size)
                run = run_pipeline(package, folder, args.beam, args.glossary)
            growth[size] = run["total"] / size
            meter = run["meter"]
            # The model's share and the input's length beside the total: a rise in time per
            # article is either longer sentences (model) or a stage of ours growing (rest).
            rest = (run["total"] - meter.seconds) / size
            print(f"seconds_per_article_at_{size}={growth[size]:.3f} "
                  f"model={meter.seconds / size:.3f} rest={rest:.3f} "
                  f"model_pieces_per_article={meter.pieces() / size:.0f}")
    if growth:
        print(f"growth_max_over_min={max(growth.values()) / min(growth.values()):.2f}")
    per_article = statistics.median(run["total"] for run in runs) / args.articles
    print(f"articles_per_min={60 / per_article:.1f}")
    return 0


def report_main(runs: list[dict[str, Any]], rates: list[float], args: argparse.Namespace,
                source: str, texts: int) -> None:
    med = statistics.median
    total = med(run["total"] for run in runs)
    print(f"articles={args.articles} beam={args.beam} repeats={args.repeats} "
          f"glossary={args.glossary} output_ratio={OUTPUT_RATIO} distinct_texts={texts} "
          f"sentences_from={source}")
    print(f"entries={runs[0]['entries']} total_s={total:.1f}")
    stages = {name: med(run["stages"].get(name, 0.0) for run in runs) for name in STAGES}
    stages["other"] = total - sum(stages.values())
    print("stages_s " + " ".join(f"{name}={s:.2f}" for name, s in stages.items()))
    model_s = med(run["meter"].seconds for run in runs)
    print(f"translate_model_s={model_s:.1f} translate_ours_s={stages['translate'] - model_s:.2f}")
    first = med(run["meter"].by_round["first"] for run in runs)
    retry = med(run["meter"].by_round["retry"] for run in runs)
    print(f"model_sentences_per_article={(first + retry) / args.articles:.2f} "
          f"first_pass={first / args.articles:.2f} enforcement_retries={retry / args.articles:.2f}")
    pipeline_rate = med(len(run["meter"].inputs) / run["total"] for run in runs)
    engine_rate = med(rates)
    print(f"pipeline_model_sentences_per_s={pipeline_rate:.2f} "
          f"engine_only_sentences_per_s={engine_rate:.2f} "
          f"pipeline_share_of_engine={pipeline_rate / engine_rate:.2f}")
    print(f"peak_rss_mb={max(run['peak'] for run in runs):.0f}")


if __name__ == "__main__":
    raise SystemExit(main())
