"""Japanese character classes and the marks that start a line of a kind: one definition for
every text rule (bot.text, bot.sources). Pure.

Classes are strings to put inside `[…]` in a pattern (`f"[{KANJI}]+"`); sets of single
characters are plain strings too (`line[:1] in NO_LINE_START`). What is counted as what:

- KANA is the two kana blocks whole (U+3041–U+30FF): the letters, small kana, the voicing
  marks, the iteration marks ゝゞヽヾ, the long-vowel mark ー and the middle dot ・. All of
  them stand only inside Japanese text, so they count toward a line's share of Japanese.
- KANJI is the unified ideographs with extension A and the compatibility ideographs (which
  NFKC folds into the unified ones), and the marks written in a kanji's place: 々 (repeats
  the kanji before it: 人々), 〆 (締め) and ヵ ヶ (the counter 箇: 3ヵ月, 霞ヶ関). ヵ ヶ are
  katakana code points, so they are in KANA too; a kanji run takes them in.
- KATAKANA_LETTERS leaves out ー and ・: a katakana word is letters and its long vowels
  (`KATAKANA_LETTERS + LONG_VOWEL`), and ・ is what stands between two such words.
"""

from __future__ import annotations

import re

HIRAGANA = "\u3041-\u309f"
KATAKANA_LETTERS = "\u30a1-\u30fa"  # ァ … ヺ: no ・, no ー
LONG_VOWEL = "ー"
KANA = "\u3041-\u30ff"  # hiragana and katakana blocks, ー and ・ included
KANJI_MARKS = "々〆ヵヶ"
KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff" + KANJI_MARKS
JAPANESE = KANA + KANJI
# Full-width ASCII forms (！ to ～) and the full-width brackets ｟ ｠: NFKC makes them ASCII.
FULLWIDTH = "\uff01-\uff60"

_JAPANESE_CHAR = re.compile(f"[{JAPANESE}]")


def is_japanese(char: str) -> bool:
    """A kana or a kanji (the classes above)."""
    return bool(_JAPANESE_CHAR.match(char))


def has_japanese(text: str) -> bool:
    return bool(_JAPANESE_CHAR.search(text))


def japanese_count(text: str) -> int:
    """How many kana and kanji `text` holds."""
    return len(_JAPANESE_CHAR.findall(text))


def set_tight(char: str) -> bool:
    """Is `char` set without spaces around it in East Asian type: CJK punctuation, kana,
    kanji, and the compatibility, half-width and full-width forms (U+3000–U+9FFF,
    U+F900–U+FFEF)? A gap between two of them on a page is layout, not a space."""
    return "\u3000" <= char <= "\u9fff" or "\uf900" <= char <= "\uffef"


# --- punctuation -------------------------------------------------------------------------
SENTENCE_ENDS = "。！？!?"  # a sentence's end in Japanese text (never `.`: decimals, versions)
OPENING_BRACKETS = "(（[「『【〔〈《"
CLOSING_BRACKETS = ")）]」』】〕〉》"
OPENING_QUOTES = "“‘"
CLOSING_QUOTES = "”’"
# What may follow a sentence's end and still belong to the sentence (`…だ。」`, `本当か!?)`):
# the brackets a quote or an aside closes with, and quotes. 〉》 close a title, not a quote.
CLOSERS = "」』）)]】〕\"”’"
SMALL_KANA = "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
ITERATION_MARKS = "々ゝゞヽヾ"
PROLONGED = "ー～〜"
# The line-start rule (行頭禁則) as both the wrap and the sentence splitter apply it: no line
# and no sentence starts with a comma or full stop, a small kana, a long vowel or an
# iteration mark. The wrap adds terminals and closing brackets (a sentence's end has taken
# them already); the splitter adds `.` and `・`.
NO_LINE_START = "、。，．," + PROLONGED + ITERATION_MARKS + SMALL_KANA
# The line-end rule (行末禁則): no line ends with a comma or an opening bracket or quote.
NO_LINE_END = "、，," + OPENING_BRACKETS + OPENING_QUOTES

# --- line kinds ----------------------------------------------------------------------------
# The marks a list item or a marked head starts with, one set for the wrap, the PDF layout,
# the article splitter and the prose judge; each rule takes the groups it tells apart.
BULLETS = "・•◦‣●○▪▫▶►▸➢✓✔☆★◎◯→＊"  # a list item's mark
BOX_MARKS = "■□◆◇"  # a heading's mark, or a list item's
POINTERS = "▼▽▲△"  # a head's mark, or a photo caption's
NOTE_MARK = "※"
ITEM_MARKS = BULLETS + BOX_MARKS + POINTERS + NOTE_MARK
# A dash, an asterisk or a plus and a space: a list item as Markdown and plain text write it.
ASCII_BULLET = r"[-*+]\s"
CIRCLED_NUMBERS = "\u2460-\u2473"  # ① … ⑳ (bot.text.clean turns them into (1) … (20))
NUMBER_IN_PARENS = r"[(（]\d{1,2}[)）]"  # (1), （１）

# --- Latin words at a wrap -----------------------------------------------------------------
# A line that ends on a Latin word (or its punctuation) and a line that starts with one are
# two words: a wrap between them stands for a space. Japanese needs none.
LATIN_WORD_END = re.compile(r"[A-Za-z0-9,.;:!?)\]>%\"'’”]$")
LATIN_WORD_START = re.compile(r"^[A-Za-z0-9(\[\"'‘“/<$~-]")
# What a URL is written with, as far as a wrap inside one goes on without a space.
URL_CHARS = r"\w\-./%?=&#~:+"


def latin_words_meet(left: str, right: str) -> bool:
    """Does a wrap between `left` and `right` fall between two words in Latin script?"""
    return bool(LATIN_WORD_END.search(left)) and bool(LATIN_WORD_START.match(right))
