"""The glossary: Japanese names and terms with their one agreed English rendering.

    formats.py   read TSV (ours), CSV/TSV (DeepL, Google) and TBX (CAT tools)
    match.py     Glossary: find terms, longest match first, after NFKC
    enforce.py   mask terms → translate → restore → verify, with recovery
    lint.py      duplicates, conflicts, hidden terms, empty fields
    suggest.py   recurring names in documents that the glossary lacks
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.resources import resource_dir
from bot.glossary.formats import load_glossary
from bot.glossary.match import Glossary, Hit, normalize_term

if TYPE_CHECKING:
    from bot.config import Config

__all__ = ["Glossary", "Hit", "glossary_for", "load_glossary", "normalize_term"]


def glossary_for(config: Config) -> Glossary:
    """The configured glossary files, or the shipped domain glossary."""
    return load_glossary(config.paths.glossary or (resource_dir("glossary"),))

