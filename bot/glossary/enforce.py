"""Render every glossary term exactly as the glossary says: mask, translate, restore, verify.

CTranslate2 has no lexical constraints, so terms are taken out of the model's hands: each hit
becomes a placeholder, the model translates around it, and the English rendering is put back
where the placeholder comes out. Models drop, duplicate and mangle placeholders, so every
result is verified, and a sentence that fails is tried again with the next placeholder form,
then with the English rendering written into the Japanese. What still fails is reported as
failed, never published as if it were fine.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from bot.core.model import Term
from bot.glossary.match import Glossary, Hit
from bot.translate.translator import Translator

# Tried in order. Latin capitals with a number are copied through by ja→en models as they
# copy acronyms; the engine keeps only forms its tokenizer encodes intact (no unknown pieces).
PLACEHOLDER_FORMS = ("ZX{n}", "QZ{n}", "XQ{n}Z", "[{n}]")
ENFORCED, FAILED = "enforced", "failed"


@dataclass(frozen=True)
class Rendered:
    """One translated text and the fate of each glossary hit in it."""

    english: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class _Attempt:
    english: str
    ok: tuple[bool, ...]  # one per hit


def usable_forms(translator: Translator) -> list[str]:
    """The placeholder forms this translator's tokenizer keeps whole (each tried in the
    engine's own probe sentence: where a placeholder stands depends on the model's language)."""
    forms = [f for f in PLACEHOLDER_FORMS if translator.keeps_intact(f.format(n=1))]
    return forms or list(PLACEHOLDER_FORMS[:1])


def translate_with_terms(
    texts: Sequence[str], glossary: Glossary, translator: Translator
) -> list[Rendered]:
    """Translate `texts` (NFKC Japanese) with every glossary hit enforced and verified."""
    hits = [glossary.find_hits(text) for text in texts]
    best: list[_Attempt | None] = [None] * len(texts)
    todo = list(range(len(texts)))
    forms = usable_forms(translator)
    for form in [*forms, None]:  # None: the English rendering written into the source
        inputs = [_mask(texts[i], hits[i], form) for i in todo]
        outputs = translator.translate(inputs)
        still: list[int] = []
        for i, output in zip(todo, outputs, strict=True):
            attempt = _restore(output, hits[i], form)
            if best[i] is None or sum(attempt.ok) > sum(best[i].ok):  # type: ignore[union-attr]
                best[i] = attempt
            if not all(attempt.ok):
                still.append(i)
        todo = still
        if not todo:
            break
    return [_rendered(attempt, hit_list) for attempt, hit_list in zip(best, hits, strict=True)]


def _rendered(attempt: _Attempt | None, hits: list[Hit]) -> Rendered:
    assert attempt is not None  # every text went through at least one round
    terms = tuple(replace(h.term, status=ENFORCED if ok else FAILED)
                  for h, ok in zip(hits, attempt.ok, strict=True))
    return Rendered(attempt.english, terms)


def _placeholder(form: str, n: int) -> str:
    return form.format(n=n)


def _mask(text: str, hits: list[Hit], form: str | None) -> str:
    """Replace each hit by its placeholder (numbered from 1), or by its English rendering."""
    if not hits:
        return text
    pieces, last = [], 0
    for n, hit in enumerate(hits, start=1):
        pieces.append(text[last:hit.start])
        pieces.append(hit.term.en if form is None else _placeholder(form, n))
        last = hit.end
    pieces.append(text[last:])
    return "".join(pieces)


def _restore(output: str, hits: list[Hit], form: str | None) -> _Attempt:
    """Put each rendering back where its placeholder came out exactly once; verify.

    One pass over the output whatever the number of hits (a pass per hit was quadratic on a
    long text full of terms).
    """
    if form is None:
        return _verify_prerendered(output, hits)
    pattern = _tolerant(form)
    found = Counter(int(m.group("n")) for m in pattern.finditer(output))
    ok = tuple(found[n] == 1 for n in range(1, len(hits) + 1))

    def put_back(match: re.Match[str]) -> str:
        n = int(match.group("n"))
        return hits[n - 1].term.en if 1 <= n <= len(hits) and ok[n - 1] else match.group()

    return _Attempt(pattern.sub(put_back, output), ok)


@lru_cache(maxsize=16)
def _tolerant(form: str) -> re.Pattern[str]:
    """Any placeholder of `form` as models echo it: letters in any case with stray spaces,
    not glued to a letter or digit before or a digit after; the number is the group `n`.
    The number itself takes no spaces: `ZX1 2020` is placeholder 1 before a year."""
    head, tail = (r"\s?".join(re.escape(c) for c in part) for part in form.split("{n}"))
    body = rf"{head}\s?(?P<n>\d+)" + (rf"\s?{tail}" if tail else "")
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?!\d)", re.IGNORECASE)


def _verify_prerendered(output: str, hits: list[Hit]) -> _Attempt:
    """With renderings written into the source, each must come out as often as it went in."""
    wanted = Counter(hit.term.en for hit in hits)
    came_out = {en: output.count(en) for en in wanted}  # one count per distinct rendering
    return _Attempt(output, tuple(came_out[h.term.en] == wanted[h.term.en] for h in hits))
