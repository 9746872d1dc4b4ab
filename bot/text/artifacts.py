"""Recognise and repair the artifacts of PDF extraction and web copying. Pure.

Each rule names the artifact it undoes; they were found in real newsletters and reports:
page numbers, figure captions and source lines, footnote markers and bodies, glyphs the
extractor lost (a stray 「, a ・ shown as a space), spaces around numbers, header lines
whose glyphs came out as garbage, imprint blocks and author biographies.
"""

from __future__ import annotations

import re

from bot.text import wrap
from bot.text.chars import (
    FULLWIDTH,
    JAPANESE,
    KANJI,
    KATAKANA_LETTERS,
    LONG_VOWEL,
    URL_CHARS,
    is_japanese,
)

ARTICLE_BREAK = "\f"  # a line that ends one article and starts the next

_PAGE_NUMBER = re.compile(r"^[-–—\s]*\d{1,3}[-–—\s]*$|^(?:p\.|P\.)?\s*\d{1,3}\s*/\s*\d{1,3}$")
_CAPTION = re.compile(r"^(?:図|表|図表|写真|グラフ)\s*\d*[\s:.．：]|^(?:出所|出典|資料)\s*[:：]")
# The label's colon (or a phone label's number) is required: `編集部で検討を始めています。` and
# `電話での受付は…` are sentences.
_IMPRINT = re.compile(
    r"^(?:(?:発行所|発行者|発行日|編集|印刷|電話|TEL|FAX|E-?mail|Web\s?サイト)\s*[:：]|〒\s*\d"
    r"|(?:電話|TEL|FAX)\s*\.?\s*\(?\+?\d)",
    re.IGNORECASE,
)
_SOURCE_LINE = re.compile(r"^(?:参考|出典|ソース|Source)\s*[:：]\s*(https?://\S+)$", re.IGNORECASE)
# A name in brackets on a line of its own (（ジャーナリスト）), not a date of writing that closes
# a work (（大正七年四月十六日）): that is part of the text.
_BYLINE = re.compile(r"^[(（](?![^()（）]*年[^()（）]*月)[^()（）。、]{2,16}[)）]$")
_FOOTNOTE_BODY = re.compile(r"^(\d{1,2})(?=[「『“\"《]|\s*https?://)")
# A line led by a superscript number is a footnote body; the space after it is often lost
# in a PDF (the number is set apart by its rise, not a space). `²U…` is not one.
_SUPERSCRIPT_NOTE_BODY = re.compile(r"^[⁰¹²³⁴-⁹]+(?![⁰¹²³⁴-⁹A-Za-z])")
_SUPERSCRIPTS = re.compile(r"(?<=\S)[⁰¹²³⁴-⁹]+")
_URL_PIECE = re.compile(f"^[{URL_CHARS}]+$")
_PUNCTUATION_ONLY = re.compile(r"^[\W_]+$")
_BIO_START = re.compile(r"\([A-Z][a-z]+ [A-Z][A-Za-z]+\)$")
_BIO_FIELD = re.compile(r"^(?:現職|経歴|略歴|主な研究テーマ|専門|主要業績|著書)\s*[:：]")

# Characters that Japanese text is made of; a line mostly outside them is extractor garbage.
_NORMAL = re.compile(f"[{JAPANESE}\u0020-\u007e\u3000-\u303f{FULLWIDTH}・ー“”‘’…—–]")
# Emoji and symbols an author typed (arrows, shapes, dingbats, pictographs with their
# joiners, variation selectors and skin tones) are text too: an extractor that lost a font's
# glyph map gives letters of other scripts, private-use or unassigned code points instead.
_SYMBOL = re.compile("[\u200d\u20e3\u2190-\u2bff\ufe00-\ufe0f\U0001f000-\U0001faff"
                     "\U000e0020-\U000e007f]")


def strip_superscript_notes(text: str) -> str:
    """Drop footnote bodies led by a superscript number and the superscript markers."""
    lines = [line for line in text.split("\n") if not _SUPERSCRIPT_NOTE_BODY.match(line.strip())]
    return _SUPERSCRIPTS.sub("", "\n".join(lines))


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line))


_RUNNING_MAX = 60
_STRUCTURE = re.compile(r"^(?:References?|【|- |https?://|参考|出典)|^[\w.-]+\.[a-z]{2,}$", re.I)


def is_running_line(line: str) -> bool:
    """Could this line, seen on page after page, be a running header or footer?

    Short, not a sentence, and not a line that means something each time it comes back
    (a web-copy footer, a site name, a newsletter section label, a list item).
    """
    line = line.strip()
    return (0 < len(line) <= _RUNNING_MAX and "。" not in line and line != ARTICLE_BREAK
            and not _STRUCTURE.match(line))


def is_dropped_line(line: str) -> bool:
    """Captions, source-of-figure lines, imprint lines, bylines and bare punctuation."""
    return bool(_CAPTION.match(line) or _IMPRINT.match(line) or _BYLINE.match(line)
                or (_PUNCTUATION_ONLY.match(line) and not wrap.is_closing_only(line)))


def is_garbage(line: str) -> bool:
    """A header line whose glyphs the extractor could not map (mostly odd code points: letters
    of other scripts, private-use or unassigned ones; never emoji or symbols)."""
    chars = [c for c in line if not c.isspace()]
    if len(chars) < 4:
        return False
    odd = sum(1 for c in chars if not (_NORMAL.match(c) or _SYMBOL.match(c)))
    return odd / len(chars) >= 0.4


def source_url(line: str) -> str | None:
    """The URL of a `参考：URL` line that closes an article, else None."""
    match = _SOURCE_LINE.match(line)
    return match.group(1) if match else None


