"""Bad input files, generated (nothing binary is committed), one builder per class.

Each builder writes its file(s) into the case's own folder and says what must happen:
`read` (valid text: it must be published), `skip` (it must be listed by `status` with its
name, and none of its text published) or `either` (a defensible choice either way, but never
a broken output). `probe` is a piece of the file's text that shows in the feed when it is read.
"""

from __future__ import annotations

import codecs
import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.reliability.helpers import good_doc
from tests.support.make_pdf import make_japanese_pdf, wrap_japanese


@dataclass(frozen=True)
class Expect:
    kind: str  # "read", "skip" or "either"
    listed_as: str = ""  # regex: how `status` names the file when it is skipped
    probe: str = ""  # text that shows in the feed when (and only when) the file was read
    also: tuple[str, ...] = ()  # more such text: all of it must show
    forbidden: tuple[str, ...] = ()  # text that must appear in no output and not in the state


Builder = Callable[[Path, int], Expect]


def _read(probe: str) -> Expect:
    return Expect("read", probe=probe)


def _named(case: Path, name: str) -> str:
    import re

    return re.escape(f"{case.name}/{name}")


# encodings ---------------------------------------------------------------------------------

def encoded(codec: str, bom: bytes = b"", name: str = "doc.txt") -> Builder:
    def build(case: Path, n: int) -> Expect:
        doc = good_doc(n)
        (case / name).write_bytes(bom + doc.text.encode(codec))
        return _read(doc.title)
    return build


def cp932_symbols(case: Path, n: int) -> Expect:
    doc = good_doc(n)
    title = f"㈱髙{doc.title}①"
    text = doc.text.replace(doc.title, title, 1).replace("。", "（①）。", 1)
    (case / "sjis.txt").write_bytes(text.encode("cp932"))
    return _read(f"髙{doc.title}")  # ① and ㈱ may be shown as (1) and (株)


def line_endings(ending: str) -> Builder:
    def build(case: Path, n: int) -> Expect:
        doc = good_doc(n)
        (case / "endings.txt").write_bytes(doc.text.replace("\n", ending).encode())
        return _read(doc.title)
    return build


def html_meta_charset(case: Path, n: int) -> Expect:
    doc = good_doc(n)
    title, *body = doc.text.splitlines()
    page = ('<html><head><meta charset="Shift_JIS"><title>x</title></head><body>'
            f"<h1>{title}</h1>" + "".join(f"<p>{line}</p>" for line in body)
            + "</body></html>")
    (case / "page.html").write_bytes(page.encode("shift_jis"))
    return _read(title)


# PDFs and binaries -------------------------------------------------------------------------

def _pdf(n: int, **options: object) -> tuple[str, bytes]:
    doc = good_doc(n)
    title, *body = doc.text.splitlines()
    lines = [title, *wrap_japanese("".join(body))]
    return title, make_japanese_pdf(None, [lines], **options)  # type: ignore[arg-type]


