"""What a feed declares, made safe before it reaches an entry: the body's Japanese encoding,
an entry's date in the source's own time zone, an entry's link as a valid http(s) URI. Pure."""

from __future__ import annotations

import calendar
import codecs
import email.utils
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from bot.core.errors import InputError
from bot.sources.encodings import MIN_SCORE, decode_bytes, is_iso2022, text_score
from bot.text.chars import KANA

# --- encodings --------------------------------------------------------------------------------

# What feeds declare, and the codecs that really read them: servers and CMSs that say Shift_JIS
# write Windows-31J (①, ㈱, 髙), which feedparser does not know and reads as iso-8859-2.
_JAPANESE_CHARSETS = {
    "shift_jis": ("cp932",), "shift-jis": ("cp932",), "sjis": ("cp932",), "x-sjis": ("cp932",),
    "ms_kanji": ("cp932",), "csshiftjis": ("cp932",), "windows-31j": ("cp932",),
    "cp932": ("cp932",), "ms932": ("cp932",),
    "euc-jp": ("euc_jp", "euc_jis_2004"), "x-euc-jp": ("euc_jp", "euc_jis_2004"),
    "eucjp": ("euc_jp", "euc_jis_2004"), "euc-jis-2004": ("euc_jis_2004",),
    "iso-2022-jp": (), "csiso2022jp": (),  # decode_bytes reads both forms of ISO-2022-JP
}
_XML_DECLARATION = re.compile(
    rb"""^(\s*<\?xml[^>]*?\sencoding\s*=\s*)(["'])([A-Za-z0-9._-]+)\2""", re.IGNORECASE)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._-]+)""", re.IGNORECASE)
_KANA = re.compile(f"[{KANA}]")


def decode_japanese_feed(body: bytes, headers: Mapping[str, str]) -> tuple[bytes, str] | None:
    """(UTF-8 body, its content type) when the feed declares a Japanese encoding, or declares
    none or UTF-8 and is not Unicode; else None (feedparser decodes the rest well).

    The HTTP charset wins over the XML declaration, as in RFC 7303. The declared family's
    widest codec is tried first, then every encoding (a wrong declaration is common)."""
    content_type = headers.get("content-type", "")
    declared = _CHARSET.search(content_type)
    in_xml = _XML_DECLARATION.search(body[:512])
    name = (declared[1] if declared else in_xml[3].decode() if in_xml else "").lower()
    if name in _JAPANESE_CHARSETS:
        text = _decode(body, _JAPANESE_CHARSETS[name])
    elif not name and _legacy_bytes(body):
        text = _decode(body, ())  # XML says UTF-8 then, but Japanese sites do serve this
    elif _is_utf8(name) and _legacy_bytes(body):
        # A template that says UTF-8 over an old system's Shift_JIS or EUC-JP, or UTF-8 with
        # a stray bad byte: feedparser would read either as iso-8859-2, every entry garbled.
        decoded = _japanese_or_none(body) or _mostly_utf8(body)
        if decoded is None:
            return None
        text = decoded
    else:
        return None
    data = text.encode("utf-8")
    if in_xml:  # the declaration must not contradict the bytes the parser now gets
        data = _XML_DECLARATION.sub(rb"\1\2utf-8\2", data, count=1)
    media_type = content_type.split(";")[0].strip() or "application/xml"
    return data, f"{media_type}; charset=utf-8"


def _is_utf8(name: str) -> bool:
    try:
        return codecs.lookup(name).name == "utf-8"
    except LookupError:
        return False


def _japanese_or_none(body: bytes) -> str | None:
    try:
        text = decode_bytes(body)
    except InputError:
        return None
    return text if text_score(text) >= MIN_SCORE and _KANA.search(text) else None


def _mostly_utf8(body: bytes) -> str | None:
    """UTF-8 with a few bad bytes (at most one in a thousand), each read as U+FFFD."""
    text = body.decode("utf-8", "replace")
    return text if text.count("\ufffd") <= max(1, len(text) // 1000) else None


def _legacy_bytes(body: bytes) -> bool:
    """Bytes that are neither UTF-8 (ISO-2022-JP is 7-bit, so it passes for it) nor a
    UTF-16/32 form feedparser recognises itself."""
    if body[:4] in (b"\x00\x00\x00<", b"<\x00\x00\x00") or body[:2] in (b"\x00<", b"<\x00"):
        return False
    if body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return is_iso2022(body)


def _decode(body: bytes, candidates: tuple[str, ...]) -> str:
    for codec in candidates:
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        if text_score(text) >= MIN_SCORE:  # strict is not enough: EUC-JP often decodes as cp932
            return text
    try:
        return decode_bytes(body)
    except InputError as exc:
        raise InputError(f"feed cannot be decoded: {exc}") from exc


# --- dates ------------------------------------------------------------------------------------

# Zone names Japanese and neighbouring sources write that RFC 822 (and email.utils) lack.
_ASIAN_ZONES = {"JST": 9, "KST": 9, "HKT": 8, "SGT": 8}
_UTC_NAMES = {"UT", "UTC", "GMT", "Z"}
_RFC822_ZONE = re.compile(r"\s([+-]\d{4}|[A-Za-z]{1,5})\s*$")


def entry_date(raw: str, parsed: time.struct_time | None, zone: tzinfo) -> datetime | None:
    """An entry's date with the offset its source wrote; a date without one is in `zone`.

    feedparser's *_parsed values are converted to UTC (2025-04-01T08:00+09:00 would show as
    March 31), so the raw string is read first; feedparser's value is the fallback for the
    odd formats only it knows."""
    raw = raw.strip()
    found = _iso_date(raw, zone) or _rfc822_date(raw, zone)
    if found is not None or not parsed:
        return found
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _iso_date(raw: str, zone: tzinfo) -> datetime | None:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _rfc822_date(raw: str, zone: tzinfo) -> datetime | None:
    fields = email.utils.parsedate_tz(raw)
    if fields is None:
        return None
    try:
        wall = datetime(*fields[:6])
    except ValueError:
        return None
    match = _RFC822_ZONE.search(raw)
    name = match[1].upper() if match else ""
    if name[:1] in "+-" and name:
        offset: tzinfo = timezone(timedelta(seconds=fields[9] or 0))
    elif name in _UTC_NAMES:
        offset = UTC
    elif name in _ASIAN_ZONES:
        offset = timezone(timedelta(hours=_ASIAN_ZONES[name]))
    elif fields[9]:  # a North American name email.utils knows (EST, PDT…)
        offset = timezone(timedelta(seconds=fields[9]))
    else:  # no zone, or one nobody can be sure of: the configured zone
        offset = zone
    return wall.replace(tzinfo=offset)
