"""The glossary: Japanese names and terms with their one agreed English rendering.

    formats.py   read TSV (ours), CSV/TSV (DeepL, Google) and TBX (CAT tools)
    match.py     Glossary: find terms, longest match first, after NFKC
    enforce.py   mask terms → translate → restore → verify, with recovery
    lint.py      duplicates, conflicts, hidden terms, empty fields
    suggest.py   recurring names in documents that the glossary lacks
"""

from bot.glossary.formats import load_glossary
from bot.glossary.match import Glossary, Hit, normalize_term

__all__ = ["Glossary", "Hit", "load_glossary", "normalize_term"]
