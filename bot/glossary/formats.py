"""Read glossary files: our TSV, two-column CSV/TSV (DeepL, Google), TBX (CAT tools).

Every entry keeps its file and line, so `kakehashi glossary lint` can point at it.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.core.errors import ConfigError
from bot.glossary.match import Glossary

SUFFIXES = (".tsv", ".csv", ".tbx")
_LANG = re.compile(r"^[a-z]{2,3}([-_][A-Za-z]{2,4})?$")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class GlossaryEntry:
    """One line of a glossary file."""

    ja: str
    en: str
    note: str
    path: Path
    line: int


def load_glossary(paths: Iterable[Path]) -> Glossary:
    """Read every glossary file in `paths` (files, or folders of them); later files win."""
    return Glossary.from_pairs((e.ja, e.en) for e in read_entries(paths) if e.ja and e.en)


def read_entries(paths: Iterable[Path]) -> list[GlossaryEntry]:
    """All entries of the files (empty fields kept, for lint to report)."""
    entries: list[GlossaryEntry] = []
    for path in paths:
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES) \
            if path.is_dir() else [path]
        for file in files:
            entries.extend(read_file(file))
    return entries


def read_file(path: Path) -> list[GlossaryEntry]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"glossary: file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"glossary: cannot read {path}: {exc.strerror}") from None
    if path.suffix.lower() == ".tbx":
        return _read_tbx(path, data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"glossary: {path} is not UTF-8 text") from None
    return _read_table(path, text, "," if path.suffix.lower() == ".csv" else "\t")


def _read_table(path: Path, text: str, delimiter: str) -> list[GlossaryEntry]:
    """Rows of `ja, en[, note]`; a first row of language codes (`ja,en`) is a header."""
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter,
                           quoting=csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE))
    ja_col, en_col = 0, 1
    entries: list[GlossaryEntry] = []
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and len(cells) >= 2 and all(_LANG.match(c) for c in cells[:2]):
            if cells[0].lower().startswith("en") and cells[1].lower().startswith("ja"):
                ja_col, en_col = 1, 0
            continue
        if len(cells) < 2:
            raise ConfigError(f"glossary: {path}:{number}: expected 'ja{delimiter!r}en'")
        note = cells[2] if len(cells) > 2 and delimiter == "\t" else ""
        entries.append(GlossaryEntry(cells[ja_col], cells[en_col], note, path, number))
    return entries


def _read_tbx(path: Path, data: bytes) -> list[GlossaryEntry]:
    """TermBase eXchange: each termEntry's Japanese terms all map to its first English term."""
    if b"<!ENTITY" in data:
        # Entity declarations serve no purpose in a term base and enable expansion attacks.
        raise ConfigError(f"glossary: {path} declares XML entities (refused)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ConfigError(f"glossary: {path} is not valid TBX: {exc}") from None
    entries: list[GlossaryEntry] = []
    for number, term_entry in enumerate(_iter_local(root, "termEntry", "conceptEntry"), 1):
        terms: dict[str, list[str]] = {}
        for lang_set in _iter_local(term_entry, "langSet", "langSec"):
            lang = (lang_set.get(_XML_LANG) or lang_set.get("lang") or "").lower()
            words = [t.text.strip() for t in _iter_local(lang_set, "term") if t.text]
            terms.setdefault(lang[:2], []).extend(words)
        english = terms.get("en", [])
        for ja in terms.get("ja", []):
            entries.append(GlossaryEntry(ja, english[0] if english else "", "", path, number))
    return entries


def _iter_local(element: ET.Element, *names: str) -> Iterable[ET.Element]:
    """Descendants by local name: TBX files come with and without namespaces."""
    return (e for e in element.iter() if e.tag.rsplit("}", 1)[-1] in names)
