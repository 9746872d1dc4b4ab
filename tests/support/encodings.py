"""Encoders the standard library lacks, for encoding tests."""

from __future__ import annotations


def to_cp50220(text: str) -> bytes:
    """ISO-2022-JP as Windows mailers write it: cp932 two-byte codes mapped to JIS in ESC $ B."""
    out, mode = bytearray(), "ascii"
    for char in text:
        code = char.encode("cp932")
        wanted = "ascii" if len(code) == 1 else "jis"
        if wanted != mode:
            out += b"\x1b(B" if wanted == "ascii" else b"\x1b$B"
            mode = wanted
        if len(code) == 1:
            out += code
            continue
        s1, s2 = code
        j1 = (s1 - (0x70 if s1 < 0xA0 else 0xB0)) * 2
        if s2 < 0x9F:
            j1, j2 = j1 - 1, s2 - (0x20 if s2 >= 0x80 else 0x1F)
        else:
            j2 = s2 - 0x7E
        out += bytes((j1, j2))
    return bytes(out + (b"\x1b(B" if mode == "jis" else b""))