def pdf_truncated(case: Path, n: int) -> Expect:
    title, data = _pdf(n)
    (case / "cut.pdf").write_bytes(data[: len(data) // 2])
    return Expect("skip", _named(case, "cut.pdf"), title)


def pdf_encrypted(case: Path, n: int) -> Expect:
    title, data = _pdf(n, user_password="secret")
    (case / "locked.pdf").write_bytes(data)
    return Expect("skip", _named(case, "locked.pdf"), title)


def pdf_owner_password_only(case: Path, n: int) -> Expect:
    title, data = _pdf(n, owner_password="owner")  # opens with the empty password
    (case / "owner.pdf").write_bytes(data)
    return _read(title)


def pdf_textless(case: Path, n: int) -> Expect:
    _title, data = _pdf(n, image_only_pages={0})
    (case / "scan.pdf").write_bytes(data)
    return Expect("skip", _named(case, "scan.pdf"))


def raw_bytes(name: str, data: bytes) -> Builder:
    def build(case: Path, n: int) -> Expect:
        # Bytes of its own per case: the same bytes under two names are one document.
        (case / name).write_bytes(data + n.to_bytes(4, "big"))
        return Expect("skip", _named(case, name))
    return build


def png_bytes() -> bytes:
    return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02"
            + bytes(range(256)) * 4)


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inside.txt", good_doc(9999).text)
    return buffer.getvalue()


def elf_bytes() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(range(256)) * 8


def sparse_200mb(case: Path, n: int) -> Expect:
    with (case / "huge.txt").open("wb") as fh:  # a hole: no disk blocks are used
        fh.truncate(200 * 1024 * 1024)
    return Expect("skip", _named(case, "huge.txt"))


def text_file(name: str, text: str) -> Builder:
    def build(case: Path, n: int) -> Expect:
        (case / name).write_text(text, encoding="utf-8")
        return Expect("skip", _named(case, name))
    return build


# control characters and broken UTF-8 -------------------------------------------------------

def with_inserted(name: str, insert: bytes) -> Builder:
    """A valid UTF-8 document with `insert` put into its title and its first sentence."""
    def build(case: Path, n: int) -> Expect:
        doc = good_doc(n)
        title, first, *rest = doc.text.splitlines()
        middle = len(title) // 2
        data = (title[:middle].encode() + insert + title[middle:].encode() + b"\n"
                + first[:5].encode() + insert + first[5:].encode() + b"\n"
                + "\n".join(rest).encode() + b"\n")
        (case / name).write_bytes(data)
        # Both halves, not the whole: what replaces the character (nothing, a space, U+FFFD,
        # the rest of an escape sequence) may stay between them.
        return Expect("either", _named(case, name), title[:middle], (title[middle:],))
    return build


# markup -------------------------------------------------------------------------------------

MARKUP = '<b>速</b></a>&amp;<script>x</script><tg-spoiler>'


def markup_in_title(case: Path, n: int) -> Expect:
    doc = good_doc(n)
    (case / "markup_title.txt").write_text(doc.text.replace(doc.title, f"{doc.title}{MARKUP}", 1),
                                           encoding="utf-8")
    return _read(doc.title)


def markup_in_text(case: Path, n: int) -> Expect:
    doc = good_doc(n)
    title, first, *rest = doc.text.splitlines()
    hostile = (f"{first[:8]}<a href=\"javascript:alert(1)\">リンク</a>&lt;i&gt;{first[8:]}"
               "<pre><code>AT&T &#x1F600; &nbsp;</code></pre> <blockquote>引用</blockquote>")
    (case / "markup_text.txt").write_text("\n".join([title, hostile, *rest]), encoding="utf-8")
    return _read(title)


def html_with_script(case: Path, n: int) -> Expect:
    doc = good_doc(n)
    title, *body = doc.text.splitlines()
    page = (f"<html><head><title>{title}</title><script>alert('injected')</script>"
            "<style>p{color:red}</style></head><body>"
            f"<h1>{title}</h1>" + "".join(f"<p>{line}&amp;<b>強調</b></p>" for line in body)
            + "<script>document.write('injected')</script></body></html>")
    (case / "script.html").write_text(page, encoding="utf-8")
    return Expect("read", probe=title, forbidden=("injected",))


def markdown_markup(case: Path, n: int) -> Expect:
    doc = good_doc(n)
    title, first, *rest = doc.text.splitlines()
    text = (f"# {title}\n\n**{first}** <b>太字</b> `<i>` [リンク](http://example.com/<script>)\n\n"
            + "\n\n".join(rest) + "\n\n<script>alert('injected')</script>\n")
    (case / "markup.md").write_text(text, encoding="utf-8")
    return _read(title)  # raw HTML in Markdown may show as text, never as an element


# file names ---------------------------------------------------------------------------------

def named(raw_name: bytes) -> Builder:
    """A good document under a file name given as raw bytes (any name the system allows)."""
    def build(case: Path, n: int) -> Expect:
        doc = good_doc(n)
        fd = os.open(os.fsencode(case) + b"/" + raw_name, os.O_WRONLY | os.O_CREAT, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(doc.text.encode())
        return _read(doc.title)
    return build


# tree shapes ---------------------------------------------------------------------------------

def directory_named_txt(case: Path, n: int) -> Expect:
    (case / "x.txt").mkdir()
    return Expect("skip", _named(case, "x.txt"))


def symlink_out(case: Path, n: int) -> Expect:
    outside = case.parents[1] / f"outside_{n}.txt"  # beside the watched folder, not in it
    doc = good_doc(n)
    outside.write_text(doc.text, encoding="utf-8")
    (case / "link.txt").symlink_to(outside)
    return Expect("skip", _named(case, "link.txt"), doc.title, forbidden=(doc.title,))


def dangling_symlink(case: Path, n: int) -> Expect:
    (case / "dangling.txt").symlink_to(case / "missing.txt")
    return Expect("skip", _named(case, "dangling.txt"))


def symlink_loop(case: Path, n: int) -> Expect:
    (case / "loop_a.txt").symlink_to("loop_b.txt")
    (case / "loop_b.txt").symlink_to("loop_a.txt")
    return Expect("skip", _named(case, "loop_a.txt"))


def directory_loop(case: Path, n: int) -> Expect:
    (case / "up").symlink_to("..")
    return Expect("skip", _named(case, "up"))


def fifo(case: Path, n: int) -> Expect:
    os.mkfifo(case / "pipe.txt")
    return Expect("skip", _named(case, "pipe.txt"))


def unreadable_file(case: Path, n: int) -> Expect:
    doc = good_doc(n)
    path = case / "secret.txt"
    path.write_text(doc.text, encoding="utf-8")
    path.chmod(0)
    return Expect("skip", _named(case, "secret.txt"), doc.title)


def unreadable_folder(case: Path, n: int) -> Expect:
    doc = good_doc(n)
    folder = case / "locked"
    folder.mkdir()
    (folder / "inside.txt").write_text(doc.text, encoding="utf-8")
    folder.chmod(0)
    return Expect("skip", _named(case, "locked"), doc.title)


def deep_nesting(depth: int) -> Builder:
    def build(case: Path, n: int) -> Expect:
        doc = good_doc(n)
        deepest = str(case / "deep")
        os.mkdir(deepest)
        for _ in range(depth):  # os.makedirs recurses once per level: too deep for it
            deepest = os.path.join(deepest, "d")
            os.mkdir(deepest)
        with open(os.path.join(deepest, "bottom.txt"), "w", encoding="utf-8") as fh:
            fh.write(doc.text)
        return Expect("either", _named(case, "deep"), doc.title)
    return build


def long_line(size: int, one_sentence: bool = False) -> Builder:
    """One line of `size` bytes: sentences of several documents run together; with
    `one_sentence`, no full stop at all and glossary terms all along (the worst case for
    masking terms and for a model given the whole line as one sentence)."""
    name = "one_sentence.txt" if one_sentence else "longline.txt"

    def build(case: Path, n: int) -> Expect:
        sentences: list[str] = []
        length, k = 0, 0
        while length < size:
            for line in good_doc(n * 1000 + k).text.splitlines()[1:]:
                if one_sentence:
                    line = "ホルゴスを通る中欧班列と" + line.replace("。", "、")
                sentences.append(line)
                length += len(line.encode())
            k += 1
        (case / name).write_text("".join(sentences), encoding="utf-8")
        return Expect("either", _named(case, name), sentences[0][:12])
    return build


BOMS = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE, "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE}
