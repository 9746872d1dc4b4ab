"""Split a paragraph into sentences: one splitter, its rules written down here. Pure.

A sentence ends at a run of terminals (。 ! ? ！ ？, any mix: `!?`, `。。`), together with the
closing brackets and quotes right after it (`…だ。」`, `本当か!?)`). A terminal is NOT a boundary:

1. inside a matched bracket pair 「…」 『…』 (…) （…） of at most 200 characters: a quote or an
   aside is part of the sentence that contains it (a longer pair is taken for a lost glyph,
   so it cannot swallow a page);
2. inside a URL or an e-mail address (`https://example.com/a?id=1を参照。`);
3. for `!` and `?` only, when the word goes on: right after a Latin letter or digit and right
   before anything but a space, a terminal or a closing bracket (`Yahoo!路線情報`,
   `Yahoo!JAPAN`): a name with an exclamation mark in it;
4. for `!` and `?` only, when the clause goes on: followed by a character that cannot begin a
   sentence (、 。 small kana, ー, closing brackets) or by a particle that ties the phrase to
   the rest of the clause (`こたえてちょーだい!に18日出演`, `「何?」と`, `行く!って`), unless
   that kana opens a word that often starts a sentence (`でも`, `では`, `もう`, `とても`…).

Everything else a period-like character does is left alone: `.` is never a boundary (decimals,
abbreviations, version numbers and English sentences quoted in Japanese text stay whole), and
a newline is not expected here (the cleaning stage gives one paragraph per line).
All of it runs in time linear in the paragraph's length.
"""

from __future__ import annotations

import re

from bot.text import chars

# Which sentences are prose is prose.py's to say; named here too, beside the splitter.
from bot.text.prose import is_prose as is_prose

_OPEN_TO_CLOSE = {"「": "」", "『": "』", "(": ")", "（": "）"}
_CLOSERS = frozenset(_OPEN_TO_CLOSE.values())
_END = re.compile(f"[{chars.SENTENCE_ENDS}]+[{re.escape(chars.CLOSERS)}]*")
# A quote longer than this is not protected: a lost closing glyph must not swallow a page.
_MAX_PROTECTED = 200
_URL = re.compile(r"(?:https?|ftp)://[!-~]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
_LATIN = re.compile(r"[A-Za-z0-9]")
# Characters a sentence cannot start with (Japanese line-start rules, 行頭禁則).
_NO_START = frozenset(chars.NO_LINE_START + ".・")
# Particles that go on with the clause after an exclamation (`…だ!に出演`, `…か?と聞いた`).
_PARTICLES = frozenset("にをがはでとのへもやか")
# …unless they open a word that often starts the next sentence.
_OPENERS = ("でも", "では", "でき", "とても", "ところ", "とにかく", "ともに", "とりあえず",
            "もう", "もし", "もちろん", "もっと", "はい", "はじめ", "のち", "かつて", "かなり",
            "かも", "やはり", "やっぱり")


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Spans of matched bracket pairs; unmatched openers (extraction artifacts) are ignored.

    A closer looks back only over openers of the last `_MAX_PROTECTED` characters (a farther
    pair would not be protected anyway), so a flood of unmatched brackets stays linear.
    """
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch in _OPEN_TO_CLOSE:
            stack.append((ch, i))
        elif ch in _CLOSERS:
            depth = len(stack) - 1
            while depth >= 0 and i - stack[depth][1] <= _MAX_PROTECTED:
                if _OPEN_TO_CLOSE[stack[depth][0]] == ch:
                    spans.append((stack[depth][1], i))
                    del stack[depth:]
                    break
                depth -= 1
    spans.extend((m.start(), m.end()) for m in _URL.finditer(text))
    return spans


def _inside(spans: list[tuple[int, int]]) -> list[bool]:
    """Per-position flag: inside some protected span (difference array: linear)."""
    if not spans:
        return []
    size = max(end for _, end in spans) + 2
    delta = [0] * size
    for start, end in spans:
        delta[start + 1] += 1
        delta[end] -= 1
    flags, depth = [], 0
    for change in delta:
        depth += change
        flags.append(depth > 0)
    return flags


def _goes_on(text: str, start: int, end: int) -> bool:
    """Rules 3 and 4: the `!`/`?` run at text[start:end] does not end the sentence."""
    if "。" in text[start:end] or end >= len(text):
        return False
    after = text[end]
    if (text[end - 1] in "!?！？" and start > 0 and _LATIN.match(text[start - 1])
            and not after.isspace()):
        return True
    return clause_continues(text[end:])


def clause_continues(following: str) -> bool:
    """Rule 4: does `following`, right after a `!`/`?` (or a closed quote), go on with the
    clause — a character no sentence starts with, or a particle that is not a word's start?"""
    return following[:1] in _NO_START or (
        following[:1] in _PARTICLES and not following.startswith(_OPENERS))


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences by the rules in this module's docstring."""
    inside = _inside(_protected_spans(paragraph))
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(paragraph):
        position = match.start()
        if position < len(inside) and inside[position]:
            continue
        if _goes_on(paragraph, position, match.end()):
            continue
        piece = paragraph[start : match.end()].strip()
        if piece:
            sentences.append(piece)
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences

