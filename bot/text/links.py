"""Links as the outputs can carry them: valid, percent-encoded http(s) URIs. Pure.

Used where a link enters (feed entries) and again where one is rendered, so a link stored by an
older version, or found in a document's text, cannot make the feed invalid.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

from bot.text.safe import safe_text

# RFC 3986 pchar plus "/" may stand unescaped in a path, and "?" too in a query or fragment;
# "%" is kept only where it starts a valid escape. Everything else is escaped as UTF-8.
_PATH_SAFE = "/!$&'()*+,;=:@~-._%"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_URI = re.compile(  # what the output accepts: http(s), a host, then only RFC 3986 characters
    r"https?://[A-Za-z0-9._~%!$&'()*+,;=:\[\]-]+(?:/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?"
    r"(?:\?[A-Za-z0-9._~%!$&'()*+,;=:@/?-]*)?(?:#[A-Za-z0-9._~%!$&'()*+,;=:@/?-]*)?")


def safe_link(link: str) -> str:
    """`link` as a valid, percent-encoded http(s) URI (an IRI's host in IDNA), or "" when it
    cannot be one (javascript:, data:, file:, no host, a broken port)."""
    # Tabs and line breaks go as browsers drop them; characters no output can carry (a lone
    # surrogate cannot even be percent-encoded) go too; inner spaces are escaped below.
    link = re.sub(r"[\t\r\n]", "", safe_text(link)).strip()
    try:
        parts = urlsplit(link)
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    if parts.username is not None:
        return ""  # credentials in a link are a trick, never something to publish
    uri = urlunsplit((parts.scheme.lower(), netloc, _escape(parts.path or "/", _PATH_SAFE),
                      _escape(parts.query, _PATH_SAFE + "?"),
                      _escape(parts.fragment, _PATH_SAFE + "?")))
    return uri if _URI.fullmatch(uri) else ""


def _escape(part: str, safe: str) -> str:
    return quote(_STRAY_PERCENT.sub("%25", part), safe=safe)
