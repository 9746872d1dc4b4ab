"""Translation throughput: Kakehashi's engine vs the same model called the way Argos calls it.

    uv run python bench/translate.py [--sentences 256] [--repeats 3] [--beam 2]

Builds a random-weight model of the real translate-ja_en shape (6+6 layers, d_model 512,
50k vocabulary, int8) in a temp folder, then times on the same sentences, the same beam and a
fixed output length (random weights would otherwise decide it):
  (a) Kakehashi's CTranslate2Translator (batched by sentences, replicas fitted to the cores);
  (b) the same model as Argos runs it: one Translator with inter_threads=1, translate_batch
      with batch_type="tokens", max_batch_size=32 (about one sentence per batch);
  (c) a second pass of (a) through the translation memory (every sentence cached).
Each figure is the median of --repeats passes; (a) and (b) alternate. One line per figure,
the last `speedup_vs_argos_batching=<float>`. `--mode engine|argos` times one mode alone,
so whole processes can be compared with an external timer.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ROOT, median_time, peak_rss_mb, sample_sentences

OUTPUT_TOKENS = 48


def load(package_dir: Path) -> Any:
    from bot.translate.packages import read_installed

    info = read_installed(package_dir)
    assert info is not None, f"not a package: {package_dir}"
    return info


def engine_for(info: Any, beam: int) -> Any:
    from bot.config import TranslationConfig
    from bot.translate.engine import CTranslate2Translator

    return CTranslate2Translator(
        info, TranslationConfig(beam_size=beam, max_output_tokens=OUTPUT_TOKENS)
    )


class ArgosStyle:
    """The model called as argostranslate.translate does (its defaults: inter_threads=1)."""

    def __init__(self, info: Any, beam: int) -> None:
        import ctranslate2
        import sentencepiece

        self.sp = sentencepiece.SentencePieceProcessor(model_file=str(info.sentencepiece_model))
        self.model = ctranslate2.Translator(str(info.model_dir), device="cpu",
                                            compute_type="int8", inter_threads=1,
                                            intra_threads=0)
        self.beam = beam

    def translate(self, sentences: list[str]) -> list[str]:
        tokens = [self.sp.encode(s, out_type=str) for s in sentences]
        results = self.model.translate_batch(
            tokens, replace_unknowns=True, max_batch_size=32, batch_type="tokens",
            beam_size=self.beam, num_hypotheses=1, length_penalty=0.2, return_scores=True,
            max_decoding_length=OUTPUT_TOKENS,
        )
        return [self.sp.decode(r.hypotheses[0]) for r in results]


def build_model(folder: Path, shape: str = "real") -> Path:
    import sys
    import zipfile

    sys.path.insert(0, str(ROOT))
    from tests.support.make_test_model import build_package

    archive = build_package(folder / f"{shape}.argosmodel", shape)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(folder)
        top = zf.namelist()[0].split("/")[0]
    return folder / top


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--beam", type=int, default=2)
    parser.add_argument("--mode", choices=["all", "engine", "argos"], default="all")
    parser.add_argument("--package", type=Path, help="an extracted package folder to reuse")
    args = parser.parse_args()
    sentences = sample_sentences(args.sentences)
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as tmp:
        start = time.perf_counter()
        package = args.package or build_model(Path(tmp))
        print(f"model_build_s={time.perf_counter() - start:.1f}")
        info = load(package)
        if args.mode != "all":
            runner = engine_for(info, args.beam) if args.mode == "engine" else ArgosStyle(
                info, args.beam)
            seconds = median_time(lambda: runner.translate(sentences), args.repeats)
            print(f"{args.mode}_sentences_per_s={len(sentences) / seconds:.2f}")
            print(f"peak_rss_mb={peak_rss_mb():.0f}")
            return 0
        run_all(info, sentences, args.repeats, args.beam, Path(tmp))
    return 0


def run_all(info: Any, sentences: list[str], repeats: int, beam: int, tmp: Path) -> None:
    from bot.state.store import Store
    from bot.translate.memory import CachedTranslator

    engine, argos = engine_for(info, beam), ArgosStyle(info, beam)
    engine.translate(sentences[:4])  # load before timing: both are timed warm
    argos.translate(sentences[:4])
    engine_times, argos_times = [], []
    for _ in range(repeats):  # alternate, so drift in machine speed hits both alike
        engine_times.append(median_time(lambda: engine.translate(sentences), 1))
        argos_times.append(median_time(lambda: argos.translate(sentences), 1))
    store = Store.open(tmp / "memory.sqlite3")
    memory = CachedTranslator(engine, store)
    first_pass = median_time(lambda: memory.translate(sentences), 1)
    cached = median_time(lambda: memory.translate(sentences), max(repeats, 3))
    store.close()
    engine_s, argos_s = statistics.median(engine_times), statistics.median(argos_times)
    n = len(sentences)
    print(f"sentences={n} beam={beam} output_tokens={OUTPUT_TOKENS} repeats={repeats}")
    print(f"engine_sentences_per_s={n / engine_s:.2f}")
    print(f"argos_batching_sentences_per_s={n / argos_s:.2f}")
    print(f"memory_first_pass_sentences_per_s={n / first_pass:.2f}")
    print(f"memory_cached_sentences_per_s={n / cached:.0f}")
    print(f"cached_speedup_vs_engine={engine_s / cached:.0f}")
    print(f"peak_rss_mb={peak_rss_mb():.0f}")
    print(f"speedup_vs_argos_batching={argos_s / engine_s:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
