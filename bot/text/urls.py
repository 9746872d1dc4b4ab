"""URLs as they may be shown: never with the credentials some carry (`https://user:pass@host/`).

A feed behind basic auth is fetched with its credentials, but the URL is shown and published
(status, logs, alerts, errors, web pages, Telegram, the feed) without them, through this one
helper. Pure.
"""

from __future__ import annotations

import re
from dataclasses import astuple, replace

from bot.core.model import SourceInfo
from bot.text.safe import safe_text

# A scheme, "//", then a userinfo ending at the last "@" before the host (a password may hold
# "@" itself; the authority ends at the first "/", "?", "#" or white space).
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^\s/?#<>\"']*@")


def without_credentials(text: str) -> str:
    """`text` (a URL, or any text quoting URLs) with every URL's user:password@ removed."""
    return _USERINFO.sub(r"\1", text) if "@" in text else text


def shown_source(source: SourceInfo) -> SourceInfo:
    """`source` as outputs may show it: no characters they cannot carry, no credentials."""
    clean = SourceInfo(*(safe_text(value) for value in astuple(source)))
    return replace(clean, url=without_credentials(clean.url))
