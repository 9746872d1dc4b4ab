"""Find glossary terms in Japanese text: longest match first, never inside a longer term.

A character trie makes the cost grow with the text, not with the glossary: from each position
the walk goes only as deep as the text still matches some term.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bot.core.model import Term

_END = ""  # trie key marking "a term ends here" (no real character is empty)


@dataclass(frozen=True)
class Hit:
    """One occurrence of a term in a text (positions in the NFKC-normalised text)."""

    start: int
    end: int
    term: Term


def normalize_term(text: str) -> str:
    """NFKC, so full-width and half-width forms of a term match each other."""
    return unicodedata.normalize("NFKC", text)


@dataclass(frozen=True)
class Glossary:
    """Japanese term (NFKC) → English rendering, with a trie for matching."""

    entries: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    _trie: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> Glossary:
        """Later pairs win over earlier ones with the same Japanese term."""
        table = {normalize_term(ja.strip()): en.strip() for ja, en in pairs
                 if ja.strip() and en.strip()}
        trie: dict[str, Any] = {}
        for ja, en in table.items():
            node = trie
            for char in ja:
                node = node.setdefault(char, {})
            node[_END] = en
        return cls(MappingProxyType(table), trie)

    def __len__(self) -> int:
        return len(self.entries)

    def find_hits(self, text: str) -> list[Hit]:
        """Every non-overlapping occurrence, scanning left to right, longest match first."""
        hits: list[Hit] = []
        i = 0
        while i < len(text):
            node, j, best = self._trie, i, None
            while j < len(text) and text[j] in node:
                node = node[text[j]]
                j += 1
                if _END in node:
                    best = (j, node[_END])
            if best is None:
                i += 1
                continue
            end, en = best
            hits.append(Hit(i, end, Term(text[i:end], en)))
            i = end
        return hits

    def find_terms(self, text: str) -> tuple[Term, ...]:
        """Distinct terms in `text`, in order of first appearance."""
        found: dict[str, Term] = {}
        for hit in self.find_hits(normalize_term(text)):
            found.setdefault(hit.term.ja, hit.term)
        return tuple(found.values())
