"""Builders and judges shared by the fault suite: good Japanese documents and checks (the
processes are run, watched and killed by tests/support/processes.py).

Good documents are generated from a case number, so every case has its own unique title and
sentences (no two good files, and no two articles, share text; deduplication must not merge them).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.publish.preview import preview_body
from tests.reliability.conftest import TOKEN
from tests.support.processes import (  # noqa: F401  (re-exported: the suite's imports)
    Drained,
    Paths,
    completed,
    drain,
    drop_file,
    kill,
    run,
    start,
    status,
    wait_for_line,
    write_config,
)
from tests.support.telegram_html import telegram_html_problems

_DIGITS = "〇一二三四五六七八九"
_PLACES = ("横浜港", "名古屋港", "神戸港", "博多港", "新潟港", "苫小牧港", "堺泉北港", "北九州港",
           "仙台塩釜港", "清水港", "四日市港", "那覇港")
_GENRES = (
    # news
    ("{place}の第{n}期物流計画、取扱量が過去最多に",
     ["{place}では第{n}期の計画に基づき、コンテナの取扱量が前年より{p}％増えました。",
      "港湾局によりますと、岸壁の延長工事が{n}月までに完了する見通しです。",
      "関係者は「第{n}期の成果を次の計画に生かしたい」と話しています。"]),
    # report
    ("第{n}号報告書：{place}周辺の倉庫需要について",
     ["本報告書は{place}周辺における倉庫の需要を第{n}回目の調査として整理したものである。",
      "調査の結果、冷蔵倉庫の稼働率は{p}％に達し、新設の計画が相次いでいる。",
      "今後は人手不足への対応が第{n}次計画の課題となる。"]),
    # memo
    ("{place}視察メモ（第{n}回）",
     ["{n}日午前、{place}の新しい荷役設備を視察した。",
      "自動化された門型クレーンにより、一時間あたりの処理量は約{p}％向上したという。",
      "次回の第{n}回会合までに、費用の見積もりを確認する必要がある。"]),
)


def kanji_number(n: int) -> str:
    """n written with kanji digits (一二〇), so titles differ in more than ASCII."""
    return "".join(_DIGITS[int(d)] for d in str(n))


@dataclass(frozen=True)
class GoodDoc:
    """A unique, valid Japanese document: its title is what the feed must show."""

    number: int
    title: str
    text: str


def good_doc(number: int) -> GoodDoc:
    """A short Japanese article of one of several genres, unique to `number`."""
    title_t, body_t = _GENRES[number % len(_GENRES)]
    values = {"place": _PLACES[number % len(_PLACES)], "n": kanji_number(number),
              "p": str(10 + number % 80)}
    title = title_t.format(**values)
    body = [line.format(**values) for line in body_t]
    return GoodDoc(number, title, "\n".join([title, *body]) + "\n")


def write_good(folder: Path, number: int, name: str | None = None) -> GoodDoc:
    """Write good document `number` as UTF-8 into `folder` (created if needed)."""
    doc = good_doc(number)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / (name or f"good_{number:04d}.txt")).write_text(doc.text, encoding="utf-8")
    return doc


SECRET = TOKEN.split(":", 1)[1]  # what matters, however the URL around it is encoded


# judges ------------------------------------------------------------------------------------

def feed_titles(out: Path) -> list[str]:
    """The Japanese titles in OUT/feed.xml, after checking it as lxml and feedparser read it."""
    import feedparser
    from lxml import etree

    data = (out / "feed.xml").read_bytes()
    etree.fromstring(data)  # raises on any XML error
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, f"feedparser: {parsed.get('bozo_exception')}"
    return [str(e.title).rsplit(" / ", 1)[-1] for e in parsed.entries]


def feed_text(out: Path) -> str:
    return (out / "feed.xml").read_text(encoding="utf-8")


def preview_messages(out: Path) -> list[str]:
    folder = out / "telegram"
    if not folder.is_dir():
        return []
    return [preview_body(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.html"))]


def html_problems(messages: Iterable[str]) -> list[str]:
    """Telegram's objections to any of `messages`, each prefixed with its message."""
    return [f"{message[:60]!r}: {problem}" for message in messages
            for problem in telegram_html_problems(message.rstrip("\n"))]


def integrity(state: Path) -> str:
    conn = sqlite3.connect(state)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def our_temp_files(out: Path) -> list[Path]:
    """Temp files our atomic writes use (`.NAME.XXXX.tmp`), anywhere under OUT."""
    return [p for p in out.rglob(".*.tmp")] if out.is_dir() else []


def all_files(root: Path) -> Iterator[Path]:
    """Every regular file under `root`, without recursion (trees here can be 1,200 deep)."""
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif entry.is_file(follow_symlinks=False):
                yield Path(entry.path)


def remove_tree(root: Path) -> None:
    """Delete `root` bottom-up without recursion (shutil.rmtree recurses once per level),
    making unreadable folders readable first."""
    if not root.exists():
        return
    order: list[str] = []
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        os.chmod(folder, 0o755)
        order.append(folder)
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            else:
                os.unlink(entry.path)
    for folder in reversed(order):
        os.rmdir(folder)


def normalized(text: str) -> str:
    """Text compared the way a reader sees it: NFKC, without spaces, controls or U+FFFD."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if not ch.isspace() and ch != "\ufffd"
                   and unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Cn"))


def feed_corpus(out: Path) -> str:
    """Every entry's title and text in OUT/feed.xml (checked as XML and RSS), normalized."""
    import feedparser
    from lxml import etree, html

    data = (out / "feed.xml").read_bytes()
    etree.fromstring(data)
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, f"feedparser: {parsed.get('bozo_exception')}"
    parts = []
    for entry in parsed.entries:
        description = str(entry.get("description", ""))
        body = html.fromstring(f"<div>{description}</div>")
        assert not body.xpath("//script"), "a <script> element reached the feed's HTML"
        parts += [str(entry.get("title", "")), body.text_content()]
    return normalized("\n".join(parts))


def check_no_token(tmp_path: Path, *outputs: str) -> None:
    """The token's secret is in none of `outputs` and in no file under `tmp_path`."""
    for text in outputs:
        assert SECRET not in text, f"the token is in the output: {text[-600:]}"
    for path in all_files(tmp_path):
        assert SECRET.encode() not in path.read_bytes(), f"the token is in {path}"
