"""Check glossary files: duplicates, conflicts, hidden terms, empty fields. Pure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bot.glossary.formats import GlossaryEntry
from bot.glossary.match import normalize_term

_MIN_OVERLAP = 2


@dataclass(frozen=True)
class Problem:
    """One finding, pointing at a file and line."""

    where: str
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.message}"


def lint_entries(entries: list[GlossaryEntry]) -> list[Problem]:
    """Every problem found, in file order."""
    problems = [Problem(_where(e), "empty", "empty Japanese or English field")
                for e in entries if not e.ja or not e.en]
    by_ja: dict[str, list[GlossaryEntry]] = defaultdict(list)
    for entry in entries:
        if entry.ja and entry.en:
            by_ja[normalize_term(entry.ja)].append(entry)
    for ja, group in by_ja.items():
        first = group[0]
        for later in group[1:]:
            if later.en == first.en:
                problems.append(Problem(_where(later), "duplicate",
                                        f"{ja} already at {_where(first)}"))
            else:
                problems.append(Problem(_where(later), "conflict",
                                        f"{ja} is '{later.en}' here but '{first.en}' at "
                                        f"{_where(first)}"))
    problems.extend(_hidden(by_ja))
    return sorted(problems, key=lambda p: _order(p.where))


def _hidden(by_ja: dict[str, list[GlossaryEntry]]) -> list[Problem]:
    """Terms a longer term can swallow: where the two overlap in a text, only one matches.

    `一帯一路構想` inside `一帯一路` is by design (the longer wins); the finding is an overlap
    at the edge, e.g. `中央アジア` and `アジアサミット` in `中央アジアサミット`.
    """
    terms = sorted(by_ja, key=len, reverse=True)
    problems = []
    suffixes: dict[str, list[str]] = defaultdict(list)
    for term in terms:
        for k in range(1, len(term) - 1):
            suffixes[term[k:]].append(term)
    for term in terms:
        # An overlap of one character (トランプ / ルート) is too common to mean anything.
        for k in range(_MIN_OVERLAP, len(term)):
            for longer in suffixes.get(term[:k], ()):
                if longer != term and term not in longer:
                    example = longer + term[k:]
                    problems.append(Problem(
                        _where(by_ja[term][0]), "hidden",
                        f"{term} is hidden by {longer} where they overlap (e.g. {example})"))
    return problems


def _where(entry: GlossaryEntry) -> str:
    return f"{entry.path}:{entry.line}"


def _order(where: str) -> tuple[str, int]:
    path, _, line = where.rpartition(":")
    return (path, int(line) if line.isdigit() else 0)
