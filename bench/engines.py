"""The engines side by side on the same sentences: the Argos package run directly, and the
same engine behind a LibreTranslate server on 127.0.0.1.

    uv run python bench/engines.py [--sentences 256] [--repeats 3] [--shape real|tiny]
                                   [--package DIR]

Builds a random-weight model (tests/support/make_test_model.py; `real`: the translate-ja_en
shape, `tiny`: the tests' model) unless --package names an extracted one, with a fixed output
length (random weights would otherwise decide it). Each entry of ENGINES is built once, warmed,
then the entries take turns, --repeats rounds, so a drift in machine speed hits all alike.
Prints each engine's median sentences/s, `protocol_overhead` (the remote engine's time over
the direct engine's fed the same 32-text requests: HTTP and JSON alone), then
`remote_overhead=<float>`: the remote engine's median time over the direct one's (the
protocol, and requests cut to 32 texts where the direct engine sorts all the sentences into
its batches).

The server is tests/support/fake_libretranslate.py with our engine plugged in: a batch goes
to the model as one call. A real LibreTranslate server translates a request's texts one by
one, so this measures the protocol's cost, not LibreTranslate's speed.
Another engine (a CTranslate2 model folder, say) is one more Entry in ENGINES.
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


@dataclass(frozen=True)
class Setup:
    """What the entries are built from: the package, and the stack closing what they open."""

    package: Any
    stack: contextlib.ExitStack


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


# The first is the reference the others are compared with. `argos_in_requests` parts the
# remote engine's cost in two: smaller batches, and the protocol itself.
ENGINES = [Entry("argos", argos), Entry("argos_in_requests", argos_in_requests),
           Entry("libretranslate", libretranslate)]


@contextlib.contextmanager
def built_package(shape: str, given: Path | None) -> Iterator[Any]:
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as tmp:
        start = time.perf_counter()
        folder = given or build_model(Path(tmp), shape)
        print(f"model_build_s={time.perf_counter() - start:.1f}")
        yield load(folder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--shape", choices=["real", "tiny"], default="real")
    parser.add_argument("--package", type=Path, help="an extracted package folder to reuse")
    args = parser.parse_args()
    sentences = sample_sentences(args.sentences)
    with built_package(args.shape, args.package) as package, contextlib.ExitStack() as stack:
        setup = Setup(package, stack)
        engines = {entry.name: entry.build(setup) for entry in ENGINES}
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
    print(f"protocol_overhead={medians['libretranslate'] / medians['argos_in_requests']:.3f}")
    print(f"remote_overhead={medians['libretranslate'] / medians['argos']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
