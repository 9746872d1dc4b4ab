"""The whole pipeline, `once` as a user runs it, on the real model shape: where the time goes.

    uv run python bench/pipeline.py [--articles 200] [--repeats 1] [--beam 2]
        [--growth 50,100,200,400] [--growth-rounds 3] [--glossary shipped|none]
        [--tokenizer calibrated|test] [--pieces-per-char 0.53] [--package DIR]

In-process: the same calls `kakehashi once` makes (`bot.run.worker.run_once` with the shipped
glossary, the translation memory in a new state file, so nothing is cached, and the engine
built from the config), on a folder of generated documents whose titles and sentences are
all distinct (bench/support.py), so no dedup and no memory saves model work. The model is a
random-weight model of the real translate-ja_en shape whose tokenizer cuts Japanese into as
many pieces per character as the real package's (`--tokenizer test`: the tests' small one,
about twice as many). Random weights never stop early: decoding is bounded to 1.2x each
group's longest input, about a ja→en translation's length; the glossary's placeholders come
back mangled more often than from a trained model, so the model calls enforcement retries
cost are printed apart (`--glossary none`: the first pass alone).

Prints the tokenizer's pieces per character, the time of each stage (read, clean/split,
summarise, translate, render, publish, and the rest: store, glossary matching, dedup), the
model sentences per article (first pass and enforcement retries), the run's peak RSS, the
engine alone on the very same model inputs (one call, its best case) and the pipeline's
model rate as a share of it. Then seconds per article at each --growth size, every size
once a round, rounds in rotated order (median and range, the model's share and ours), and
last `articles_per_min=<float>` (median of --repeats runs of --articles).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from support import (
    TARGET_PIECES_PER_CHAR,
    Meter,
    Rounds,
    build_package,
    calibrated_tokenizer,
    model_texts,
    peak_rss_mb,
    pieces_per_char,
    release,
    reset_peak,
    sample_folder,
    sentence_pool,
    timed,
    training_lines,
    write_corpus,
)

STAGES = {
    "read": [("bot.run.ingest", "read_bytes"), ("bot.run.ingest", "read_text")],
    "clean_split": [("bot.run.pipeline", "clean_text"), ("bot.run.pipeline", "split_articles"),
                    ("bot.run.pipeline", "split_sentences")],
    "summarise": [("bot.run.pipeline", "choose_summary")],
    "translate": [("bot.run.stream", "translate_works")],
    "render": [("bot.run.worker", "build_digest"), ("bot.run.worker", "render_telegram")],
    "publish": [("bot.run.worker", "write_feed"), ("bot.run.worker", "deliver")],
}
OUTPUT_RATIO = 1.2


def run_pipeline(package: Path, folder: Path, beam: int, glossary: str) -> dict[str, Any]:
    """One `once` over folder/seeds into a new state file; stage times and model counts."""
    from translate import load

    import bot.run.pipeline
    from bot.config import Config, PathsConfig, SourcesConfig, TranslationConfig
    from bot.glossary import Glossary, glossary_for
    from bot.run.worker import run_once
    from bot.state.store import Store
    from bot.translate.engine import CTranslate2Translator
    from bot.translate.memory import CachedTranslator

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
    reset_peak()
    start = time.perf_counter()
    store = Store.open(config.paths.state)
    meter = Meter(CTranslate2Translator(load(package), config.translation))
    rounds = Rounds(CachedTranslator(meter, store), meter)
    enforce = bot.run.pipeline.translate_with_terms

    def new_round(*args: Any) -> Any:
        meter.round = 0  # each window's enforcement starts with its first form
        return enforce(*args)

    bot.run.pipeline.translate_with_terms = new_round  # type: ignore[assignment]
    try:
        terms = glossary_for(config) if glossary == "shipped" else Glossary()
        report = run_once(config, store, terms, rounds)  # type: ignore[arg-type]
    finally:
        bot.run.pipeline.translate_with_terms = enforce
        for module, attr, fn in saved:
            setattr(module, attr, fn)
        store.close()
    total = time.perf_counter() - start
    return {"total": total, "stages": dict(stages), "entries": report.entries,
            "meter": meter, "peak": peak_rss_mb()}


def engine_only(meter: Meter) -> float:
    """The same engine on the same model inputs in one call: sentences per second. Then the
    model is unloaded, as it is after a run."""
    start = time.perf_counter()
    meter.engine.translate(meter.inputs)
    rate = len(meter.inputs) / (time.perf_counter() - start)
    release(meter)
    return rate


def prepare_package(args: argparse.Namespace, tmp: Path, pool: list[str]) -> Path:
    """The real-shape model: with a tokenizer cut as finely as the real package's
    (`calibrated`), or the tests' small one (`test`, 1,200 pieces); prints its granularity."""
    probe = model_texts(pool, args.articles)
    if args.package:
        tokenizer = (args.package / "sentencepiece.model").read_bytes()
    elif args.tokenizer == "test":
        from tests.support.make_test_model import SHAPES, train_sentencepiece

        tokenizer = train_sentencepiece(SHAPES["real"].vocab)
    else:
        tokenizer, _ratio = calibrated_tokenizer(training_lines(), probe, args.pieces_per_char)
    import sentencepiece as spm

    size = spm.SentencePieceProcessor(model_proto=tokenizer).get_piece_size()
    print(f"tokenizer={args.tokenizer} pieces={size} "
          f"pieces_per_char={pieces_per_char(tokenizer, probe):.3f} "
          f"target={args.pieces_per_char if args.tokenizer == 'calibrated' else '-'}")
    return args.package or build_package(tmp, tokenizer)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--growth", default="50,100,200,400")
    parser.add_argument("--growth-rounds", type=int, default=3)
    parser.add_argument("--beam", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--glossary", choices=["shipped", "none"], default="shipped")
    parser.add_argument("--tokenizer", choices=["calibrated", "test"], default="calibrated")
    parser.add_argument("--pieces-per-char", type=float, default=TARGET_PIECES_PER_CHAR)
    parser.add_argument("--package", type=Path, help="an extracted package folder to reuse")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    import bot.translate.engine as engine_module

    # Random weights decode to the bound: make it a ja→en translation's length.
    engine_module.output_limit = lambda _o, longest: math.ceil(OUTPUT_RATIO * longest)
    pool = sentence_pool(sample_folder())
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as tmp:
        package = prepare_package(args, Path(tmp), pool)
        runs, rates = [], []
        for r in range(args.repeats):
            folder = Path(tmp) / f"main-{r}"
            texts = write_corpus(folder / "seeds", pool, args.articles)
            runs.append(run_pipeline(package, folder, args.beam, args.glossary))
            rates.append(engine_only(runs[-1]["meter"]))
        report_main(runs, rates, args, str(sample_folder()), texts)
        sizes = [int(s) for s in args.growth.split(",") if s]
        growth = {size: [] for size in sizes}  # type: dict[int, list[dict[str, Any]]]
        for r in range(args.growth_rounds if sizes else 0):
            # Each round in another order: a slow spell of the machine hits every size alike.
            for size in sizes[r % len(sizes):] + sizes[: r % len(sizes)]:
                folder = Path(tmp) / f"growth-{size}-{r}"
                write_corpus(folder / "seeds", pool, size)
                growth[size].append(run_pipeline(package, folder, args.beam, args.glossary))
                release(growth[size][-1]["meter"])
    report_growth(growth)
    per_article = statistics.median(run["total"] for run in runs) / args.articles
    print(f"articles_per_min={60 / per_article:.1f}")
    return 0


def report_growth(growth: dict[int, list[dict[str, Any]]]) -> None:
    """Seconds per article at each size: median and range over the rounds, the model's share
    and ours (a rise is either the model on longer inputs, or a stage of ours growing)."""
    med = statistics.median
    per, rest = {}, {}
    for size, runs in growth.items():
        if not runs:
            continue
        each = sorted(run["total"] / size for run in runs)
        per[size] = med(each)
        rest[size] = med((run["total"] - run["meter"].seconds) / size for run in runs)
        model = med(run["meter"].seconds / size for run in runs)
        pieces = med(run["meter"].pieces() / size for run in runs)
        print(f"seconds_per_article_at_{size}={per[size]:.3f} range={each[0]:.3f}-{each[-1]:.3f}"
              f" model={model:.3f} rest={rest[size]:.4f} model_pieces_per_article={pieces:.0f}")
    if per:
        print(f"rest_growth_max_over_min={max(rest.values()) / min(rest.values()):.2f}")
        print(f"growth_max_over_min={max(per.values()) / min(per.values()):.2f}")


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
    # The share counts the whole run (model load, our stages, the store), the engine alone
    # only its call; the model's own time in the run is printed apart.
    in_model = med(len(run["meter"].inputs) / run["meter"].seconds for run in runs)
    print(f"pipeline_model_sentences_per_s={pipeline_rate:.2f} "
          f"in_model_sentences_per_s={in_model:.2f} "
          f"engine_only_sentences_per_s={engine_rate:.2f} "
          f"pipeline_share_of_engine={pipeline_rate / engine_rate:.2f}")
    print("each_run total_s=" + ",".join(f"{run['total']:.1f}" for run in runs)
          + " engine_only_sentences_per_s=" + ",".join(f"{rate:.1f}" for rate in rates))
    print(f"peak_rss_mb={max(run['peak'] for run in runs):.0f}")


if __name__ == "__main__":
    raise SystemExit(main())
