"""The sentence splitter's written rules, one case each, and hostile input."""

from __future__ import annotations

import pytest

from bot.text.sentences import split_sentences


@pytest.mark.parametrize(
    ("paragraph", "sentences"),
    [
        # Rule 3: an exclamation mark inside a name.
        ("Yahoo!路線情報で調べた。次の文。", ["Yahoo!路線情報で調べた。", "次の文。"]),
        # Rule 4: a particle after the mark ties it to the clause.
        ("番組こたえてちょーだい!に18日出演した。次の文。",
         ["番組こたえてちょーだい!に18日出演した。", "次の文。"]),
        ("え?って言われた。", ["え?って言われた。"]),
        # ...unless the kana opens a word that starts sentences.
        ("すごい!とても良い。", ["すごい!", "とても良い。"]),
        ("本当?では始めよう。", ["本当?", "では始めよう。"]),
        # Rule 2: URLs and mail addresses.
        ("https://example.com/a?id=1を参照。次へ。",
         ["https://example.com/a?id=1を参照。", "次へ。"]),
        ("宛先はa!b@example.jpです。", ["宛先はa!b@example.jpです。"]),
        # Runs of terminals and closing brackets stay with their sentence.
        ("本当か!?それは驚きだ。", ["本当か!?", "それは驚きだ。"]),
        ("彼は言った。「行こう!」それから歩いた。",
         ["彼は言った。", "「行こう!」それから歩いた。"]),
        ("(注記です。)次の文。", ["(注記です。)次の文。"]),
        ("定員です!!お早めに。", ["定員です!!", "お早めに。"]),
        # Rule 1: quotes protect their full stops.
        ("彼は「今日は晴れ。明日は雨！」と言った。", ["彼は「今日は晴れ。明日は雨！」と言った。"]),
        # A full stop is always a boundary, whatever follows.
        ("終わった。に続く。", ["終わった。", "に続く。"]),
        # `.` never is.
        ("バージョン2.5.1を使う。Ver. 3 も。", ["バージョン2.5.1を使う。", "Ver. 3 も。"]),
    ],
)
def test_rules(paragraph: str, sentences: list[str]):
    assert split_sentences(paragraph) == sentences


def test_unmatched_brackets_in_bulk_do_not_protect_or_hang():
    # 200,000 unmatched brackets: every closer would scan every opener if the look-back
    # were not bounded (quadratic); and none of them may protect a sentence end.
    text = "(" * 100_000 + "」" * 100_000 + "。次の文。"
    assert split_sentences(text)[-1] == "次の文。"
    assert len(split_sentences("「長い引用。" + "あ" * 300 + "」終わり。")) == 2
