"""A folder of Japanese files in every encoding, short ones included, published end to end:
none is skipped as binary, undecodable or 'not Japanese'."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import run_cli
from tests.support.encodings import to_cp50220

# One short text per file, each in a different genre, and words its headline must keep.
FILES = {
    "memo-sjis.txt": ("①会議は１０時から。", "cp932", "会議は"),
    "company-sjis.txt": ("㈱髙島屋が新店舗を開いた。", "cp932", "髙島屋が新店舗"),
    "mail.txt": ("明日の打ち合わせは午後３時からです。", "iso2022_jp", "明日の打ち合わせ"),
    "mail-windows.txt": ("№２の議題は㈱山田の件です。", "cp50220", "の議題は"),
    "report-euc.txt": ("港湾の取扱量は前年より増えた。", "euc_jp", "港湾の取扱量"),
    "minutes-utf16.txt": ("委員会は予算案を承認した。", "utf-16-le", "委員会は予算案"),
    "notice-utf16be.txt": ("来週から工事が始まります。", "utf-16-be", "来週から工事"),
    "news-utf32.txt": ("新しい航路が開設された。", "utf-32", "新しい航路"),
    "bom.md": ("# 輸出が回復\n\n輸出は前月比で増えた。", "utf-8-sig", "輸出が回復"),
}


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_every_encoding_is_published(tmp_path: Path) -> None:
    seeds, out = tmp_path / "seeds", tmp_path / "out"
    seeds.mkdir()
    for name, (text, codec, _) in FILES.items():
        data = to_cp50220(text) if codec == "cp50220" else codecs.encode(text, codec)
        assert len(data) <= 60  # short files: the case charset detection gets wrong
        (seeds / name).write_bytes(data)
    config = tmp_path / "k.toml"
    config.write_text("[sources]\nsettle_seconds = 0\n", encoding="utf-8")
    state = tmp_path / "s.sqlite3"
    result = run_cli("once", "--config", str(config), "--seeds", str(seeds), "--out", str(out),
                     "--state", str(state))
    status = run_cli("status", "--state", str(state))
    assert result.returncode == 0, result.stderr
    assert "skipped" not in result.stderr and "skipped documents" not in status.stdout
    root = etree.parse(str(out / "feed.xml")).getroot()
    titles = [(item.findtext("title") or "").rsplit(" / ", 1)[-1] for item in root.iter("item")]
    assert len(titles) == len(FILES)
    for _, _, words in FILES.values():
        assert any(words in title for title in titles), (words, titles)
