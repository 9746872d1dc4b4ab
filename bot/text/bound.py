"""Bound what reaches the model: an over-long sentence is cut at clause boundaries. Pure.

A digest shows a few key sentences, each beside its translation; a "sentence" of a megabyte
(a file with no full stops, a table flattened into one line) would be sent whole and come back
as a megabyte of English. Cut into pieces of at most MAX_SENTENCE_CHARS, each piece is a
sentence of its own: the summary chooses among them and only the chosen ones are translated,
so the model's work per article stays bounded whatever the input.
"""

from __future__ import annotations

# The longest real sentence in the sample documents is 241 characters; 400 leaves room for
# long legal or statistical sentences and is about 200-300 SentencePiece pieces, the range
# an Argos model translates in one part (translate.models.MAX_INPUT_TOKENS).
MAX_SENTENCE_CHARS = 400
# Clause ends, best first: a cut after them leaves each piece readable on its own.
_CLAUSE_ENDS = ("；", ";", "：", ":", "、", "，", ",", "　", " ", "・")


def cut_sentence(sentence: str, limit: int = MAX_SENTENCE_CHARS) -> list[str]:
    """`sentence` itself, or pieces of at most `limit` characters cut after clause ends.

    A piece is cut at the last clause end in the second half of its window, else at the
    limit. Linear: each window is searched once and nothing is copied but the pieces.
    """
    if len(sentence) <= limit:
        return [sentence]
    pieces: list[str] = []
    start = 0
    while len(sentence) - start > limit:
        end = start + limit
        cut = max(sentence.rfind(mark, start + limit // 2, end) for mark in _CLAUSE_ENDS)
        cut = end if cut < 0 else cut + 1
        piece = sentence[start:cut].strip()
        if piece:
            pieces.append(piece)
        start = cut
    tail = sentence[start:].strip()
    if tail:
        pieces.append(tail)
    return pieces


def bound_title(title: str, limit: int = MAX_SENTENCE_CHARS) -> str:
    """A title of at most `limit` characters: its first clause-cut piece, marked as cut."""
    if len(title) <= limit:
        return title
    return cut_sentence(title, limit - 1)[0] + "…"
