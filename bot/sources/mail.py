"""A mail (.eml) → its Subject as headline, then its text; its Date as the document's date.

The standard library parses the mail (`email.policy.default`: RFC 2047 headers, MIME,
quoted-printable and base64). The body is the text/plain part, else the text/html one (through
`html_to_text`); attachments are not read. Line breaks are kept as sent: a mail magazine is
wrapped by hand, and the cleaner tells a wrap from a paragraph.

Japanese mail is often mislabelled (Shift_JIS declared for Windows-31J text with ① or ㈱,
ISO-2022-JP with NEC extensions, no charset at all, 8-bit Subject headers): a part's bytes
are decoded with its declared charset strictly, and by `decode_bytes` too, and the decoding
that reads better as text is kept. A `Re:`/`Fwd:` prefix is part of the subject and is kept.
"""

from __future__ import annotations

import email
import email.errors
import email.header
import email.utils
from email import policy
from email.message import EmailMessage, Message

from bot.core.errors import InputError
from bot.core.model import Reading, SourceInfo
from bot.sources.encodings import decode_bytes, is_iso2022, text_score
from bot.sources.web.page import html_to_text

# A mail has at least one of these; a file with none is not a mail.
_MAIL_HEADERS = ("from", "to", "subject", "date", "message-id", "mime-version")
# Errors the standard library's header and MIME parsers raise on malformed mail (rather than
# recording a defect).
_PARSE_ERRORS = (email.errors.MessageError, ValueError, LookupError, IndexError, TypeError,
                 AttributeError)


def read_mail(data: bytes) -> Reading:
    """An .eml file → a Reading: Subject, then the body text; Date as `published`."""
    try:
        message = email.message_from_bytes(data, policy=policy.default)
        if not any(name.lower() in _MAIL_HEADERS for name in message):
            raise InputError("not a valid .eml file: no mail headers")
        subject = header_text(message, "subject")
        body = _body_text(message)
        published = _date(message)
    except RecursionError:
        raise InputError("not a valid .eml file: MIME parts nested too deeply") from None
    except _PARSE_ERRORS as exc:
        reason = " ".join(str(exc).split())[:160]
        raise InputError(f"not a valid .eml file: {type(exc).__name__}: {reason}") from None
    if not body.strip():
        raise InputError("no text in the mail (attachments are not read)")
    # A blank line after the subject: it is a headline, never the start of the body's
    # first paragraph (which the cleaner could otherwise join to it).
    text = f"{subject}\n\n{body}" if subject else body
    return Reading(text, SourceInfo(published=published,
                                    published_from="page" if published else ""))


def header_text(message: Message, name: str) -> str:
    """A header's value as one line, decoded however its sender wrote it: RFC 2047 words in
    any charset, or raw 8-bit bytes (Shift_JIS, UTF-8) that no RFC allows but mailers send."""
    raw = next((str(v) for k, v in message.raw_items() if k.lower() == name), "")
    try:
        words = email.header.decode_header(raw)
    except email.errors.HeaderParseError:  # a broken encoded word: the header as it stands
        words = [(raw, None)]
    pieces = []
    for value, charset in words:
        if isinstance(value, str):  # no encoded words: 8-bit bytes arrive escaped
            value = value.encode("utf-8", "surrogateescape")
        pieces.append(_decoded(value, charset))
    return " ".join("".join(pieces).split())


def _decoded(data: bytes, charset: str | None) -> str:
    """`data` in its declared charset, unless it fails or another decoding reads better."""
    declared = None
    if charset and charset.lower() not in ("unknown-8bit", "x-unknown"):
        try:
            declared = data.decode(charset)
        except (UnicodeDecodeError, LookupError):
            declared = None
    if data.isascii() and not is_iso2022(data):
        return declared if declared is not None else data.decode("ascii")
    try:
        guessed = decode_bytes(data)
    except InputError:
        if declared is None:
            raise
        return declared
    if declared is None or text_score(guessed) > text_score(declared):
        return guessed
    return declared


def _body_text(message: EmailMessage) -> str:
    """The text/plain body, else (also when the plain one is empty) the text/html one as
    text; "" when there is neither."""
    for subtype in ("plain", "html"):
        part = message.get_body(preferencelist=(subtype,))
        payload = None if part is None else part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload.strip():
            continue
        text = _decoded(payload, part.get_content_charset() if part else None)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = html_to_text(text) if subtype == "html" else text
        if text.strip():
            return text
    return ""


def _date(message: EmailMessage) -> str:
    """The Date header as an ISO 8601 date-time (with its zone when it gives one), or ""."""
    value = header_text(message, "date")
    if not value:
        return ""
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return ""
    return moment.isoformat() if moment.year >= 1980 else ""
