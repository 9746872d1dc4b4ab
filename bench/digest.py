"""What the summaries choose on the real samples, and what reaches the translation model.

    uv run python bench/digest.py

Analyses every document in ../shared/seeds with the default configuration and the shipped
glossary, then translates each document through the pipeline with a recording translator
(it returns its input, so no model is needed) to count what is sent to the model.

Per article: its kind (news: short and unsectioned, its lead kept), sentence count, the
chosen indices, the summary's size in characters, and where the chosen sentences sit in the
article (0 = first sentence, 1 = last). Then:

- `lead_included_news`: share of news articles whose summary holds their first full sentence;
- `long_report_spread`: for the long report (the 004 sample), the first and last chosen
  positions (a summary drawn from the whole body reaches past its first tenth);
- `summary_chars_max`: the longest summary, against `digest.summary_chars`;
- `term_coverage`: per article, its 3 most frequent glossary terms and names (katakana runs
  of 3+ characters, capitalised Latin words, outside glossary terms), and the share of them
  found in its chosen sentences, averaged over the articles (target >= 0.8);
- last line, `mt_sentences_per_article`: distinct sentences sent to the model per article
  (the title and the chosen ones; target <= summary sentences + 1).
"""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

from _common import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
# The sample that is one long report (a policy paper without headings, 32 sentences).
LONG_REPORT = "004"
_NAME = re.compile(r"[\u30a1-\u30fa\u30fc]{3,}|(?<![A-Za-z])[A-Z][A-Za-z]+")


class RecordingTranslator:
    """Returns each sentence as it came and remembers the size of every call.

    A document's first call is its batch of distinct sentences; later calls retry some of
    them with another placeholder form (returned untranslated, a term can look mangled).
    """

    identity = "recording"

    def __init__(self) -> None:
        self.calls: list[int] = []

    def translate(self, sentences: Sequence[str]) -> list[str]:
        self.calls.append(len(sentences))
        return list(sentences)


def top_terms(text: str, glossary: object) -> list[str]:
    """The 3 most frequent glossary terms and names in `text` (ties: first seen first)."""
    from bot.glossary import Glossary, normalize_term

    assert isinstance(glossary, Glossary)
    flat = normalize_term(text)
    counts: Counter[str] = Counter()
    masked = list(flat)
    for hit in glossary.find_hits(flat):
        counts[hit.term.ja] += 1
        masked[hit.start:hit.end] = " " * (hit.end - hit.start)
    counts.update(_NAME.findall("".join(masked)))
    first = {term: flat.find(term) for term in counts}
    return sorted(counts, key=lambda t: (-counts[t], first[t]))[:3]


def main() -> None:
    if not SEEDS.is_dir():
        print(f"skipped: the sample documents are not at {SEEDS}")
        return
    from bot.app import glossary_for
    from bot.config import Config
    from bot.glossary import normalize_term
    from bot.model import Document
    from bot.pipeline import analyze_text, translate_document
    from bot.sources.readers import read_text
    from bot.text.summarize import article_shape

    config = Config()
    glossary = glossary_for(config)
    sent = retried = 0
    coverage, news_leads, sizes, spans = [], [], [], []
    articles = 0
    spread = "absent"
    elapsed = 0.0
    for path in sorted(SEEDS.glob("*.txt")):
        text = read_text(path.name, path.read_bytes())
        start = time.perf_counter()
        analyses = analyze_text(text, glossary, config.digest)
        elapsed += time.perf_counter() - start
        document = Document(path.name, path.name, text)
        translator = RecordingTranslator()
        translate_document(document, analyses, translator, glossary, datetime.now(UTC))
        sent += translator.calls[0] if translator.calls else 0
        retried += sum(translator.calls[1:])
        for a in analyses:
            articles += 1
            shape = article_shape(a.sentences, config.digest.summary_sentences)
            n = len(a.sentences)
            chosen = "".join(a.sentences[i] for i in a.summary)
            size = len(chosen)
            sizes.append(size)
            where = [round(i / max(1, n - 1), 2) for i in a.summary]
            terms = top_terms("\n".join(a.sentences), glossary)
            share = (sum(t in normalize_term(chosen) for t in terms) / len(terms)) if terms else 1.0
            coverage.append(share)
            if shape.news:
                news_leads.append(shape.candidates[0] in a.summary)
            if path.name.startswith(LONG_REPORT):
                spread = f"{where[0]}-{where[-1]}"
            spans.append(len(a.summary))
            kind = "news" if shape.news else "long"
            print(f"{path.name[:3]} {kind} sentences={n} summary={list(a.summary)} "
                  f"chars={size} positions={where} top_terms={terms} covered={share:.2f}")
    print(f"articles={articles} analyse_s={elapsed:.3f}")
    print(f"summary_sentences_mean={statistics.mean(spans):.2f} "
          f"summary_chars_mean={statistics.mean(sizes):.0f}")
    print(f"summary_chars_max={max(sizes)} budget={config.digest.summary_chars}")
    print(f"long_report_spread={spread}")
    print(f"lead_included_news={sum(news_leads) / max(1, len(news_leads)):.2f} "
          f"news_articles={len(news_leads)}")
    print(f"term_coverage={statistics.mean(coverage):.2f}")
    print(f"placeholder_retries={retried}")
    print(f"mt_sentences_per_article={sent / articles:.2f}")


if __name__ == "__main__":
    main()
