"""Bytes → str for Japanese sources: every plausible encoding is tried strictly and the results
are judged by how much they read like text, so no single detector's guess decides alone.

Why not charset-normalizer alone: on short input (a 20-byte memo) it refuses Shift_JIS with NEC
or IBM extensions (①, ㈱, 髙), it reads ISO-2022-JP as ASCII and UTF-16 without a BOM as binary.
A strict decode proves an encoding *possible*; the score picks the one that is *plausible*:
kana, common kanji and ASCII count fully, rarer symbols half, and control characters, C1
controls, private-use and replacement characters count against it (they are what a wrong
decoding produces). Unicode text damaged by one character (UTF-8 cut short, a lone UTF-16
surrogate) is repaired, not refused. Pure: no I/O.
"""

from __future__ import annotations

import codecs
import re
from functools import cache

from bot.core.errors import InputError
from bot.text.chars import KANA

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# In order of preference when two decodings read equally well (pure ASCII is the same in all).
_CANDIDATES = ("utf-8", "cp932", "euc_jp", "euc_jis_2004",
               "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
_ISO_2022 = ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2004", "iso2022_jp_2")
_ESCAPE = re.compile(rb"\x1b(?:\$[@B]|\$\(\s*[OPQD]|\([BJI])")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_XML_DECLARATION = re.compile(
    rb"\s*<\?xml\s[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})[\"']")
_SAMPLE_CHARS = 16_384  # scoring a sample keeps a 1 MB file fast; validity is checked in full
# Below this score no decoding reads like text (measured on the five sample documents in six
# encodings: the right decoding scores 0.99 or more, the best wrong one 0.45).
MIN_SCORE = 0.6
# A declared encoding needs less: rare kanji alone score 0.5, and a wrong declaration (Latin-1
# over Japanese bytes) reads as C1 controls, below 0.
DECLARED_MIN_SCORE = 0.3

_ASCII_KANA = "\t\n\r\x20-\x7e\u3000-\u30ff\uff01-\uff5e"  # ASCII, kana, CJK punctuation
_PLAUSIBLE = re.compile(  # the above, plus what counts half: rare kanji, symbols, half-width kana
    f"[{_ASCII_KANA}\u00a0-\u00ff\u0370-\u04ff\u2010-\u2312\u2460-\u24ff\u2500-\u27bf"
    "\u3200-\u33ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff61-\uff9f\uffe0-\uffe5]"
)
_ASCII = re.compile("[\t\n\r\x20-\x7e]+")
_KANA = re.compile(f"[{KANA}]")
_BAD = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffd]")


@cache
def _common_jis() -> re.Pattern[str]:
    """JIS X 0208 symbols, Greek, Cyrillic, box drawing (rows 1-8), the NEC symbols of row 13
    (①, №, ㈱) and the 2,965 level-1 kanji: read from the cp932 table itself."""
    chars = []
    for lead in (*range(0x81, 0x85), 0x87, *range(0x88, 0x99)):
        for trail in (*range(0x40, 0x7F), *range(0x80, 0xFD)):
            try:
                char = bytes((lead, trail)).decode("cp932")
            except UnicodeDecodeError:
                continue  # an unassigned code
            if not _BAD.match(char):
                chars.append(re.escape(char))
    return re.compile(f"[{_ASCII_KANA}{''.join(chars)}]")


