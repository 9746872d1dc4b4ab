"""Glossary files: formats, matching, lint, suggestions, and the shipped glossary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.errors import ConfigError
from bot.glossary import Glossary, load_glossary
from bot.glossary.formats import read_entries
from bot.glossary.lint import lint_entries
from bot.glossary.suggest import suggest_terms
from tests.conftest import ROOT, run_cli


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_our_tsv_with_comments_notes_and_variants(tmp_path: Path):
    tsv = write(tmp_path / "g.tsv", "# comment\nホルゴス\tHorgos\tnote\n霍爾果斯\tHorgos\n\n")
    glossary = load_glossary([tsv])
    assert dict(glossary.entries) == {"ホルゴス": "Horgos", "霍爾果斯": "Horgos"}


def test_deepl_and_google_csv(tmp_path: Path):
    deepl = write(tmp_path / "deepl.csv",
                  '一帯一路,Belt and Road Initiative\n"中欧班列","China-Europe Railway Express"\n')
    google = write(tmp_path / "google.csv", "en,ja\nHorgos,ホルゴス\n")
    assert dict(load_glossary([deepl, google]).entries) == {
        "一帯一路": "Belt and Road Initiative", "中欧班列": "China-Europe Railway Express",
        "ホルゴス": "Horgos"}


TBX = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en"><text><body>
  <termEntry id="1">
    <langSet xml:lang="ja">
      <tig><term>一帯一路</term></tig><tig><term>一帯一路構想</term></tig>
    </langSet>
    <langSet xml:lang="en-US"><tig><term>Belt and Road Initiative</term></tig></langSet>
  </termEntry>
  <termEntry id="2">
    <langSet xml:lang="ja"><ntig><termGrp><term>ホルゴス</term></termGrp></ntig></langSet>
    <langSet xml:lang="en"><ntig><termGrp><term>Horgos</term></termGrp></ntig></langSet>
  </termEntry>
</body></text></martif>"""


def test_tbx_from_cat_tools(tmp_path: Path):
    glossary = load_glossary([write(tmp_path / "terms.tbx", TBX)])
    assert dict(glossary.entries) == {"一帯一路": "Belt and Road Initiative",
                                      "一帯一路構想": "Belt and Road Initiative",
                                      "ホルゴス": "Horgos"}


def test_tbx_with_entities_is_refused(tmp_path: Path):
    hostile = TBX.replace("<martif", '<!DOCTYPE m [<!ENTITY x "xx">]><martif', 1)
    with pytest.raises(ConfigError, match="declares XML entities"):
        load_glossary([write(tmp_path / "bad.tbx", hostile)])


def test_bad_row_names_file_and_line(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"g\.tsv:2: expected"):
        load_glossary([write(tmp_path / "g.tsv", "ホルゴス\tHorgos\njust one column\n")])


def test_matching_never_inside_a_longer_term():
    glossary = Glossary.from_pairs([("中央アジア", "Central Asia"),
                                    ("中国・中央アジアサミット", "China-Central Asia Summit")])
    hits = glossary.find_hits("第2回中国・中央アジアサミットで中央アジアの首脳が会った")
    assert [(h.term.ja, h.start) for h in hits] == [("中国・中央アジアサミット", 3),
                                                    ("中央アジア", 16)]


def test_lint_finds_each_kind_with_file_and_line(tmp_path: Path):
    tsv = write(tmp_path / "g.tsv", "ホルゴス\tHorgos\nホルゴス\tHorgos\nﾎﾙｺﾞｽ\tKhorgos\n"
                "中央アジア\tCentral Asia\nアジアサミット\tAsia Summit\n一帯一路\t \n")
    found = {(p.where.rsplit(":", 1)[1], p.kind) for p in lint_entries(read_entries([tsv]))}
    assert found == {("2", "duplicate"), ("3", "conflict"), ("5", "hidden"), ("6", "empty")}


def test_shipped_glossary_has_no_errors():
    problems = lint_entries(read_entries([ROOT / "glossary"]))
    assert [p for p in problems if p.kind != "hidden"] == []
    assert len(load_glossary([ROOT / "glossary"])) >= 200


def test_lint_command_exit_codes(tmp_path: Path):
    good = run_cli("glossary", "lint", str(ROOT / "glossary" / "domain.tsv"))
    assert good.returncode == 0, good.stdout + good.stderr
    bad = write(tmp_path / "bad.tsv", "ホルゴス\tHorgos\nホルゴス\tKhorgos\n")
    result = run_cli("glossary", "lint", str(bad))
    assert result.returncode == 1
    assert f"{bad}:2: conflict: ホルゴス is 'Khorgos' here but 'Horgos' at {bad}:1" in result.stdout


def test_suggest_lists_recurring_unknown_names():
    sentences = ["トゥルグスン水力発電所が稼働した。", "トゥルグスン水力発電所は大きい。",
                 "ホルゴスを通るPGIIの案件。", "PGIIはホルゴスにも及ぶ。", "一度だけのカスケレン。"]
    glossary = Glossary.from_pairs([("ホルゴス", "Horgos")])
    suggestions = {s.term: (s.count, s.example) for s in suggest_terms(sentences, glossary)}
    assert suggestions["トゥルグスン"] == (2, "トゥルグスン水力発電所が稼働した。")
    assert suggestions["PGII"][0] == 2
    assert "ホルゴス" not in suggestions and "カスケレン" not in suggestions


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_inspect_lists_shipped_renderings(shared_seeds: Path, prefix: str):
    result = run_cli("inspect", "--json", str(next(shared_seeds.glob(f"{prefix}_*.txt"))))
    assert result.returncode == 0, result.stderr
    shipped = load_glossary([ROOT / "glossary"])
    for article in json.loads(result.stdout)["articles"]:
        terms = {t["ja"]: t["en"] for t in article["terms"]}
        assert terms, article["title"]
        assert all(shipped.entries[ja] == en for ja, en in terms.items())
        text = "".join([article["title"], *article["sentences"]])
        assert all(ja in text for ja in terms)


def test_shipped_renderings_for_the_seeds_names(shared_seeds: Path):
    result = run_cli("inspect", "--json", str(next(shared_seeds.glob("001_*.txt"))))
    terms = {t["ja"]: t["en"] for t in json.loads(result.stdout)["articles"][0]["terms"]}
    assert terms["一帯一路"] == "Belt and Road Initiative"
    assert terms["アスタナ"] == "Astana"
    assert terms["中国・キルギス・ウズベキスタン鉄道"] == "China-Kyrgyzstan-Uzbekistan Railway"
