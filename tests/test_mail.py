"""Mail (.eml) built here with the standard library's email package: every charset and
transfer encoding Japanese mail uses, mislabelled charsets, alternatives and attachments,
the Date header as the document's date, and broken files refused with a reason."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone
from email.header import Header
from email.message import EmailMessage
from email.mime.text import MIMEText
from email.utils import format_datetime

import pytest

from bot.core.errors import InputError
from bot.glossary import Glossary
from bot.run.pipeline import analyze_text
from bot.sources.readers import read_document

SUBJECT = "【物流だより】貨物駅の積み替え時間が半分に"
PARAGRAPHS = (
    "国境に近い貨物駅では、新しいクレーンの導入により、コンテナの積み替えにかかる時間が従来"
    "の半分になった。駅の担当者によると、来月からは夜間の作業も始まる予定だという。",
    "地方の銀行各行は、輸出に取り組む中小企業への融資枠を広げると発表した。為替の変動に"
    "備えるための相談窓口も新たに設ける。",
)
BODY = "\n\n".join(PARAGRAPHS) + "\n"
SYMBOLS = "①㈱髙橋運輸の新倉庫が完成した。"  # Windows-31J only: not in strict Shift_JIS
DATE = "Tue, 01 Apr 2025 09:30:00 +0900"
JST = timezone(timedelta(hours=9))


def make_mail(body: str = BODY, charset: str = "utf-8", cte: str | None = None,
              subject: str = SUBJECT, date: str = DATE) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "物流だより <news@example.jp>"
    message["To"] = "editor@example.org"
    message["Subject"] = subject
    message["Date"] = date
    message.set_content(body, charset=charset, cte=cte)
    return message


def body_lines(data: bytes) -> list[str]:
    return [line for line in read_document("m.eml", data).text.splitlines() if line]


@pytest.mark.parametrize(("charset", "cte"), [
    ("iso-2022-jp", "7bit"), ("utf-8", "base64"), ("utf-8", "quoted-printable"),
    ("utf-8", "8bit"), ("shift_jis", "8bit"), ("shift_jis", "base64"), ("euc-jp", "8bit"),
])
def test_every_charset_and_transfer_encoding(charset: str, cte: str):
    data = make_mail(charset=charset, cte=cte).as_bytes()
    assert body_lines(data) == [SUBJECT, *PARAGRAPHS]


def test_an_iso_2022_jp_subject_and_the_date_as_the_documents_own():
    data = make_mail(charset="iso-2022-jp", cte="7bit", subject="placeholder").as_bytes()
    folded = Header(SUBJECT, "iso-2022-jp").encode()  # encoded words on folded lines
    data = data.replace(b"Subject: placeholder", b"Subject: " + folded.encode())
    assert b"=?iso-2022-jp?" in data.lower()
    reading = read_document("m.eml", data)
    assert reading.text.splitlines()[0] == SUBJECT
    assert reading.source.published == "2025-04-01T09:30:00+09:00"
    assert reading.source.published_from == "page"


def test_a_raw_shift_jis_subject_is_read():
    data = make_mail(charset="shift_jis", cte="8bit", subject="placeholder").as_bytes()
    data = data.replace(b"Subject: placeholder", b"Subject: " + SUBJECT.encode("cp932"))
    assert body_lines(data)[0] == SUBJECT


def test_a_broken_encoded_subject_does_not_lose_the_mail():
    data = make_mail(subject="placeholder").as_bytes()
    data = data.replace(b"Subject: placeholder", b"Subject: =?utf-8?b?44GC44GE4?=")
    reading = read_document("m.eml", data)
    assert reading.text.splitlines()[0] == "=?utf-8?b?44GC44GE4?="
    assert [line for line in reading.text.splitlines() if line][1:] == list(PARAGRAPHS)


def test_re_and_fwd_prefixes_are_kept():
    data = make_mail(subject="Re: Fwd: " + SUBJECT).as_bytes()
    assert body_lines(data)[0] == "Re: Fwd: " + SUBJECT


def relabel(data: bytes, declared: bytes) -> bytes:
    return re.sub(rb'charset="?[\w-]+"?', b"charset=" + declared, data, count=1)


@pytest.mark.parametrize(("actual", "declared"), [
    ("cp932", b"shift_jis"),  # ① ㈱ 髙: what Windows mailers send as Shift_JIS
    ("cp932", b"utf-8"),
    ("utf-8", b"iso-8859-1"),  # decodes without error, into nonsense
    ("euc_jp", b"x-unknown-charset"),
    ("utf-8", b"us-ascii"),
])
def test_a_mislabelled_charset_does_not_lose_the_mail(actual: str, declared: bytes):
    symbols = [] if actual == "euc_jp" else [SYMBOLS]  # EUC-JP has no ① or ㈱
    text = "\n".join([*symbols, BODY])
    data = make_mail("placeholder\n", charset="utf-8", cte="8bit").as_bytes()
    data = relabel(data.replace(b"placeholder\n", text.encode(actual)), declared)
    assert b"charset=" + declared in data
    assert body_lines(data)[1:] == [*symbols, *PARAGRAPHS]


def test_iso_2022_jp_with_nec_symbols_is_read():
    with pytest.raises(UnicodeEncodeError):  # Python's codec lacks them: Windows has them
        "①㈱".encode("iso2022_jp")
    data = make_mail("placeholder\n", charset="iso-2022-jp", cte="7bit").as_bytes()
    nec = b"\x1b$B" + bytes.fromhex("2d21 2d6a") + b"\x1b(B"  # ① ㈱ in NEC row 13
    data = data.replace(b"placeholder\n", nec + "の話題。\n".encode("iso2022_jp"))
    assert body_lines(data)[1] == "①㈱の話題。"


def test_a_missing_charset_is_detected():
    data = make_mail("placeholder\n", cte="8bit").as_bytes()
    data = re.sub(rb"; charset=\"?[\w-]+\"?", b"", data, count=1)
    data = data.replace(b"placeholder\n", BODY.encode("cp932"))
    assert b"charset" not in data
    assert body_lines(data)[1:] == list(PARAGRAPHS)


def test_alternatives_prefer_the_plain_text_and_fall_back_to_html():
    message = make_mail()
    html = f"<html><body><h1>見出し</h1><p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[1]}</p></body></html>"
    message.add_alternative(html, subtype="html")
    assert body_lines(message.as_bytes()) == [SUBJECT, *PARAGRAPHS]

    html_only = EmailMessage()
    html_only["Subject"] = SUBJECT
    html_only.set_content(html, subtype="html", charset="shift_jis", cte="base64")
    text = read_document("m.eml", html_only.as_bytes()).text
    assert [line for line in text.splitlines() if line] == [SUBJECT, "見出し", *PARAGRAPHS]
    assert "<" not in text


def test_an_empty_plain_alternative_gives_way_to_the_html_one():
    message = make_mail(" \n")
    message.add_alternative(f"<p>{PARAGRAPHS[0]}</p>", subtype="html")
    assert body_lines(message.as_bytes()) == [SUBJECT, PARAGRAPHS[0]]


def test_attachments_are_not_read():
    message = make_mail()
    message.add_attachment("添付ファイルの社外秘の内容。".encode(), maintype="text",
                           subtype="plain", filename="secret.txt")
    message.add_attachment(b"%PDF-1.4 binary", maintype="application", subtype="pdf",
                           filename="report.pdf")
    assert body_lines(message.as_bytes()) == [SUBJECT, *PARAGRAPHS]

    only = EmailMessage()
    only["Subject"] = SUBJECT
    only.add_attachment("添付のみ。".encode(), maintype="text", subtype="plain",
                        filename="a.txt")
    with pytest.raises(InputError, match=r"^no text in the mail \(attachments are not read\)$"):
        read_document("m.eml", only.as_bytes())


def test_a_legacy_mime_message_with_a_qp_shift_jis_body():
    message = MIMEText(BODY, "plain", "shift_jis")
    message["Subject"] = Header(SUBJECT, "shift_jis")
    message["Date"] = format_datetime(datetime(2025, 4, 1, 9, 30, tzinfo=JST))
    assert body_lines(message.as_bytes()) == [SUBJECT, *PARAGRAPHS]


@pytest.mark.parametrize("date", ["not a date", "Tue, 99 Foo 2025 99:99:99 +0900", ""])
def test_a_bad_or_missing_date_gives_no_date(date: str):
    reading = read_document("m.eml", make_mail(date=date).as_bytes())
    assert (reading.source.published, reading.source.published_from) == ("", "")
    assert reading.text.splitlines()[0] == SUBJECT


def test_a_mail_magazine_keeps_its_line_breaks_and_its_sentences_come_out_whole():
    def wrapped(paragraph: str) -> str:  # hand-wrapped at 30 characters, as magazines are
        return "\n".join(paragraph[i:i + 30] for i in range(0, len(paragraph), 30))

    body = ("━━━━━━━━━━━━━━━━━━━━\n物流だより 第12号\n━━━━━━━━━━━━━━━━━━━━\n\n"
            + "\n\n".join(wrapped(p) for p in PARAGRAPHS) + "\n")
    data = make_mail(body, charset="iso-2022-jp", cte="7bit").as_bytes()
    reading = read_document("m.eml", data)
    assert wrapped(PARAGRAPHS[0]) in reading.text  # the reader keeps the breaks as sent
    (analysis,) = analyze_text(reading.text, Glossary(), 3, reading.hard_wrapped)
    assert analysis.article.title == "貨物駅の積み替え時間が半分に"
    sentences = [s for p in PARAGRAPHS for s in re.findall(r"[^。]+。", p)]
    assert [s for s in analysis.sentences if s in sentences] == sentences


@pytest.mark.parametrize(("data", "reason"), [
    ("中央アジアの物流について。".encode(), "not a valid .eml file: no mail headers"),
    (b"\x00\x01\x02binary" * 50, "not a valid .eml file: no mail headers"),
    (b"Subject: x\n\n\x00\xff\xfe" * 300, "binary file"),
])
def test_what_is_not_a_mail_is_refused(data: bytes, reason: str):
    with pytest.raises(InputError) as caught:
        read_document("m.eml", data)
    assert str(caught.value).startswith(reason)


def test_damaged_mail_fails_only_with_input_errors():
    message = make_mail(charset="iso-2022-jp", cte="7bit")
    message.add_alternative(f"<p>{BODY}</p>", subtype="html", charset="utf-8", cte="base64")
    good = message.as_bytes()
    rng = random.Random(3)
    for _ in range(120):
        damaged = bytearray(good)
        for _ in range(rng.randrange(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        for data in (bytes(damaged), bytes(damaged[: rng.randrange(len(damaged))])):
            try:
                read_document("m.eml", data)
            except InputError as exc:
                assert "\n" not in str(exc)


def test_deeply_nested_multiparts_fail_with_a_reason():
    parts = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n'
                    for i in range(1200))
    data = f"Subject: {SUBJECT}\nMIME-Version: 1.0\n{parts}".encode()
    with pytest.raises(InputError, match=r"^not a valid \.eml file: MIME parts nested too "
                                         r"deeply$"):
        read_document("m.eml", data)
