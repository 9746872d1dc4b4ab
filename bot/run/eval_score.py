"""How close an engine's English comes to the editors' own, and whether it keeps what the
pipeline checks: glossary renderings and numbers. Pure (sacrebleu computes chrF and BLEU).

    chrF            character n-gram F-score against the editors' English, 0-100: forgiving
                    of word forms, steady on a few hundred pairs
    BLEU            word n-gram precision, 0-100: the customary number, harsh on short sets
    term_accuracy   of the glossary terms in the Japanese, the share whose agreed rendering
                    the output holds (None: no term in the pairs)
    numbers_kept    of the numbers the pipeline checks in the Japanese, the share the output
                    keeps by value (bot.text.numbers; None: no number in the pairs)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.glossary import Glossary
from bot.run.eval_pairs import Sample
from bot.text.numbers import check_numbers, checked_numbers


@dataclass(frozen=True)
class EngineScore:
    """One engine's line of the `eval` report (the keys of its --json)."""

    engine: str
    pairs: int
    chrf: float
    bleu: float
    term_accuracy: float | None
    numbers_kept: float | None
    sentences_per_s: float


def score_engine(engine: str, samples: Sequence[Sample], outputs: Sequence[str],
                 glossary: Glossary, sentences: int, seconds: float) -> EngineScore:
    """The scores of `outputs`, one per sample (NFKC Japanese), made by translating
    `sentences` sentences in `seconds`."""
    chrf, bleu = corpus_scores(outputs, [s.en for s in samples])
    return EngineScore(
        engine=engine,
        pairs=len(samples),
        chrf=round(chrf, 2),
        bleu=round(bleu, 2),
        term_accuracy=_rounded(term_accuracy(samples, outputs, glossary)),
        numbers_kept=_rounded(numbers_kept(samples, outputs)),
        sentences_per_s=round(sentences / seconds, 2) if seconds > 0 else 0.0,
    )


def corpus_scores(outputs: Sequence[str], references: Sequence[str]) -> tuple[float, float]:
    """(chrF, BLEU) of the outputs against one reference each, 0-100."""
    import sacrebleu  # only `eval` needs it

    hypotheses, refs = list(outputs), [list(references)]
    return sacrebleu.corpus_chrf(hypotheses, refs).score, sacrebleu.corpus_bleu(
        hypotheses, refs).score


def term_accuracy(samples: Sequence[Sample], outputs: Sequence[str],
                  glossary: Glossary) -> float | None:
    """Of the glossary terms in the Japanese (each occurrence), the share whose agreed
    rendering is in the output as often as the term is in the Japanese."""
    wanted_total = kept = 0
    for sample, output in zip(samples, outputs, strict=True):
        wanted = Counter(hit.term.en for hit in glossary.find_hits(sample.ja))
        wanted_total += sum(wanted.values())
        kept += sum(min(count, output.count(en)) for en, count in wanted.items())
    return kept / wanted_total if wanted_total else None


def numbers_kept(samples: Sequence[Sample], outputs: Sequence[str]) -> float | None:
    """Of the numbers the pipeline checks in the Japanese, the share the output keeps."""
    checked = missing = 0
    for sample, output in zip(samples, outputs, strict=True):
        checked += len(checked_numbers(sample.ja))
        missing += len(check_numbers(sample.ja, output))
    return (checked - missing) / checked if checked else None


def _rounded(share: float | None) -> float | None:
    return None if share is None else round(share, 4)


def score_table(scores: Sequence[EngineScore]) -> list[str]:
    """The report as aligned text lines, a header first."""
    rows = [("engine", "pairs", "chrF", "BLEU", "terms", "numbers", "sent/s")]
    rows += [(s.engine, str(s.pairs), f"{s.chrf:.1f}", f"{s.bleu:.1f}",
              _percent(s.term_accuracy), _percent(s.numbers_kept), f"{s.sentences_per_s:.1f}")
             for s in scores]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                      for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
            for row in rows]


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.1%}"
