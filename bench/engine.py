"""The engine's settings side by side: throughput and peak memory of each, on the real shape.

    uv run python bench/engine.py [--sentences 128] [--repeats 3] [--package DIR]

Builds a random-weight model of the real translate-ja_en shape (or reuses an extracted
package folder), then runs every setting of SETTINGS in its own process (so each peak RSS is
that setting's alone), alternating settings round after round so that a drift in machine
speed hits all alike. Every process translates the same sentences from the sample documents
through `CTranslate2Translator.translate`, as a run does. Random weights never stop early:
decoding is bounded to 1.2x each group's longest input (a ja→en translation's length).
One row per setting: median sentences/s and median peak RSS (VmHWM, MB); last line the
fastest beam-2 setting whose peak stays within the pipeline's 600 MB budget.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, sample_sentences

# (label, beam, batch_type, max_batch_size, inter, intra, compute_type)
SETTINGS = [
    ("ex8", 2, "examples", 8, 2, 1, "int8"),
    ("ex16", 2, "examples", 16, 2, 1, "int8"),
    ("ex32", 2, "examples", 32, 2, 1, "int8"),
    ("ex64", 2, "examples", 64, 2, 1, "int8"),
    ("tok512", 2, "tokens", 512, 2, 1, "int8"),
    ("tok1024", 2, "tokens", 1024, 2, 1, "int8"),
    ("tok2048", 2, "tokens", 2048, 2, 1, "int8"),
    ("ex32-intra2", 2, "examples", 32, 1, 2, "int8"),
    ("ex32-i8f32", 2, "examples", 32, 2, 1, "int8_float32"),
    ("ex32-beam1", 1, "examples", 32, 2, 1, "int8"),
    ("ex32-beam4", 4, "examples", 32, 2, 1, "int8"),
]
OUTPUT_RATIO = 1.2
PEAK_BUDGET_MB = 600  # the whole pipeline's target peak

_CHILD = """
import json, math, re, sys, time
sys.path[:0] = [{root!r}, {root!r} + "/bench"]
from bot.config import TranslationConfig
from bot.translate import engine
from pathlib import Path
from translate import load
engine.output_limit = lambda options, longest: math.ceil({ratio} * longest)
sentences = json.loads(sys.stdin.read())
options = TranslationConfig(beam_size={beam}, batch_type={btype!r}, max_batch_size={size},
                            inter_threads={inter}, intra_threads={intra}, compute_type={ct!r})
translator = engine.CTranslate2Translator(load(Path({package!r})), options)
translator.translate(sentences[:2])  # load the model: the rate is of translating
start = time.perf_counter()
translator.translate(sentences)
seconds = time.perf_counter() - start
peak_kb = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
print(json.dumps({{"rate": len(sentences) / seconds, "peak_mb": peak_kb / 1024}}))
"""


def run_setting(setting: tuple[object, ...], package: Path,
                sentences: list[str]) -> dict[str, float]:
    _label, beam, btype, size, inter, intra, ct = setting
    code = _CHILD.format(root=str(ROOT), ratio=OUTPUT_RATIO, beam=beam, btype=btype, size=size,
                         inter=inter, intra=intra, ct=ct, package=str(package))
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps(sentences),
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--package", type=Path, help="an extracted package folder to reuse")
    parser.add_argument("--only", help="comma-separated labels of SETTINGS to run")
    args = parser.parse_args()
    from translate import build_model

    chosen = [s for s in SETTINGS if not args.only or s[0] in args.only.split(",")]
    sentences = sample_sentences(args.sentences)
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as tmp:
        package = args.package or build_model(Path(tmp))
        runs: dict[str, list[dict[str, float]]] = {str(s[0]): [] for s in chosen}
        for _ in range(args.repeats):
            for setting in chosen:
                runs[str(setting[0])].append(run_setting(setting, package, sentences))
    print(f"sentences={len(sentences)} repeats={args.repeats} output_ratio={OUTPUT_RATIO}")
    print("| setting | beam | batch | threads inter×intra | compute | sentences/s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    lean: dict[str, float] = {}
    for label, beam, btype, size, inter, intra, ct in chosen:
        rate = statistics.median(r["rate"] for r in runs[str(label)])
        peak = statistics.median(r["peak_mb"] for r in runs[str(label)])
        print(f"| {label} | {beam} | {size} {btype} | {inter}×{intra} | {ct} | {rate:.1f} "
              f"| {peak:.0f} |")
        if peak <= PEAK_BUDGET_MB and beam == 2:
            lean[str(label)] = rate
    best = max(lean, key=lean.__getitem__, default="none")
    print(f"fastest_beam2_within_{PEAK_BUDGET_MB}_mb={best}:{lean.get(best, 0.0):.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
