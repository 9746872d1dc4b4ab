"""The engines side by side on the same sentences: the Argos package run directly, the
same engine behind a LibreTranslate server on 127.0.0.1, and CTranslate2 model folders of the
three families `translation.model_dir` reads (Marian, M2M100, NLLB).

    uv run python bench/engines.py [--sentences 256] [--repeats 3] [--shape real|tiny]
                                   [--package DIR] [--families marian,m2m100,nllb]

Builds a random-weight model (tests/support/make_test_model.py; `real`: the translate-ja_en
shape, `tiny`: the tests' model) unless --package names an extracted one, and a random-weight
folder of each family in the same shape (tests/support/make_ct2_models.py), all with a fixed
output length (random weights would otherwise decide it: they never stop on their own, so
every engine decodes to that bound, and a folder's rate is its model's cost for 48 pieces a
sentence with the family's tokens around them, not what a trained model of it would give).
Each entry of ENGINES is built once, warmed, then the entries take turns, --repeats rounds,
so a drift in machine speed hits all alike. Prints each engine's median sentences/s, each
family's time over the direct Argos engine's (`FAMILY_time_vs_argos`), `protocol_overhead`
(the remote engine's time over the direct engine's fed the same 32-text requests: HTTP and
JSON alone), then
`remote_overhead=<float>`: the remote engine's median time over the direct one's (the
protocol, and requests cut to 32 texts where the direct engine sorts all the sentences into
its batches).

The server is tests/support/fake_libretranslate.py with our engine plugged in: a batch goes
to the model as one call. A real LibreTranslate server translates a request's texts one by
one, so this measures the protocol's cost, not LibreTranslate's speed.
Another engine is one more Entry in ENGINES.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import median_time, sample_sentences
from translate import OUTPUT_TOKENS, build_model, load

from tests.support.fake_libretranslate import FakeLibreTranslate
from tests.support.make_ct2_models import FAMILIES, build_model_folder


@dataclass(frozen=True)
class Setup:
    """What the entries are built from: the package, the model folders by family, and the
    stack closing what they open."""

    package: Any
    stack: contextlib.ExitStack
    folders: dict[str, Path]


@dataclass(frozen=True)
class Entry:
    name: str
    build: Callable[[Setup], Any]  # a Translator


def options(**more: Any) -> Any:
    from bot.config import TranslationConfig

    return TranslationConfig(max_output_tokens=OUTPUT_TOKENS, **more)


def argos(setup: Setup) -> Any:
    from bot.translate.engine import CTranslate2Translator

    return CTranslate2Translator(setup.package, options())


def libretranslate(setup: Setup) -> Any:
    """The LibreTranslate engine, its one server backed by the direct engine."""
    from bot.translate.remote import LibreTranslateTranslator

    behind = argos(setup)
    server = FakeLibreTranslate(translate=behind.translate).start()
    setup.stack.callback(server.stop)
    return LibreTranslateTranslator(options(engine="libretranslate", servers=(server.url,)),
                                    key="")


class InRequests:
    """The direct engine fed as the remote one feeds its server: `size` sentences a call."""

    def __init__(self, engine: Any, size: int) -> None:
        self.engine, self.size = engine, size

    def translate(self, sentences: list[str]) -> list[str]:
        return [text for start in range(0, len(sentences), self.size)
                for text in self.engine.translate(sentences[start:start + self.size])]


def argos_in_requests(setup: Setup) -> Any:
    from bot.translate.servers import RemotePolicy

    return InRequests(argos(setup), RemotePolicy().max_texts)


def model_folder(family: str) -> Callable[[Setup], Any]:
    """The `ctranslate2` engine on the family's folder, as translation.model_dir loads it."""

    def build(setup: Setup) -> Any:
        from bot.translate.engine import build_engine

        return build_engine(options(engine="ctranslate2",
                                    model_dir=str(setup.folders[family])))

    return build


# The first is the reference the others are compared with. `argos_in_requests` parts the
# remote engine's cost in two: smaller batches, and the protocol itself.
ENGINES = [Entry("argos", argos), Entry("argos_in_requests", argos_in_requests),
           Entry("libretranslate", libretranslate),
           *(Entry(family, model_folder(family)) for family in FAMILIES)]


@contextlib.contextmanager
def built_models(shape: str, given: Path | None,
                 families: list[str]) -> Iterator[tuple[Any, dict[str, Path]]]:
    """The package (built or `given`) and a folder of each family, in `shape`."""
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as tmp:
        start = time.perf_counter()
        folder = given or build_model(Path(tmp), shape)
        print(f"model_build_s={time.perf_counter() - start:.1f}")
        start = time.perf_counter()
        folders = {family: build_model_folder(Path(tmp) / "folders" / family, family,
                                              shape_name=shape) for family in families}
        print(f"folders_build_s={time.perf_counter() - start:.1f}")
        yield load(folder), folders


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--shape", choices=["real", "tiny"], default="real")
    parser.add_argument("--package", type=Path, help="an extracted package folder to reuse")
    parser.add_argument("--families", default=",".join(FAMILIES),
                        help="the model-folder families to run (comma-separated; '' for none)")
    args = parser.parse_args()
    families = [f for f in args.families.split(",") if f]
    sentences = sample_sentences(args.sentences)
    chosen = [e for e in ENGINES if e.name not in FAMILIES or e.name in families]
    with (built_models(args.shape, args.package, families) as (package, folders),
          contextlib.ExitStack() as stack):
        setup = Setup(package, stack, folders)
        engines = {entry.name: entry.build(setup) for entry in chosen}
        for engine in engines.values():
            engine.translate(sentences[:4])  # loaded (and the server's limits read) first
        times: dict[str, list[float]] = {name: [] for name in engines}
        for _ in range(args.repeats):
            for name, engine in engines.items():
                times[name].append(median_time(lambda e=engine: e.translate(sentences), 1))
    medians = {name: statistics.median(found) for name, found in times.items()}
    print(f"sentences={len(sentences)} output_tokens={OUTPUT_TOKENS} repeats={args.repeats} "
          f"shape={'given' if args.package else args.shape}")
    for name, seconds in medians.items():
        print(f"{name}_sentences_per_s={len(sentences) / seconds:.2f}")
    for family in families:  # the family's plumbing (tokens, tokenizers) against Argos's
        print(f"{family}_time_vs_argos={medians[family] / medians['argos']:.3f}")
    print(f"protocol_overhead={medians['libretranslate'] / medians['argos_in_requests']:.3f}")
    print(f"remote_overhead={medians['libretranslate'] / medians['argos']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
