"""Choose an article's key sentences by their content, within a length budget. Pure.

Only the title and the chosen sentences are translated, so the choice decides what readers
learn. The sentences are ranked by LexRank (rank.py) over dictionary-free content features
(tokenize.py, where the choice of features is measured), weighted by a position prior that
depends on the article's kind:

- a news item (no section headings, at most NEWS_MAX_SENTENCES prose sentences) carries the news
  in its lead: the first prose sentence is always chosen, and the prior falls off steeply;
- a longer piece is summarised from its whole body: the prior flattens as the article grows,
  the first sentence of each section gets a lift; the best sentence under a conclusion
  heading (まとめ, おわりに, 結論 …) is taken first, the others there get a lift; and the
  sentences are taken from different sections first (headed sections, or equal slices of a
  piece without headings).

Then, best first, a sentence is taken if it fits the budget (a number of sentences and of
Japanese characters) and is not a near-duplicate of one already taken. A sentence that opens
by pointing back (この, その, 同社, こうした, そのため …) is taken only together with the
sentence it points to (the one before it), or not at all: alone, its translation would
refer to nothing. Only prose is a candidate (prose.py: not a heading, list item, caption,
colophon, page instruction, address, code or table); the rest is context (it takes part in
the ranking), never chosen, and an article without prose is summed up by its title alone.
The chosen sentences keep their order in the article.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import DigestConfig
from bot.text.chars import SENTENCE_ENDS
from bot.text.prose import Kind, opens_section, sentence_kind
from bot.text.rank import Vector, centrality, cosine, tfidf_vectors
from bot.text.tokenize import features

# Wire items run 3-20 sentences; features and reports are longer or have section headings.
NEWS_MAX_SENTENCES = 20
# Cosine of two sentences' TF-IDF vectors above which the second says nothing new.
NEAR_DUPLICATE = 0.7
# A chain of sentences each pointing at the one before is followed this far back.
MAX_CHAIN = 3

# Openers that point back at the previous sentence, after an optional connective (また、
# 一方、…): demonstratives (この, その, これら, こうした, そうした, かかる), 同 + a noun (同社,
# 同国, 同氏; not 同盟, 同意), and connectives made of a demonstrative (そのため, このため,
# それによると, そこで, これに対し). Not time words (このほど and この度 "recently", common in
# a press release's lead; これまで, これから) nor その他 ("other").
_CONNECTIVE = r"(?:また|さらに|一方|他方|しかし|ただ|なお|特に|実際)?[、,]?\s*"
_BACK_REFERENCE = re.compile(
    _CONNECTIVE + r"(?:"
    r"これら|この(?!ほど|度|たび)|こうした|こうして|こういう|こちら|これ(?!まで|から)"
    r"|その(?!他)|そうした|そういう|それ|そこ|そちら|あの|かかる|上記|前述|先述|当該"
    r"|同(?!盟|意|僚|じ|志)"
    r")"
)
# A sentence that gives the reason for the one before it (…からだ。"This is because …").
_EXPLAINS = re.compile(f"(?:から|ため)(?:だ|である|です)[{SENTENCE_ENDS}]*$")
# Headings under which an author sums up.
_CONCLUSION = re.compile(r"まとめ|おわりに|終わりに|結論|結び|むすび|結語|総括|終章|提言"
                         r"|今後の(?:展望|課題)|最後に|conclusion|summary", re.IGNORECASE)


# The limits are config's [digest] section itself, one source for their defaults; a budget
# on its own (tests, benches) is built the same way: Budget(sentences, chars).
Budget = DigestConfig


@dataclass(frozen=True)
class ArticleShape:
    """What the prior and the choice need to know of an article's sentences."""

    candidates: tuple[int, ...]  # prose sentences, in order
    sections: Mapping[int, int]  # candidate -> its section (headed, or a slice of a long piece)
    section_leads: frozenset[int]  # first prose sentence after a heading
    concluding: frozenset[int]  # prose sentences under a conclusion heading
    news: bool


def opens_with_reference(sentence: str) -> bool:
    """Whether the sentence points at what came before it: by its opening word, or by
    ending as the reason for it."""
    return (_BACK_REFERENCE.match(sentence) is not None
            or _EXPLAINS.search(sentence) is not None)


