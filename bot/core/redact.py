"""The bot token blanked out of any text shown or stored: at the bottom of the house, because
logs, errors, the chat bot and delivery all pass text through it."""

from __future__ import annotations

from urllib.parse import quote

REDACTED = "<TELEGRAM_BOT_TOKEN>"


def redact(text: str, token: str) -> str:
    """`text` without the bot token: every Bot API URL holds it, and servers, proxies and
    HTTP errors may quote the URL in what they say (stored and shown to the user)."""
    if not token:
        return text
    # The secret half alone too: ':' may come back percent-encoded, or the id cut off.
    for form in (token, quote(token, safe=""), token.partition(":")[2]):
        if len(form) >= 8:  # shorter is no real token; replacing it would garble the text
            text = text.replace(form, REDACTED)
    return text
