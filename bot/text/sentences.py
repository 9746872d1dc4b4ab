"""Bracket-aware Japanese sentence splitting. Pure."""

from __future__ import annotations

import re

_OPEN_TO_CLOSE = {"「": "」", "『": "』", "(": ")", "（": "）"}
_END = re.compile(r"[。！？!?]+[」』)）]*")
# A quote longer than this is not protected: a lost closing glyph must not swallow a page.
_MAX_PROTECTED = 200


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Spans of matched bracket pairs; unmatched openers (extraction artifacts) are ignored."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    closers = set(_OPEN_TO_CLOSE.values())
    for i, ch in enumerate(text):
        if ch in _OPEN_TO_CLOSE:
            stack.append((ch, i))
        elif ch in closers:
            for depth in range(len(stack) - 1, -1, -1):
                if _OPEN_TO_CLOSE[stack[depth][0]] == ch:
                    start = stack[depth][1]
                    del stack[depth:]
                    if i - start <= _MAX_PROTECTED:
                        spans.append((start, i))
                    break
    return spans


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences, never inside a matched 「…」 or (…)."""
    spans = _protected_spans(paragraph)
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(paragraph):
        end = match.end()
        if any(a < match.start() < b for a, b in spans):
            continue
        piece = paragraph[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def is_prose(sentence: str) -> bool:
    """A full sentence (ends with terminal punctuation), not a heading or list item."""
    return not sentence.startswith("- ") and bool(_END.search(sentence[-3:]))
