"""Plain-text layout a mailed document draws by hand: addresses on lines of their own, cut
lines, a title set apart below the cut, a colophon, box tables and diagrams; and emoji, which
are text, not an extractor's garbage."""

from __future__ import annotations

from bot.glossary import Glossary
from bot.pipeline import analyze_text
from bot.text.artifacts import is_garbage


# Emoji are text.

def test_a_sentence_full_of_emoji_is_kept():
    sentence = "今日は町のお祭りです" + "🎉" * 30 + "。"
    assert not is_garbage(sentence)
    assert not is_garbage("応援しています👍🏽❤️‍🔥✨" * 3)
    analysis = analyze_text(f"{sentence}\n皆さんお越しください。\n", Glossary(), 3)
    assert sentence in [s for a in analysis for s in a.sentences]


def test_glyphs_of_other_scripts_and_private_use_are_still_garbage():
    assert is_garbage("˲ЦЕЗЭ˳˲ ḕἷὊↄ˳ϵЀῬỘ ФкЅϴϼЕ")
    assert is_garbage("\ue000\ue013\ue021\ue044 \ue051\ue0a0")
    assert is_garbage("Ã¤Â¸Â­Ã¦â€“â€¡")  # UTF-8 read as Latin-1
