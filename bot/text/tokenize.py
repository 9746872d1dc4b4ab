"""Content features of a Japanese sentence, for comparing sentences. Pure, no dictionary.

A feature is a character bigram of a kanji run, a whole katakana run, or a Latin word:
the parts of a Japanese sentence that carry its content. Hiragana (particles, inflections)
and digits are left out. Bigrams of kanji runs are the classic dictionary-free unit for
Japanese retrieval: 炭素排出権取引市場 and 炭素市場 share 炭素 and 市場 without a word list.

Chosen over a morphological analyser after measuring on the sample documents (bench/digest.py
prints the summary figures; the comparison is in bench/README.md):

| features                       | venv growth | load   | 16 articles | coverage | lead (news) |
|--------------------------------|-------------|--------|-------------|----------|-------------|
| these bigrams (no dependency)  | 0 MB        | 0 s    | 0.02 s      | see README                |
| janome 0.5 (nouns)             | 113 MB      | ~0.1 s | ~2.5 s      |                           |
| sudachipy + sudachidict-core   | 198 MB      | ~0.2 s | ~0.2 s      |                           |
| fugashi + unidic-lite          | 251 MB      | ~0.1 s | ~0.05 s     |                           |

The analysers add 113-251 MB to a ~240 MB install and did not choose better sentences on
the samples, so the summary uses these features.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Kanji (with 々 and 〆), katakana words (with the long-vowel mark and ・ inside names),
# Latin words. NFKC first, so full-width Ｌａｔｉｎ and half-width ｶﾀｶﾅ are the same.
_RUN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf々〆ヶ]+|[\u30a1-\u30fa\u30fc]{2,}|[A-Za-z][A-Za-z0-9]+")
_KANJI = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf々〆ヶ]")


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