def decode_bytes(data: bytes) -> str:
    """Bytes → str in the encoding the text reads best in; InputError when none fits."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _decode_strict(data, encoding) or _decode_repaired(data, encoding)
            if text is None:
                raise InputError(f"undecodable bytes: invalid {encoding} after its BOM")
            return text.lstrip("\ufeff")
    declared = _xml_declared(data)
    if declared is not None:
        return declared
    best, best_score = "", -1.0
    for text in _decodings(data):
        score = text_score(text)
        if score > best_score:
            best, best_score = text, score
    if best_score >= MIN_SCORE:
        # Chinese in GB2312/Big5 also decodes as EUC-JP, as kanji without a single kana:
        # only then is a second opinion worth its cost.
        if len(best) >= 8 and not _KANA.search(best):
            return _chinese(data) or best
        return best
    if b"\x00" in data:
        raise InputError("binary file (NUL bytes), not text")
    return _fallback(data)


def _xml_declared(data: bytes) -> str | None:
    """The text in the encoding an XML declaration names (XHTML: `<?xml version="1.0"
    encoding="Shift_JIS"?>`), when it decodes strictly and reads like text; else None.
    Short Japanese text is ambiguous between EUC-JP and Shift_JIS: the declaration settles it."""
    match = _XML_DECLARATION.match(data)
    if match is None:
        return None
    try:
        codec = codecs.lookup(match[1].decode("ascii")).name
    except LookupError:
        return None
    # Pages declared Shift_JIS are written in Windows-31J (①, ㈱, 髙): cp932 reads both.
    codec = "cp932" if codec in ("shift_jis", "shift_jisx0213", "shift_jis_2004") else codec
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None  # a wrong declaration: let the text speak for itself
    return text if text_score(text) >= DECLARED_MIN_SCORE else None


def text_score(text: str) -> float:
    """How much `text` reads like Japanese: 1.0 at best, below 0 for garbage. Printable ASCII
    is left out: it reads the same in every candidate, so it would only dilute the evidence."""
    sample = _ASCII.sub("", text[:_SAMPLE_CHARS])
    if not sample:
        return 1.0
    full = len(_common_jis().findall(sample))
    half = max(0, len(_PLAUSIBLE.findall(sample)) - full)
    bad = len(_BAD.findall(sample))
    return (full + 0.5 * half - 3.0 * bad) / len(sample)


def _decodings(data: bytes) -> list[str]:
    """Every strict decoding of `data` among the candidates (ISO-2022-JP only when escaped),
    then the repaired ones of the Unicode forms that failed (see `_decode_repaired`)."""
    found = []
    if is_iso2022(data):
        text = _decode_iso2022(data)
        if text is not None:
            found.append(text)
    failed = []
    for encoding in _CANDIDATES:
        text = _decode_strict(data, encoding)
        if text is None:
            failed.append(encoding)
        else:
            found.append(text)
    # After the strict ones: a decoding equally good as is wins over a repaired one.
    found += [text for encoding in failed if (text := _decode_repaired(data, encoding))]
    return found


def _decode_strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _decode_repaired(data: bytes, encoding: str) -> str | None:
    """`data` in a Unicode form, with the damage that costs one character repaired, or None.

    UTF-8 cut short (a truncated download ends inside a character's bytes) loses only the
    broken character; UTF-16 with a lone surrogate (one half of a pair lost, or a bad
    conversion) gets U+FFFD for that code unit alone, if the rest reads as text. Any other
    error still fails: those are bytes in another encoding.
    """
    if encoding in ("utf-8", "utf-8-sig"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError as exc:
            # Positions count in exc.object: utf-8-sig reports them after its BOM.
            if exc.reason != "unexpected end of data" or exc.end != len(exc.object):
                return None
            return _decode_strict(exc.object[:exc.start], "utf-8")
        return None
    if encoding.startswith("utf-16"):
        try:
            text = data.decode(encoding, _lone_surrogate_handler())
        except UnicodeDecodeError:
            return None
        # A replacement now and then, in text; not text made of replacements.
        return text if text_score(text) >= MIN_SCORE else None
    return None


@cache
def _lone_surrogate_handler() -> str:
    """Register (once) the UTF-16 decode error handler that replaces a lone surrogate (or a
    last odd byte) with U+FFFD and fails on anything else; return its name."""

    def replace_surrogate(error: UnicodeError) -> tuple[str, int]:
        if not isinstance(error, UnicodeDecodeError) or error.reason not in _SURROGATE_ERRORS:
            raise error
        if error.reason == "unexpected end of data" and error.end != len(error.object):
            raise error
        return "\ufffd", error.end

    codecs.register_error("kakehashi.lone-surrogate", replace_surrogate)
    return "kakehashi.lone-surrogate"


# How Python's UTF-16 codec names a high surrogate without its low half, a low surrogate on
# its own, and a high surrogate (or an odd byte) at the very end.
_SURROGATE_ERRORS = frozenset({"illegal encoding", "illegal UTF-16 surrogate",
                               "unexpected end of data"})


def is_iso2022(data: bytes) -> bool:
    """7-bit bytes with ISO-2022-JP escapes (mail and some old feeds)."""
    return bool(_ESCAPE.search(data)) and not _HIGH_BYTE.search(data)


def _decode_iso2022(data: bytes) -> str | None:
    for encoding in _ISO_2022:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    try:  # ISO-2022-JP as Windows mailers write it, with NEC/IBM extensions in JIS X 0208
        return data.decode("iso2022_jp_ext", _cp50220_handler())
    except UnicodeDecodeError:
        return None


@cache
def _cp50220_handler() -> str:
    """Register (once) the decode error handler that reads a two-byte JIS code the codec
    does not know through the cp932 table, and return its name."""

    def read_as_cp932(error: UnicodeError) -> tuple[str, int]:
        if not isinstance(error, UnicodeDecodeError):
            raise error
        code = error.object[error.start:error.start + 2]
        char = _jis_table().get(code[0] << 8 | code[1]) if len(code) == 2 else None
        if char is None:
            raise error
        return char, error.start + 2

    codecs.register_error("kakehashi.cp50220", read_as_cp932)
    return "kakehashi.cp50220"


@cache
def _jis_table() -> dict[int, str]:
    """Two-byte JIS code → character, through the arithmetic JIS → Shift_JIS mapping and the
    cp932 table (which holds the NEC and IBM extensions ISO-2022-JP lacks)."""
    table = {}
    for j1 in range(0x21, 0x7F):
        for j2 in range(0x21, 0x7F):
            s1 = (j1 - 0x21) // 2 + 0x81
            s1 += 0x40 if s1 > 0x9F else 0
            s2 = j2 + (0x1F + (j2 >= 0x60) if j1 % 2 else 0x7E)
            try:
                table[j1 << 8 | j2] = bytes((s1, s2)).decode("cp932")
            except UnicodeDecodeError:
                continue
    return table


def _chinese(data: bytes) -> str | None:
    """The text, when charset-normalizer reads `data` as a Chinese encoding."""
    from charset_normalizer import from_bytes

    guess = from_bytes(data).best()
    chinese = guess is not None and guess.encoding.startswith(("gb", "big5", "hz"))
    return str(guess) if chinese else None


def _fallback(data: bytes) -> str:
    """Not Japanese in any form we try: let charset-normalizer name a legacy encoding."""
    from charset_normalizer import from_bytes  # imported here: only unusual input needs it

    best = from_bytes(data).best()
    if best is None:
        raise InputError("undecodable bytes: not text in any known encoding")
    return str(best)
