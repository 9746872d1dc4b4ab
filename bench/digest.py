"""What the summaries choose on the real samples, and what reaches the translation model.

    uv run python bench/digest.py
    uv run --with janome python bench/digest.py --features janome
    uv run --with sudachipy --with sudachidict-core python bench/digest.py --features sudachi
    uv run --with fugashi --with unidic-lite python bench/digest.py --features fugashi

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
- with `--features`, the summary compares sentences by the nouns of a morphological
  analyser instead of its own dictionary-free features (`uv run --with` brings the analyser
  in for that run only, leaving the project's environment as it is); `features_load_s` and
  `features_s` time the analyser's start and its pass over every sentence;
- last line, `mt_sentences_per_article`: distinct sentences sent to the model per article
  (the title and the chosen ones; target <= summary sentences + 1).
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from _common import ROOT

from bot.translate.translator import WholeBatches

SEEDS = ROOT.parent / "shared" / "seeds"
# The sample that is one long report (a policy paper without headings, 32 sentences).
LONG_REPORT = "004"
_NAME = re.compile(r"[\u30a1-\u30fa\u30fc]{3,}|(?<![A-Za-z])[A-Z][A-Za-z]+")


class RecordingTranslator(WholeBatches):
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


def analyser_nouns(name: str) -> Callable[[str], Counter[str]]:
    """A features function from a morphological analyser: the sentence's nouns, no numbers."""
    if name == "janome":
        from janome.tokenizer import Tokenizer

        janome = Tokenizer()

        def nouns(sentence: str) -> Counter[str]:
            found: Counter[str] = Counter()
            for token in janome.tokenize(sentence):
                pos = token.part_of_speech.split(",")
                if pos[0] == "名詞" and pos[1] not in ("数", "非自立", "代名詞", "接尾"):
                    found[token.surface] += 1
            return found

        return nouns
    if name == "sudachi":
        from sudachipy import dictionary, tokenizer

        loaded = dictionary.Dictionary(dict="core")
        # 0.7 renamed create() to tokenizer(); older releases have create() only.
        sudachi = loaded.tokenizer() if hasattr(loaded, "tokenizer") else loaded.create()
        mode = tokenizer.Tokenizer.SplitMode.C
        return lambda s: Counter(m.surface() for m in sudachi.tokenize(s, mode)
                                 if m.part_of_speech()[0] == "名詞"
                                 and m.part_of_speech()[1] != "数詞")
    import fugashi

    tagger = fugashi.Tagger()
    return lambda s: Counter(w.surface for w in tagger(s)
                             if w.feature.pos1 == "名詞" and w.feature.pos2 != "数詞")


def use_features(name: str) -> None:
    """Make the summary compare sentences by `name`'s features (this process only)."""
    if name == "own":
        return
    import bot.text.summarize

    start = time.perf_counter()
    try:
        bot.text.summarize.features = analyser_nouns(name)
    except ImportError as exc:
        raise SystemExit(f"--features {name}: {exc.name} is not installed; run with "
                         f"'uv run --with PACKAGE' as the docstring shows") from None
    print(f"features={name} features_load_s={time.perf_counter() - start:.2f}")


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", choices=("own", "janome", "sudachi", "fugashi"),
                        default="own")
    args = parser.parse_args()
    if not SEEDS.is_dir():
        print(f"skipped: the sample documents are not at {SEEDS}")
        return
    from bot.config import Config
    from bot.core.model import Document
    from bot.glossary import glossary_for, normalize_term
    from bot.run.pipeline import analyze_text, translate_document
    from bot.sources.readers import read_text
    from bot.text.summarize import article_shape

    use_features(args.features)
    from bot.text import summarize

    config = Config()
    glossary = glossary_for(config)
    sent = retried = 0
    coverage, news_leads, sizes, spans = [], [], [], []
    articles = 0
    spread = "absent"
    kept: list[tuple[str, ...]] = []
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
            kept.append(a.sentences)
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
    every = [s for a in kept for s in a]
    start = time.perf_counter()
    for sentence in every:
        summarize.features(sentence)
    print(f"articles={articles} sentences={len(every)} analyse_s={elapsed:.3f} "
          f"features_s={time.perf_counter() - start:.3f}")
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
