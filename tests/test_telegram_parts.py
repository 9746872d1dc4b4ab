"""What a subscriber sees of a digest in Telegram: numbered parts under a short header that
links to the archive, articles cut across messages marked as continued, Telegram's limit
counted as Telegram counts it, and the editors' checks kept for editors."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import load_config
from bot.core.errors import ConfigError
from bot.core.model import Digest, Entry, Pair
from bot.publish.render import render_telegram
from bot.publish.render_telegram import clip_units, telegram_length, units
from tests.support.site import NOW, SITE, news_entry, report_entry
from tests.support.telegram_html import telegram_html_problems

HEADER = re.compile(r"<b>Kakehashi digest #7</b> · (\d+)/(\d+) · 2026-11-26 09:00 UTC · "
                    r"(\d+) articles")
CONTINUED_AT_CUT = "<i>(continued in the next message)</i>"


def many(count: int) -> tuple[Entry, ...]:
    return tuple(replace(news_entry(), guid=f"kakehashi-{n:024x}") for n in range(count))


def long_entry(pairs: int, ja: str = "長い文です。" * 40, en: str = "A long sentence. " * 30
               ) -> Entry:
    return replace(report_entry(), guid="kakehashi-long", warnings=(),
                   pairs=tuple(Pair(f"{n}:{ja}", f"{n}:{en}") for n in range(pairs)))


def test_every_part_is_numbered_under_a_header_linking_the_archive():
    messages = render_telegram(Digest(7, NOW, many(20)), site=SITE)
    assert len(messages) >= 3
    for number, message in enumerate(messages, start=1):
        found = HEADER.match(message)
        assert found, message[:200]
        assert found.groups() == (str(number), str(len(messages)), "20")
        head = message.split("\n\n", 1)[0]
        for target in ("digests/7.html", "index.html", "feed.xml"):
            assert f'<a href="{SITE}{target}">' in head
        assert telegram_html_problems(message) == []
    # Every article is in exactly one part, in the digest's order.
    titles = [m.count("Freight trains from Xi&#39;an") for m in messages]
    assert sum(titles) == 20 and all(titles)


def test_a_local_site_gives_a_header_without_links():
    (message,) = render_telegram(Digest(7, NOW, many(1)), site="")
    assert message.split("\n\n", 1)[0] == (
        "<b>Kakehashi digest #7</b> · 1/1 · 2026-11-26 09:00 UTC · 1 article")


def test_a_cut_article_says_so_at_the_cut_and_where_it_goes_on():
    messages = render_telegram(Digest(7, NOW, (news_entry(), long_entry(12))), site=SITE)
    cut = [n for n, m in enumerate(messages) if m.endswith(CONTINUED_AT_CUT)]
    assert cut, "the long article was not cut"
    for n in cut:
        body = messages[n + 1].split("\n\n", 1)[1]  # after the header
        assert body.startswith("<i>(continued)</i> <b>Critical minerals and transport routes")
    # Every sentence arrives once, in order, whatever the cuts.
    sent = [int(s) for m in messages for s in re.findall(r"• (\d+):", m)]
    assert sent == list(range(12))
    assert not messages[-1].endswith(CONTINUED_AT_CUT)
    assert all(telegram_html_problems(m) == [] for m in messages)


def test_the_limit_counts_utf16_units_after_parsing():
    # 4,000 code points but 6,000 UTF-16 units: what Telegram would refuse as too long.
    wide = "𠮷𩸽" * 1000 + "あ" * 2000
    assert telegram_html_problems(f"<b>{wide}</b>") != []
    assert telegram_length("<a href='https://example.org/'>a &amp; 𠮷</a>") == 6
    assert units(clip_units("𩸽" * 10, 7)) <= 7 and clip_units("ab", 2) == "ab"
    entry = long_entry(6, ja="𠮷野家の𩸽定食。" * 60, en="Fish 🐟 " * 120)
    messages = render_telegram(Digest(7, NOW, (entry,)), site=SITE)
    assert len(messages) > 1
    for message in messages:
        assert telegram_length(message) <= 4096
        assert telegram_html_problems(message) == []


def test_a_sentence_full_of_emoji_is_sent_whole():
    emoji = "🎉" * 30
    pair = Pair(f"住民は喜んだ{emoji}。", f"Residents cheered {emoji}.")
    entry = replace(news_entry(), pairs=(pair,))
    (message,) = render_telegram(Digest(7, NOW, (entry,)))
    assert f"住民は喜んだ{emoji}。" in message and f"Residents cheered {emoji}." in message
    assert telegram_html_problems(message) == []


def test_editors_checks_reach_subscribers_only_when_the_config_says_so():
    digest = Digest(7, NOW, (report_entry(),))
    hidden = "\n".join(render_telegram(digest, site=SITE))
    assert "⚠" not in hidden and "missing in translation" not in hidden
    shown = "\n".join(render_telegram(digest, site=SITE, show_checks=True))
    assert "⚠ 2 checks to review: number 3.5万 (35,000) missing in translation" in shown


@pytest.mark.parametrize(("text", "expected"), [
    ("", False), ("[digest]\nshow_checks = true\n", True),
    ("[digest]\nshow_checks = false\n", False)])
def test_show_checks_is_read_from_the_config(tmp_path: Path, text: str, expected: bool):
    path = tmp_path / "k.toml"
    path.write_text(text)
    assert load_config(path, {}).digest.show_checks is expected


@pytest.mark.parametrize("value", ['"yes"', "1", "[]"])
def test_show_checks_must_be_true_or_false(tmp_path: Path, value: str):
    path = tmp_path / "k.toml"
    path.write_text(f"[digest]\nshow_checks = {value}\n")
    with pytest.raises(ConfigError, match=r"digest\.show_checks must be bool"):
        load_config(path, {})
