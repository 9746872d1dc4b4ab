"""Sentence recovery per layout: how many real sentences come out whole, and how fast.

    uv run python bench/layouts.py

For every genre of the corpus in tests/corpus (news, reference manual, government report,
mail newsletter) and every layout generated from it (tests/corpus/layouts.py), the document
goes through `read_text` and `analyze_text` as in a run. Printed per layout:
`<layout>_recall` (gold sentences, headings and list items that come out as exactly one output
sentence or title, white space normalised), `<layout>_precision` (output sentences that are
a gold one) and `<layout>_leaks` (sentences or titles holding the running header, a page
number or other furniture: `tests.corpus.layouts.is_junk`, and on HTML a ruby reading glued
after its base; target 0). Then the cost of clean + articles + sentences in ms per KB at 10 KB and
1 MB of wrapped text, for 1 MB of wrapped text with no full stop (one paragraph) and for a
2 MB single line (linear: the figures stay flat).
Then one line per real page of tests/corpus/pages (tests/corpus/pages.py): `page=<file>
kind=<news|ruby|manual|mail> whole=<share of gold units out whole> gold=<units>
output=<sentences and titles> junk=<outputs that are no gold unit> tool_lines=<junk lines that
are a reader tool> glued=<sentences with a reading glued to its word> title=<yes|no>
date=<yes|no|-> url=<yes|no|->` (`-`: the page states none).
Last line: `sentence_recall_min=<float>`, the lowest recall over the layouts (target ≥ 0.97).
"""

from __future__ import annotations

import time
from collections import defaultdict

from _common import median_time  # also puts the project on sys.path


def recall_by_layout() -> dict[str, list[int]]:
    from tests.corpus.layouts import GENRES, layouts, measure

    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for genre in GENRES:
        for layout, name, data, gold in layouts(genre):
            outcome = measure(name, data, gold)
            row = totals[layout]
            for i, value in enumerate((outcome.gold, outcome.whole, outcome.output,
                                       outcome.correct, outcome.leaks)):
                row[i] += value
    return totals


def ms_per_kb(text: str, repeats: int) -> float:
    from bot.text.articles import split_articles
    from bot.text.clean import clean_text
    from bot.text.sentences import split_sentences

    def run() -> None:
        for article in split_articles(clean_text(text)):
            for paragraph in article.paragraphs:
                split_sentences(paragraph)

    return median_time(run, repeats) * 1000 / (len(text.encode()) / 1024)


def sentences(size: int) -> list[str]:
    """Corpus sentences, each made distinct with a number, about `size` bytes in all
    (distinct, so that no wrapped line repeats like a running header)."""
    from tests.corpus.layouts import GENRES, gold_units, load_gold

    pool = [u for g in GENRES for u in gold_units(load_gold(g)) if u.endswith("。")]
    out, total = [], 0
    while total < size:
        sentence = pool[len(out) % len(pool)].replace("。", f"{len(out)}。")
        out.append(sentence)
        total += len(sentence.encode())
    return out


def wrapped(units: list[str], per_paragraph: int) -> str:
    """Paragraphs of `per_paragraph` sentences, wrapped at 38 full-width columns, indented."""
    from tests.corpus.layouts import wrap_line

    lines = []
    for i in range(0, len(units), per_paragraph):
        lines += wrap_line("\u3000" + "".join(units[i : i + per_paragraph]), 76, True)
    return "\n".join(lines)


def report_pages() -> None:
    """One line of figures per real page (tests/corpus/pages)."""
    from tests.corpus.pages import measure_all

    def mark(flag: bool | None) -> str:
        return "-" if flag is None else "yes" if flag else "no"

    for o in measure_all():
        print(f"page={o.name} kind={o.kind} whole={o.recall:.3f} gold={o.gold} "
              f"output={o.output} junk={len(o.junk)} tool_lines={o.tool_lines} "
              f"glued={o.glued} title={mark(o.title_ok)} date={mark(o.date_ok)} "
              f"url={mark(o.url_ok)}")


def main() -> int:
    start = time.perf_counter()
    totals = recall_by_layout()
    recalls = []
    for layout, (gold, whole, output, correct, leaks) in totals.items():
        recall = whole / gold if gold else 0.0
        recalls.append(recall)
        print(f"{layout}_recall={recall:.3f}")
        print(f"{layout}_precision={correct / output if output else 0.0:.3f}")
        print(f"{layout}_leaks={leaks}")
    print(f"corpus_s={time.perf_counter() - start:.1f}")
    print(f"wrapped_10kb_ms_per_kb={ms_per_kb(wrapped(sentences(10_000), 5), 5):.3f}")
    print(f"wrapped_1mb_ms_per_kb={ms_per_kb(wrapped(sentences(1_000_000), 5), 1):.3f}")
    # One paragraph of 1 MB: no full stop anywhere, so every line joins the one before.
    no_stop = [s.replace("。", "、") for s in sentences(1_000_000)]
    print(f"no_stop_1mb_ms_per_kb={ms_per_kb(wrapped(no_stop, len(no_stop)), 1):.3f}")
    print(f"single_line_2mb_ms_per_kb={ms_per_kb(''.join(sentences(2_000_000)), 1):.3f}")
    report_pages()
    print(f"sentence_recall_min={min(recalls):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