def choose_summary(sentences: tuple[str, ...], limits: DigestConfig,
                   title: str = "") -> tuple[int, ...]:
    """Indices of the key sentences, in order, within `limits`; never empty if there is a
    prose sentence (one is chosen even if it alone exceeds the character budget), empty if
    there is none: the entry then stands on its title, which is always translated."""
    shape = article_shape(sentences, limits.summary_sentences)
    if not shape.candidates:
        return ()
    vectors = tfidf_vectors([features(s) for s in (*sentences, title)])
    # The title takes part in the ranking (sentences like it are on topic), never chosen.
    scores = centrality(vectors)
    prior = _prior(shape)
    ranked = sorted(shape.candidates, key=lambda i: (-scores[i] * prior[i], i))
    if shape.news:
        ranked.insert(0, shape.candidates[0])
    elif shape.concluding:  # the author's own summing-up anchors the summary
        ranked.insert(0, next(i for i in ranked if i in shape.concluding))
    chosen = _take(sentences, vectors, ranked, shape, limits)
    if not chosen:  # every sentence is over the budget: the best that stands on its own
        allowed = set(shape.candidates)
        chosen = {next((i for i in ranked if _unit(sentences, i, allowed) == [i]), ranked[0])}
    return tuple(sorted(chosen))


def article_shape(sentences: tuple[str, ...], parts: int) -> ArticleShape:
    """Candidates, sections, section leads and conclusions; news if short and unsectioned.

    A long piece without headings is cut into `parts` slices of equal length, its sections
    for the choice: a report's argument runs from its start to its end.
    """
    candidates: list[int] = []
    sections: dict[int, int] = {}
    leads: set[int] = set()
    concluding: set[int] = set()
    headings = 0
    after_heading, in_conclusion = False, False
    for i, sentence in enumerate(sentences):
        kind = sentence_kind(sentence)
        if kind is not Kind.PROSE:
            if opens_section(kind):
                # A subtitle or dateline above the lead does not make a piece sectioned.
                headings += 1 if candidates else 0
                after_heading = True
                in_conclusion = _CONCLUSION.search(sentence) is not None
            continue
        candidates.append(i)
        sections[i] = headings
        if after_heading:
            leads.add(i)
            after_heading = False
        if in_conclusion:
            concluding.add(i)
    news = headings == 0 and len(candidates) <= NEWS_MAX_SENTENCES
    if headings == 0 and not news:
        sections = {i: k * parts // len(candidates) for k, i in enumerate(candidates)}
    return ArticleShape(tuple(candidates), sections, frozenset(leads), frozenset(concluding), news)


def _prior(shape: ArticleShape) -> dict[int, float]:
    """Weight of each candidate by place: steep for news, flatter the longer the article."""
    n = len(shape.candidates)
    # The floor the prior decays to: 0.2 for news, from 0.4 up to 0.9 for 30+ sentences.
    floor = 0.2 if shape.news else min(0.9, max(0.4, (n - 8) / 24))
    prior = {}
    for k, i in enumerate(shape.candidates):
        weight = floor + (1 - floor) * math.exp(-k / 3)
        if not shape.news:
            weight *= 1.3 if i in shape.section_leads else 1.0
            weight *= 1.5 if i in shape.concluding else 1.0
        prior[i] = weight
    return prior


def _take(sentences: tuple[str, ...], vectors: list[Vector], ranked: list[int],
          shape: ArticleShape, limits: DigestConfig) -> set[int]:
    """Best first: each sentence with the ones it refers back to, while the budget allows.

    In a longer piece the first round takes one unit per section, so the summary draws on
    the whole body; a second round fills what is left of the budget from any section.
    """
    allowed = set(shape.candidates)
    limit = limits.summary_sentences
    chosen: set[int] = set()
    used = 0
    drawn: set[int] = set()
    sections = set(shape.sections.values())
    for spread in (not shape.news, False):
        for i in ranked:
            if len(chosen) >= limit:
                break
            unit = _unit(sentences, i, allowed)
            new = [j for j in unit if j not in chosen]
            size = sum(len(sentences[j]) for j in new)
            forced = not chosen and shape.news and i == shape.candidates[0]
            room = limit
            if spread:  # keep a sentence for each section not drawn on yet
                others = len(sections - drawn - {shape.sections[i]})
                room -= max(0, min(others, limit - len(drawn) - 1))
            if (not new or len(chosen) + len(new) > room
                    or (spread and shape.sections[i] in drawn)
                    or (not forced and used + size > limits.summary_chars)
                    or any(cosine(vectors[j], vectors[c]) >= NEAR_DUPLICATE
                           for j in new for c in chosen)):
                continue
            chosen.update(new)
            drawn.add(shape.sections[i])
            used += size
    return chosen


def _unit(sentences: tuple[str, ...], i: int, allowed: set[int]) -> list[int]:
    """`i` with the sentences it points back to; [] if one of them cannot be chosen.

    The first sentence of an article may point at the title, which is always translated.
    """
    unit = [i]
    while opens_with_reference(sentences[unit[0]]) and unit[0] > 0:
        previous = unit[0] - 1
        if previous not in allowed or len(unit) >= MAX_CHAIN:
            return []
        unit.insert(0, previous)
    return unit