def footnote_number(line: str) -> str | None:
    """The number of a footnote body line (`1「…」`, `2 https://…`), else None."""
    match = _FOOTNOTE_BODY.match(line)
    return match.group(1) if match else None


def continues_url(previous: str, line: str) -> bool:
    """A URL the extractor wrapped: the previous line ends inside it, this line is the rest
    (a line that starts a URL of its own is another address, not the rest)."""
    return (bool(re.search(r"https?://\S*[-/_.=?&]$", previous)) and bool(_URL_PIECE.match(line))
            and not _URL_START.match(line))


_URL_START = re.compile(r"<?(?:https?|ftp)://")


def is_bare_url(line: str) -> bool:
    """A line that is only an address (web or FTP), as a mail sets it apart."""
    # ASCII only: a URL the wrap put first with the sentence going on after it is no address
    # line (`https://example.jp/a）で公開しています。`).
    return bool(_URL_START.match(line)) and bool(re.fullmatch(r"<?[a-z]+://[!-~]+>?", line))


def is_bio_start(line: str, following: list[str]) -> bool:
    """An author biography: `Name (Roman NAME)` followed by 現職：/経歴： fields."""
    return bool(_BIO_START.search(line)) and any(_BIO_FIELD.match(f) for f in following[:3])


def remove_footnote_markers(line: str, numbers: set[str]) -> str:
    """`…を公表した1。` → `…を公表した。`, only for numbers whose footnote body was seen."""
    if not numbers:
        return line
    marks = "|".join(sorted(numbers, key=len, reverse=True))
    pattern = f"(?<=[{JAPANESE}」』）)])({marks})(?=[。、])"
    return re.sub(pattern, "", line)


# Words that begin a sentence and never follow a number: a number glued before one, at a
# paragraph's start or after a sentence's end, is a footnote marker (`…発表した。2ただ、…`).
_OPENERS = ("ただ|しかし|また|なお|さらに|一方|これ|この|その|それ|そこ|だが|ところが|つまり"
            "|すなわち|例えば|たとえば|特に|とくに|加えて|ところで|したがって|従って|このため")
_GLUED_NOTE = re.compile(
    f"(?:^|(?<=[。」』]))\\d{{1,2}}(?=(?:{_OPENERS}))|(?<=[。」』])\\d{{1,2}}$")


def remove_glued_note_markers(line: str) -> str:
    """`…発表した。2ただ、…` → `…発表した。ただ、…`: a footnote number the layout put at a
    line's end or a paragraph's start, glued to the sentence after it."""
    return _GLUED_NOTE.sub("", line)


def repair_inline(line: str, lost_dots: bool) -> str:
    """Undo lost glyphs and stray spaces inside one logical line.

    `lost_dots`: the line is running text from a PDF extractor, which renders a ・ it lost
    as a space; only there, and only between two nouns, is the space taken for a ・.
    """
    line = _repair_stray_quotes(line)
    # A heading's number keeps its space (`1.3 入手するには?`): the author set it.
    number = _SECTION_NUMBER.match(line)
    head, line = (number.group(), line[number.end():]) if number else ("", line)
    # Spaces an extractor puts between a number and Japanese: `約 30億トン`, `第 26回`.
    line = _NUMBER_SPACE.sub("", line)
    if lost_dots:
        line = _LOST_DOT.sub("・", line)
    return head + line


_SECTION_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\.?[ \u3000]+")
_NUMBER_SPACE = re.compile(f"(?<=[{JAPANESE}])[ \u3000]+(?=\\d)|(?<=\\d)[ \u3000]+(?=[{JAPANESE}])")


# `欧州 中東`, `エネルギー トランジション`: kanji or katakana on both sides. An author's space
# after a particle (`政府は 新しい計画`) has kana on its left and is never a lost ・.
_NOUN_CHAR = KATAKANA_LETTERS + LONG_VOWEL + KANJI
_LOST_DOT = re.compile(f"(?<=[{_NOUN_CHAR}])[ \u3000]+(?=[{_NOUN_CHAR}])")


def _repair_stray_quotes(line: str) -> str:
    """A 「 that opens nothing stands for a lost glyph: a space between Latin words, else gone."""
    line = re.sub(r"(?<=[A-Za-z\u00c0-\u024f.])「\s*(?=[A-Za-z\u00c0-\u024f(])", " ", line)
    # `—「 一帯一路』`: the quote the extractor lost was 『, as its closing bracket shows.
    line = re.sub(r"「\s*(?=[^「」『』\n]{1,30}』)", "『", line)
    line = line.replace("「「", "「")
    return _drop_unmatched_openers(line)


def _drop_unmatched_openers(line: str) -> str:
    stack: list[int] = []
    unmatched: set[int] = set()
    for i, ch in enumerate(line):
        if ch == "「":
            stack.append(i)
        elif ch == "」" and stack:
            stack.pop()
    unmatched.update(stack)
    if not unmatched:
        return line
    out = []
    for i, ch in enumerate(line):
        if i in unmatched:
            # `中国「 欧州`: the lost glyph was a separator; keep one, as ・ between Japanese.
            before, after = line[i - 1 : i], line[i + 1 : i + 2]
            if after == " " and is_japanese(before):
                out.append("・")
            continue
        out.append(ch)
    return re.sub("・ +", "・", "".join(out))


def squeeze_title(line: str) -> str:
    """Titles set in a PDF come out with spaces between words: `中央アジアの 新たな 地政学`."""
    return re.sub(f"(?<=[{JAPANESE}])[ \u3000]+(?=[{JAPANESE}])", "", line).strip()
