"""An Entry as the state file keeps it (JSON in the entries table), and back."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

from bot.core.model import Entry, Pair, SourceInfo, Term
from bot.text.urls import without_credentials


def dump_entry(entry: Entry) -> str:
    """`entry` as the JSON the entries table keeps."""
    data = asdict(entry)
    data["created"] = entry.created.isoformat()
    return json.dumps(data, ensure_ascii=False)


def load_entry(raw: str) -> Entry:
    """The Entry a row of the entries table holds."""
    # Entries reach every output from here: one stored by an older version with credentials
    # in a URL is shown without them.
    data = json.loads(raw)
    source = data["source"]
    source["url"] = without_credentials(source.get("url", ""))
    return Entry(
        guid=data["guid"],
        document=without_credentials(data["document"]),
        title_ja=data["title_ja"],
        title_en=data["title_en"],
        pairs=tuple(Pair(**p) for p in data["pairs"]),
        terms=tuple(Term(**t) for t in data["terms"]),
        warnings=tuple(data["warnings"]),
        source=SourceInfo(**source),
        created=datetime.fromisoformat(data["created"]),
        also=tuple(_source(s) for s in data.get("also", ())),
    )


def _source(data: dict[str, str]) -> SourceInfo:
    return SourceInfo(**{**data, "url": without_credentials(data.get("url", ""))})
