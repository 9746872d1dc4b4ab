"""Every Japanese encoding in a file, long and short, and what is not text refused with a reason."""

from __future__ import annotations

import codecs
import random
import zlib
from collections.abc import Callable

import pytest

from bot.core.errors import InputError
from bot.sources.encodings import decode_bytes
from bot.sources.readers import read_text
from tests.support.encodings import to_cp50220

# Several genres, and the characters that only Windows-31J has (NEC row 13, IBM kanji).
NEWS = "中欧班列の運行本数が過去最多を更新した。カザフスタン経由の貨物は前年より2割増えた。"
MEMO = "①会議は10時から。②資料はⅡ章まで。"
COMPANY = "㈱髙島屋の売上高は№3の店舗で前年比①割増えた。"
MAIL = "お世話になっております。\r\n明日の打ち合わせは午後３時からです。\r\n"
KANJI_ONLY = "中欧班列運行本数過去最多更新"
SHORT = ["①の件", "一帯一路の会議", "髙橋様", "日本", KANJI_ONLY, "㈱テスト"]


ENCODERS: dict[str, Callable[[str], bytes]] = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-sig": lambda t: t.encode("utf-8-sig"),
    "cp932": lambda t: t.encode("cp932"),
    "euc_jp": lambda t: t.encode("euc_jp"),
    "euc_jis_2004": lambda t: t.encode("euc_jis_2004"),
    "iso2022_jp": lambda t: t.encode("iso2022_jp"),
    "cp50220": to_cp50220,
    "utf-16 (BOM)": lambda t: t.encode("utf-16"),
    "utf-16-le": lambda t: t.encode("utf-16-le"),
    "utf-16-be": lambda t: t.encode("utf-16-be"),
    "utf-32 (BOM)": lambda t: t.encode("utf-32"),
    "utf-32-le": lambda t: t.encode("utf-32-le"),
    "utf-32-be": lambda t: t.encode("utf-32-be"),
}


def encodable(text: str, name: str) -> bytes | None:
    try:
        return ENCODERS[name](text)
    except UnicodeEncodeError:
        return None  # that encoding cannot hold these characters: nothing to test


@pytest.mark.parametrize("name", ENCODERS)
@pytest.mark.parametrize("text", [NEWS, MEMO, COMPANY, MAIL, *SHORT])
def test_every_encoding_long_and_short(name: str, text: str) -> None:
    data = encodable(text, name)
    if data is None:
        # Not skipped quietly: the characters must be ones that encoding really lacks.
        assert any(ch in text for ch in "①Ⅱ№㈱髙"), (name, text)
        return
    assert decode_bytes(data) == text, (name, data)


@pytest.mark.parametrize("text", [*SHORT, MEMO])
def test_short_files_are_read_not_refused(text: str) -> None:
    for name in ("cp932", "cp50220", "utf-16-le", "euc_jp"):
        data = encodable(text, name)
        if data is not None:
            assert 4 <= len(data) <= 60
            assert read_text("memo.txt", data) == text


def test_euc_jis_2004_row_13_symbols() -> None:
    text = "①から⑳までの番号"
    assert decode_bytes(text.encode("euc_jis_2004")) == text


def test_chinese_gb2312_is_not_read_as_japanese_kanji() -> None:
    # GB2312 bytes also decode as EUC-JP (as kanji nonsense without a single kana).
    text = "中华人民共和国经济发展迅速，城市建设日新月异。"
    assert decode_bytes(text.encode("gb2312")) == text


_RNG = random.Random(7)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary file (NUL bytes)"),
        (zlib.compress(NEWS.encode() * 50), "binary file (NUL bytes)|undecodable bytes"),
        (bytes(_RNG.randrange(256) for _ in range(4000)), "binary file (NUL bytes)"),
        (bytes(_RNG.randrange(0x80, 0x100) for _ in range(3000)), "undecodable bytes"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "undecodable bytes: invalid utf-16"),
    ],
)
def test_binary_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        decode_bytes(data)


@pytest.mark.parametrize("name", ["utf-8", "cp932", "euc_jp", "utf-16-le", "cp50220"])
def test_one_megabyte_decodes_quickly(name: str) -> None:
    text = (NEWS + COMPANY + "Kazakhstan 2.6万TEU\n") * 8000
    data = encodable(text, name) or encodable(text.replace("①", "1").replace("№", "No.")
                                              .replace("㈱", "(株)").replace("髙", "高"), name)
    assert data is not None and len(data) > 700_000
    decoded = decode_bytes(data)  # its cost beside the codec alone: bench/timings.py
    assert decoded.startswith(NEWS)
    assert decoded.replace("\r\n", "\n").count("Kazakhstan 2.6万TEU") == 8000
