"""Text that real pages carry in unusual forms: characters drawn as images, dates of writing."""

from __future__ import annotations

import pytest

from bot.sources.html_tree import gaiji
from bot.sources.readers import read_text
from bot.text.clean import clean_text


@pytest.mark.parametrize(("alt", "char"), [
    ("※(「特のへん＋廴＋聿」、第3水準1-87-71)", "犍"),   # JIS X 0213 plane 1
    ("※(「てへん＋劣」、第4水準2-13-28)", "揷"),          # plane 2, behind SS3
    ("※(「口＋世」、U+546D、12-3)", "呭"),               # by code point
    ("写真", ""), ("※(「…」、第3水準1-99-1)", ""), ("※(「…」、U+D800)", ""), ("", ""),
])
def test_an_image_standing_for_a_character_is_that_character(alt: str, char: str):
    assert gaiji(alt) == char


def test_the_character_joins_the_sentence_it_belongs_to():
    page = ('<html><body><div class="main_text"><h1>物語</h1><p>ある日、<img class="gaiji" '
            'src="1-87-71.png" alt="※(「特のへん＋廴＋聿」、第3水準1-87-71)">陀多という男が'
            'いた。男は地獄の底にいた。<img src="photo.jpg" alt="挿絵"></p></div></body></html>')
    text = read_text("a.html", page.encode())
    assert "ある日、犍陀多という男がいた。男は地獄の底にいた。" in text


def test_a_date_of_writing_in_brackets_is_kept_a_byline_is_not():
    lines = clean_text("物語\n男は地獄の底にいた。\n（大正七年四月十六日）\n（ジャーナリスト）\n")
    assert lines == ["物語", "男は地獄の底にいた。", "(大正七年四月十六日)"]
