"""Bad and hostile Word and OpenDocument packages refused with a one-line reason, and the new
formats read from the watched folder in a real run."""

from __future__ import annotations

import os
import random
import re
import zipfile
from pathlib import Path

import pytest

from bot.core.errors import InputError
from bot.sources.folder import read_bytes, walk_folder
from bot.sources.readers import read_date, read_document, read_text
from tests.conftest import run_cli
from tests.support.office import (
    GOOD,
    HEADLINE,
    LAUGHS,
    LEAD,
    SECOND,
    corrupt_member,
    lines,
    make_docx,
    make_odt,
    press_release,
    with_member,
    zipped,
)
from tests.test_pipeline import check_feed


def needs_zip_version(data: bytes, version: int) -> bytes:
    """The package with its first central directory entry asking for another zip version
    (as a damaged header does)."""
    at = data.index(b"PK\x01\x02") + 6
    return data[:at] + version.to_bytes(2, "little") + data[at + 2:]


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("a.docx", b"PK\x03\x04", "not a valid .docx file: not a readable zip archive"),
    ("a.docx", "報告書の本文です。".encode(), "not a valid .docx file: not a readable zip"),
    ("a.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
     "not a valid .docx file: an encrypted (password-protected) document"),
    ("a.docx", zipped({"inside.txt": LEAD.encode()}),
     "not a valid .docx file: word/document.xml is missing"),
    ("a.docx", GOOD[: len(GOOD) // 2], "not a valid .docx file: not a readable zip archive"),
    ("a.docx", corrupt_member(GOOD), "not a valid .docx file: word/document.xml "),
    ("a.docx", with_member(GOOD, "word/document.xml", LAUGHS),
     "not a valid .docx file: word/document.xml declares a DOCTYPE"),
    ("a.docx", with_member(GOOD, "word/document.xml", b"<w:document><w:body>"),
     "not a valid .docx file: word/document.xml is not well-formed XML"),
    ("a.docx", zipped({f"m{i}.xml": b"" for i in range(5_001)}, zipfile.ZIP_STORED),
     "not a valid .docx file: 5,001 members in the archive (limit 5,000)"),
    ("a.odt", zipped({"meta.xml": b"<x/>"}), "not a valid .odt file: content.xml is missing"),
    ("a.docx", needs_zip_version(GOOD, 255), "not a valid .docx file: not a readable zip"),
])
def test_bad_packages_are_refused_with_a_one_line_reason(name: str, data: bytes, reason: str):
    with pytest.raises(InputError) as caught:
        read_document(name, data)
    assert str(caught.value).startswith(reason)
    assert "\n" not in str(caught.value)


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    bomb = with_member(GOOD, "word/document.xml", b"<" + b"\x00" * 60_000_000)
    assert len(bomb) < 200_000
    with pytest.raises(InputError, match=r"^not a valid \.docx file: word/document\.xml "
                                         r"expands to 60,000,001 bytes .*a zip bomb\?$"):
        read_document("bomb.docx", bomb)


def test_a_zip_bomb_that_understates_its_size_is_still_refused():
    bomb = bytearray(with_member(GOOD, "word/document.xml", b" " * 50_000_000))
    # Declare 1,000 bytes for the member in its local header and the central directory.
    big = (50_000_000).to_bytes(4, "little")
    assert bomb.count(big) == 2
    bomb[:] = bomb.replace(big, (1000).to_bytes(4, "little"))
    with pytest.raises(InputError, match=r"^not a valid \.docx file: word/document\.xml "):
        read_document("bomb.docx", bytes(bomb))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["r.docx", "r.odt"])
def test_damaged_packages_fail_only_with_input_errors(name: str):
    rng = random.Random(7)
    good = GOOD if name.endswith(".docx") else make_odt()
    for _ in range(80):
        damaged = bytearray(good)
        for _ in range(rng.randrange(1, 6)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        cut = bytes(damaged[: rng.randrange(len(damaged) // 2, len(damaged) + 1)])
        for data in (bytes(damaged), cut):
            try:
                read_document(name, data)
                read_date(name, data)
            except InputError as exc:
                assert "\n" not in str(exc)


# --- Through the watched folder -----------------------------------------------------------

def test_the_folder_scan_knows_the_new_formats_and_they_are_read(tmp_path: Path):
    from tests.test_mail import make_mail

    files = {"release.docx": make_docx(press_release), "notes.odt": make_odt(),
             "letter.eml": make_mail().as_bytes(), "sheet.xlsx": zipped({"a.xml": b"<a/>"})}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "unpacked.docx").mkdir()  # a folder named like a document is pointed out
    (tmp_path / "unpacked.docx" / "inside.txt").write_text(LEAD, encoding="utf-8")
    scan = walk_folder(tmp_path)
    assert [u.name for u in scan.unread] == ["unpacked.docx"]
    heads = {}
    for candidate in scan.files:
        data = read_bytes(candidate, 20_000_000)
        try:
            heads[candidate.name] = read_document(candidate.name, data).text.splitlines()[0]
        except InputError as exc:
            heads[candidate.name] = str(exc)
    assert heads == {"letter.eml": "【物流だより】貨物駅の積み替え時間が半分に",
                     "notes.odt": HEADLINE, "release.docx": HEADLINE,
                     "sheet.xlsx": "unsupported file type .xlsx: save it as PDF to have it read",
                     "unpacked.docx/inside.txt": LEAD}


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_run_publishes_word_and_mail_documents_from_the_folder(tmp_path: Path):
    from tests.test_mail import make_mail

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "release.docx").write_bytes(make_docx(press_release))
    (seeds / "letter.eml").write_bytes(make_mail(date="Wed, 02 Apr 2025 08:00:00 +0900")
                                       .as_bytes())
    (seeds / "broken.docx").write_bytes(GOOD[:3000])
    for path in seeds.iterdir():  # copied 2025-04-18, settled: no stability wait
        os.utime(path, (1_744_934_400, 1_744_934_400))

    result = run_cli("once", "--seeds", str(seeds), "--out", str(tmp_path / "out"),
                     "--state", str(tmp_path / "state.sqlite3"))

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "broken.docx" in result.stderr and "not a valid .docx file" in result.stderr
    titles = [item.findtext("title") or "" for item in check_feed(tmp_path / "out" / "feed.xml")]
    assert len(titles) == 2
    assert any(HEADLINE in t for t in titles) and any("貨物駅の積み替え" in t for t in titles)
    pages = {}
    for page in (tmp_path / "out" / "articles").glob("*.html"):
        content = page.read_text(encoding="utf-8")
        title = re.search(r'<p class="ja-title" lang="ja"[^>]*>([^<]*)</p>', content)
        found = re.search(r'<p class="meta"[^>]*>Article date ([^<·]*?) ·', content)
        assert title and found, content
        pages[title[1]] = found[1].strip()
    # The Word file's date from its text; the mail's from its Date header.
    assert pages == {HEADLINE: "2025-04-01", "貨物駅の積み替え時間が半分に": "2025-04-02"}


def test_a_damaged_styles_or_properties_part_costs_the_headline_not_the_text():
    data = with_member(GOOD, "word/styles.xml", LAUGHS)
    data = with_member(data, "docProps/core.xml", b"<broken")
    assert lines(read_text("r.docx", data)) == [
        "2025年4月1日", "株式会社かけはし運輸", HEADLINE, "概要", LEAD, SECOND]
