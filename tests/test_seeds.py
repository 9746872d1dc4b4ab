"""The five real sample documents come out as the right articles, with clean sentences."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.cli.app import inspect_file
from bot.config import Config

TITLES = {
    "000": ["中国と中央アジア、技術革新で深まる協力 一帯一路の10年と次のステージ"],
    "001": ["第2回中国・中央アジアサミット 鉄道とエネルギーで深まる地域協力"],
    "002": ["過去10年間、中国は一帯一路構想(BRI)を通じて世界中に地歩を固めてきた"],
    "003": [
        "10年の節目を越えた中国の「一帯一路」",
        "2024年11月6日、中国国家生態環境部(環境省に相当)が定例記者会見を開き…",
        "ベトナム天然資源環境省(MNRE)は…",
        "ベトナム計画投資省(MPI)、在ベトナム・スイス大使館…",
    ],
    "004": ["中央アジアの新たな地政学ダイナミズム：重要鉱物と日米協力の可能性"],
}

# What must never survive cleaning, each with the artifact it would be.
LEFTOVERS = {
    "doubled or stray quote": re.compile(r"「「|「\s|「$"),
    "URL in the text": re.compile(r"https?://"),
    "web footer": re.compile(r"Reference\(s\)|cgtn\.com"),
    "figure caption or source line": re.compile(r"^(図|出所|参考)"),
    "footnote marker": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff」]\d。"),
    "space before a number": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff] \d"),
    "garbage glyphs": re.compile(r"[\u02b0-\u02ff\u0370-\u03ff\u0400-\u04ff\u1e00-\u1fff]"),
    "front matter": re.compile(r"ROLES REPORT|Shoichi ITOH|〒|電話\s*[:：]"),
    "author biography": re.compile(r"^(現職|経歴)\s*[:：]|主要業績"),
}


def read(shared_seeds: Path, prefix: str) -> list[dict[str, Any]]:
    (path,) = shared_seeds.glob(f"{prefix}_*.txt")
    articles: list[dict[str, Any]] = inspect_file(Config(), path)["articles"]
    return articles


@pytest.mark.parametrize("prefix", sorted(TITLES))
def test_articles_and_titles(shared_seeds: Path, prefix: str):
    assert [a["title"] for a in read(shared_seeds, prefix)] == TITLES[prefix]


@pytest.mark.parametrize("prefix", sorted(TITLES))
def test_no_artifact_left_and_no_sentence_broken(shared_seeds: Path, prefix: str):
    for article in read(shared_seeds, prefix):
        for sentence in article["sentences"]:
            for artifact, pattern in LEFTOVERS.items():
                assert not pattern.search(sentence), f"{artifact}: {sentence}"
            # A sentence cut in two leaves a long piece without its full stop, or a piece
            # that starts mid-clause.
            if not sentence.startswith("- "):
                assert sentence.endswith(("。", "」", "？", "！")) or len(sentence) <= 40, sentence
            assert not re.match(r"^(?:[、。)」]|[をはがのにでとし][、\u4e00-\u9fff])", sentence), (
                sentence)


@pytest.mark.parametrize(
    ("prefix", "repaired"),
    [
        ("003", "圧力を受ける「債務の罠」に陥り"),            # doubled 「 from a lost glyph
        ("003", "中国・パキスタン経済回廊"),                  # lost ・ shown as a space
        ("003", "これらと欧州・中東・アフリカを結ぶ"),
        ("003", "Viet Nam Newsが11月9日電として伝えた"),     # 「 between Latin words
        ("003", "約30億トンに達すると見込まれる"),             # space around a number
        ("003", "ビジョンと行動—『一帯一路』共同建設"),       # 「 that stood for 『
        ("003", "(1)協力国との連絡を"),                        # circled number kept apart
        ("003", "を公表した。"),                              # footnote marker removed
        ("004", "タングステンやアンチモン等に関し、対米輸出を原則禁止"),  # page-break join
        ("004", "外交方針として掲げてきた。"),                # superscript marker removed
    ],
)
def test_specific_repairs(shared_seeds: Path, prefix: str, repaired: str):
    text = "".join(s for a in read(shared_seeds, prefix) for s in a["sentences"])
    assert repaired in text


def test_sources_are_metadata(shared_seeds: Path):
    (first,) = read(shared_seeds, "000")
    assert first["source"] == {"site": "cgtn.com", "url": "", "original_title":
                               "China, Central Asia see tech-aided growth with innovative "
                               "partnerships"}
    vietnam = read(shared_seeds, "003")[2]
    assert vietnam["source"]["url"].endswith("vn-needs-an-appropriate-ets-mechanism-to-develop-"
                                             "carbon-market.html")
