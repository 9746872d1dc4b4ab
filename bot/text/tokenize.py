"""Content features of a Japanese sentence, for comparing sentences. Pure, no dictionary.

A feature is a character bigram of a kanji run, a whole katakana run, or a Latin word:
the parts of a Japanese sentence that carry its content. Hiragana (particles, inflections)
and digits are left out. Bigrams of kanji runs are the classic dictionary-free unit for
Japanese retrieval: 炭素排出権取引市場 and 炭素市場 share 炭素 and 市場 without a word list.

Chosen over a morphological analyser after measuring each as the summary's features on the
272 sentences of the 8 sample articles (`bench/digest.py --features NAME`: nouns for the
analysers; venv growth: a fresh venv holding the package and its dictionary):

| features                  | venv    | load   | 272 sentences | coverage | same choice |
|---------------------------|---------|--------|---------------|----------|-------------|
| these (no dependency)     | +0 MB   | 0 s    | 0.02 s        | 0.92     | -           |
| janome 0.5                | +113 MB | 6-10 s | 1.1-1.6 s     | 0.88     | 3 of 8      |
| sudachipy 0.7 + core dict | +198 MB | 0.1 s  | 0.03-0.05 s   | 0.92     | 6 of 8      |
| fugashi 1.5 + unidic-lite | +251 MB | 0.1 s  | 0.03-0.08 s   | 0.92     | 6 of 8      |

(coverage: bench/digest.py's term coverage; same choice: articles whose summary is the same
as with these features; every variant kept every news lead.) The analysers would add 45-100%
to a ~240 MB install and chose no better sentences, so the summary uses these features.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from bot.text.chars import KANJI, KATAKANA_LETTERS, LONG_VOWEL

# Kanji (with 々〆ヵヶ: bot.text.chars), katakana words of 2+ characters (with the long-vowel
# mark), Latin words. NFKC first, so full-width Ｌａｔｉｎ and half-width ｶﾀｶﾅ are the same.
_RUN = re.compile(f"[{KANJI}]+|[{KATAKANA_LETTERS}{LONG_VOWEL}]{{2,}}|[A-Za-z][A-Za-z0-9]+")
_KANJI = re.compile(f"[{KANJI}]")


def features(sentence: str) -> Counter[str]:
    """The sentence's content features with their counts."""
    found: Counter[str] = Counter()
    for run in _RUN.findall(unicodedata.normalize("NFKC", sentence)):
        if _KANJI.match(run):
            # A single kanji is a word of its own (米, 露); longer runs give their bigrams.
            found.update(run[i:i + 2] for i in range(max(1, len(run) - 1)))
        elif run.isascii():
            found[run.lower()] += 1
        else:
            found[run] += 1
    return found
