"""Characters the outputs cannot carry, removed once where text enters. Pure.

XML 1.0 forbids the C0 controls other than tab, newline and carriage return, lone surrogates
and U+FFFE/U+FFFF: one of them in feed.xml makes every reader reject the whole feed. Telegram
rejects or silently drops the same characters. The rest removed here are legal in XML but do
harm and carry no text: DEL and the C1 controls (U+0080–U+009F, mostly mis-decoded Windows
bytes), the other Unicode noncharacters, and the bidirectional embedding, override and isolate
controls, which can reorder what a reader sees (a Japanese→English digest never needs them;
the plain LRM/RLM marks, which reorder nothing, are kept), and U+FFFD, the mark a decoder
leaves where a character was lost (a lone UTF-16 surrogate): it stands for no text, and a
reader would see it as a broken glyph in the digest.
"""

from __future__ import annotations

import os
import re

# Terminal colour and cursor codes (text copied from a terminal): removed whole, not just the
# ESC that starts them, which would leave "[31m" in the text.
_ANSI = re.compile("(?:\x1b\\[|\x9b)[0-?]*[ -/]*[@-~]")
# Vertical tab, form feed (page breaks in extracted text), NEL and the Unicode line and
# paragraph separators end a line: they become a newline rather than vanish.
_LINE_BREAKS = re.compile("[\x0b\x0c\x85\u2028\u2029]")
_UNSAFE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"  # C0 (not \t \n \r), DEL, C1 (NEL handled above)
    "\ud800-\udfff"  # lone surrogates (a valid str holds pairs only as one code point)
    "\ufdd0-\ufdef\ufffe\uffff"  # noncharacters of the BMP
    "\ufffd"  # a character lost in decoding
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
    "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
    "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff"
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides, isolates
    "]"
)
# In a name shown on one line, every control and format character is made visible instead.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
                        "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def safe_text(text: str, line_break: str = "\n") -> str:
    """`text` without the characters XML 1.0 and Telegram cannot carry (see module doc);
    the odd line breaks become `line_break`."""
    if _UNSAFE.search(text) is None and _LINE_BREAKS.search(text) is None:
        return text  # the common case: no copy
    return _UNSAFE.sub("", _LINE_BREAKS.sub(line_break, _ANSI.sub("", text)))


def display_name(name: str) -> str:
    """A file name as one safe line of text, whatever bytes the file system gave it.

    Bytes that are not UTF-8 (os.scandir hands them over as surrogate escapes) are shown as
    `\\xff`; controls, line breaks and direction marks as `\\x1b`, `\\u202e`. Two different
    names can rarely show alike, so this is for showing and storing, not for identity.
    """
    if _INVISIBLE.search(name) is None:
        return name
    try:
        raw = os.fsencode(name).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte: shown as a code point
        raw = name
    return _INVISIBLE.sub(_escape, raw)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def is_lossless(name: str) -> bool:
    """Can `name` be stored as it is (no surrogate escapes from undecodable bytes)?"""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
