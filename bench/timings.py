"""Timings the tests used to assert in seconds, measured side by side as ratios instead.

- entity refusal: refusing each entity-expansion feed (billion laughs, the same behind a
  comment, a quadratic blow-up) against parsing a plain feed of the same size.
- feed polls: three feeds that never answer against one, with the same timeout (polled
  together, three cost what one does); each never-answering and trickling feed against its
  timeout (the deadline is overall, not per read).
- decoding: `decode_bytes` on 1 MB of Japanese against the codec alone, per encoding.
- terms: restoring 6,000 glossary terms in one text against 600 (one pass: linear).

Run: `uv run python bench/timings.py` (about 15 s; nothing is downloaded).
"""

from __future__ import annotations

import codecs
import itertools
import statistics
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from _common import median_time

_LOL_DTD = "<!DOCTYPE rss [\n<!ENTITY lol0 \"lol\">\n" + "".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">\n' for n in range(1, 10)) + "]>\n"
_LOL_ITEM = "<item><title>x</title><description>&lol9;</description></item>"


def side_by_side(first: Callable[[], object], second: Callable[[], object],
                 repeats: int) -> float:
    """Median of `first`'s time over `second`'s, the two alternating."""
    a, b = [], []
    for _ in range(repeats):
        a.append(median_time(first, 1))
        b.append(median_time(second, 1))
    return statistics.median(a) / statistics.median(b)


def entity_refusal() -> float:
    from bot.core.errors import InputError
    from bot.sources.feeds import parse_feed
    from tests.support.feed_polling import make_rss

    hostile = {
        "billion_laughs": make_rss(_LOL_ITEM, prolog=_LOL_DTD),
        "behind_a_comment": make_rss(_LOL_ITEM, prolog=_LOL_DTD).replace(
            "?>\n", "?>\n<!-- <a -->\n", 1),
        "quadratic": make_rss(_LOL_ITEM.replace("&lol9;", "&a;" * 2000),
                              prolog=f'<!DOCTYPE rss [\n<!ENTITY a "{"x" * 100_000}">\n]>\n'),
    }
    headers = {"content-type": "application/rss+xml"}
    worst = 0.0
    for name, doc in hostile.items():
        items = "".join(f"<item><title>t{n}</title><description>{'x' * 200}</description></item>"
                        for n in range(len(doc) // 260 + 1))
        plain = make_rss(items).encode()

        def refuse(body: bytes = doc.encode()) -> None:
            try:
                parse_feed("https://example.jp/f", body, headers)
            except InputError:
                return
            raise AssertionError("not refused")

        ratio = side_by_side(refuse, lambda body=plain: parse_feed(  # type: ignore[misc]
            "https://example.jp/f", body, headers), 5)
        print(f"entity_refusal_{name}_vs_plain_parse={ratio:.2f} ({len(doc):,} bytes)")
        worst = max(worst, ratio)
    return worst


def feed_polls() -> float:
    from bot.config import Config, SourcesConfig
    from bot.glossary import Glossary
    from bot.run.ingest import ingest_feeds
    from bot.run.job import Ingest, IngestReport
    from bot.sources.feeds import FeedState, poll_feed
    from bot.state.store import Store
    from tests.support.feed_polling import NOW
    from tests.support.slow_server import silent_server, stream_server

    timeout = 1.0

    def poll_all(urls: Sequence[str]) -> None:
        with TemporaryDirectory() as tmp:
            config = Config(sources=SourcesConfig(feeds=tuple(urls),
                                                  feed_timeout_seconds=timeout))
            store = Store.open(Path(tmp) / "state.sqlite3")
            try:
                ingest_feeds(Ingest(config, store, Glossary(), None,  # type: ignore[arg-type]
                                    datetime.now(UTC), lambda _: None), IngestReport())
            finally:
                store.close()

    with ExitStack() as stack:
        three = [stack.enter_context(silent_server()) for _ in range(3)]
        one = stack.enter_context(silent_server())
        ratio = side_by_side(lambda: poll_all(three), lambda: poll_all([one]), 3)
        print(f"three_silent_feeds_vs_one={ratio:.2f}")
        silent = median_time(lambda: poll_feed(FeedState(one), NOW, timeout=timeout), 3)
        print(f"silent_feed_vs_timeout={silent / timeout:.2f}")
    with stream_server(lambda: itertools.repeat(b" ", 100), delay=0.1) as url:
        trickle = median_time(lambda: poll_feed(FeedState(url), NOW, timeout=0.5), 3)
    print(f"trickling_feed_vs_timeout={trickle / 0.5:.2f}")
    return ratio


def decoding() -> float:
    from bot.sources.encodings import decode_bytes

    text = ("中欧班列の運行本数が過去最多を更新した。カザフスタン経由の貨物は前年より2割増えた。"
            "高島屋の売上高は3番目の店舗で前年比1割増えた。Kazakhstan 2.6万TEU\n") * 8000
    worst = 0.0
    for name in ("utf-8", "cp932", "euc_jp", "utf-16-le", "iso2022_jp"):
        data = (codecs.BOM_UTF16_LE if name == "utf-16-le" else b"") + text.encode(name)
        ratio = side_by_side(lambda data=data: decode_bytes(data),  # type: ignore[misc]
                             lambda data=data, name=name: data.decode(name), 11)
        print(f"decode_{name}_vs_codec={ratio:.1f} ({len(data) / 1e6:.1f} MB)")
        worst = max(worst, ratio)
    return worst


def terms() -> float:
    from bot.glossary import Glossary
    from bot.glossary.enforce import translate_with_terms

    glossary = Glossary.from_pairs([("カザフスタン", "Kazakhstan"), ("一帯一路", "Belt and Road")])
    clause = "カザフスタンの石油輸出は増加し、一帯一路の鉄道は延伸された"

    class Echo:
        identity = "echo"

        def translate(self, sentences: Sequence[str]) -> list[str]:
            return list(sentences)

    ratio = side_by_side(lambda: translate_with_terms([clause * 3000], glossary, Echo()),
                         lambda: translate_with_terms([clause * 300], glossary, Echo()), 3)
    print(f"terms_6000_vs_600={ratio:.1f}")
    return ratio


def main() -> None:
    started = time.perf_counter()
    entity = entity_refusal()
    polls = feed_polls()
    decode = decoding()
    restore = terms()
    print(f"seconds={time.perf_counter() - started:.0f}")
    print(f"worst: decode_vs_codec={decode:.1f} terms_6000_vs_600={restore:.1f} "
          f"three_silent_feeds_vs_one={polls:.2f}")
    print(f"entity_refusal_vs_plain_parse={entity:.2f}")


if __name__ == "__main__":
    main()
