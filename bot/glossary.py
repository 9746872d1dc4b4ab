"""The glossary: load term files and find terms in Japanese text (longest match first).

File format (glossary/README.md): UTF-8 TSV, `ja<TAB>en[<TAB>note]`, `#` comments. Several
Japanese variants may map to one English rendering.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from bot.errors import ConfigError
from bot.model import Term


@dataclass(frozen=True)
class Glossary:
    """Japanese term (NFKC) → English rendering."""

    entries: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    longest: int = 0

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> Glossary:
        table = {normalize_term(ja): en.strip() for ja, en in pairs if ja.strip() and en.strip()}
        return cls(MappingProxyType(table), max((len(k) for k in table), default=0))

    def __len__(self) -> int:
        return len(self.entries)

    def find_terms(self, text: str) -> tuple[Term, ...]:
        """Distinct terms in `text`, in order of first appearance, longest match first.

        Cost is O(len(text) × longest term), independent of the glossary's size.
        """
        text = normalize_term(text)
        found: dict[str, Term] = {}
        i = 0
        while i < len(text):
            for size in range(min(self.longest, len(text) - i), 0, -1):
                en = self.entries.get(text[i : i + size])
                if en is not None:
                    found.setdefault(text[i : i + size], Term(text[i : i + size], en))
                    i += size
                    break
            else:
                i += 1
        return tuple(found.values())


def normalize_term(text: str) -> str:
    """NFKC, so full-width and half-width forms of a term match each other."""
    return unicodedata.normalize("NFKC", text)


def load_glossary(paths: Iterable[Path]) -> Glossary:
    """Read every TSV file in `paths` (files or folders of *.tsv); later files win."""
    pairs: list[tuple[str, str]] = []
    for path in paths:
        files = sorted(path.glob("*.tsv")) if path.is_dir() else [path]
        for file in files:
            pairs.extend(_read_tsv(file))
    return Glossary.from_pairs(pairs)


def _read_tsv(path: Path) -> list[tuple[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"glossary: file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"glossary: cannot read {path}: {exc}") from None
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < 2 or not cells[0].strip() or not cells[1].strip():
            raise ConfigError(f"glossary: {path}:{number}: expected 'ja<TAB>en[<TAB>note]'")
        pairs.append((cells[0].strip(), cells[1].strip()))
    return pairs
