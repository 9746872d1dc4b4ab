"""`kakehashi eval`: pairs read from TSV or aligned files, scores computed as documented, the
engines run as the pipeline runs them (glossary enforced, no memory), errors in one line.

The test model has random weights, so its English is garbage: the CLI tests check the
machinery (fields, counts, ranges); the scores themselves are checked on hand-built outputs."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Config, TranslationConfig
from bot.core.errors import ConfigError, InputError
from bot.glossary import Glossary
from bot.run import evaluate as evaluate_module
from bot.run.eval_pairs import Sample, align, parse_tsv, sentences_of
from bot.run.eval_score import (
    EngineScore,
    corpus_scores,
    numbers_kept,
    score_table,
    term_accuracy,
)
from bot.run.evaluate import evaluate_pairs, read_pairs
from tests.conftest import run_cli

# Terms of the shipped glossary (glossary/domain.tsv) and numbers the pipeline checks.
PAIRS_TSV = """# the editors' own translations
中欧班列は2024年に1.9万本運行した。\tThe China-Europe Railway Express ran 19,000 trains in 2024.

ホルゴスはカザフスタンとの国境にある。\tHorgos is on the border with Kazakhstan.
貨物量は前年比12%増えた。輸送は続く。\tFreight grew 12% year on year. Transport goes on.
"""
GLOSSARY = Glossary.from_pairs([("中欧班列", "China-Europe Railway Express"),
                                ("ホルゴス", "Horgos"), ("カザフスタン", "Kazakhstan")])
KEYS = {"engine", "pairs", "chrf", "bleu", "term_accuracy", "numbers_kept", "sentences_per_s"}


def test_tsv_pairs_skip_blank_lines_and_comments():
    samples = parse_tsv(PAIRS_TSV, "pairs.tsv")
    assert [s.en for s in samples] == ["The China-Europe Railway Express ran 19,000 trains in "
                                       "2024.", "Horgos is on the border with Kazakhstan.",
                                       "Freight grew 12% year on year. Transport goes on."]
    assert samples[1].ja == "ホルゴスはカザフスタンとの国境にある。"


@pytest.mark.parametrize("line, problem", [("日本語だけ", "got 1 field(s)"),
                                           ("一\ttwo\tthree", "got 3 field(s)"),
                                           ("日本語\t  ", "got an empty side")])
def test_a_malformed_tsv_line_is_named_by_file_and_line(line: str, problem: str):
    with pytest.raises(InputError) as error:
        parse_tsv(f"# header\n日本\tJapan\n{line}\n", "pairs.tsv")
    assert str(error.value) == (f"eval: pairs.tsv:3: expected Japanese<TAB>English, {problem}")


def test_aligned_files_pair_line_by_line():
    samples = align("一。\n\n二。\n\n", "One.\n\nTwo.\n", "a.ja.txt", "a.en.txt")
    assert samples == [Sample("一。", "One."), Sample("二。", "Two.")]
    with pytest.raises(InputError, match=r"a\.ja\.txt has 2 line\(s\) and a\.en\.txt 1: "
                       "the two files must be line-aligned"):
        align("一。\n二。\n", "One.\n", "a.ja.txt", "a.en.txt")
    with pytest.raises(InputError, match=r"eval: a\.en\.txt:1: blank where a\.ja\.txt:1"):
        align("一。\n二。\n", "\nTwo.\n", "a.ja.txt", "a.en.txt")


def test_a_pair_is_translated_sentence_by_sentence_as_the_pipeline_does():
    assert sentences_of("貨物量は12%増えた。輸送は続く。") == ["貨物量は12%増えた。",
                                                         "輸送は続く。"]


def test_term_accuracy_counts_the_agreed_renderings_in_the_output():
    samples = [Sample("中欧班列はホルゴスを通る。", "x"), Sample("ホルゴスとホルゴス。", "y")]
    agreed = ["The China-Europe Railway Express passes Horgos.", "Horgos and Horgos."]
    assert term_accuracy(samples, agreed, GLOSSARY) == 1.0
    other = ["The China Europe train passes Khorgos.", "Horgos and Khorgos."]
    assert term_accuracy(samples, other, GLOSSARY) == 0.25  # one of four occurrences
    assert term_accuracy([Sample("輸送は続く。", "z")], ["Go on."], GLOSSARY) is None


def test_numbers_kept_uses_the_pipelines_number_check():
    samples = [Sample("2024年に1.9万本、前年比12%増。", "x")]
    assert numbers_kept(samples, ["19,000 trains in 2024, up 12%."]) == 1.0
    # 1.9万 is 19,000: "1.9" alone is not it (the check compares values, not digits).
    assert numbers_kept(samples, ["1.9 trains in 2024, up 12%."]) == pytest.approx(2 / 3)
    assert numbers_kept([Sample("五本。", "x")], ["Five."]) is None


def test_chrf_and_bleu_are_100_for_the_editors_own_words_and_low_for_others():
    references = ["Horgos is on the border with Kazakhstan.", "Freight grew 12% year on year."]
    assert corpus_scores(references, references) == (pytest.approx(100), pytest.approx(100))
    chrf, bleu = corpus_scores(["Nothing alike here at all.", "Zebra."], references)
    assert 0 <= chrf < 30 and 0 <= bleu < 10


def test_the_table_has_a_header_and_a_row_per_engine():
    scores = [EngineScore("argos", 3, 41.25, 12.5, 0.5, None, 12.3),
              EngineScore("libretranslate", 3, 50.0, 20.0, 1.0, 1.0, 4.0)]
    lines = score_table(scores)
    assert lines[0].split() == ["engine", "pairs", "chrF", "BLEU", "terms", "numbers", "sent/s"]
    assert lines[1].split() == ["argos", "3", "41.2", "12.5", "50.0%", "-", "12.3"]
    assert lines[2].split() == ["libretranslate", "3", "50.0", "20.0", "100.0%", "100.0%",
                                "4.0"]


class Echo:
    """An engine that gives its input back: placeholders survive, so every term does."""

    def __init__(self, name: str) -> None:
        self.identity = name
        self.calls: list[list[str]] = []

    def translate(self, sentences: Sequence[str]) -> list[str]:
        self.calls.append(list(sentences))
        return list(sentences)

    def translate_groups(self, sentences: Sequence[str]) -> Iterator[dict[int, str]]:
        yield dict(enumerate(self.translate(sentences)))

    def keeps_intact(self, text: str) -> bool:
        return True


@pytest.fixture
def echo_engines(monkeypatch: pytest.MonkeyPatch) -> dict[str, Echo]:
    built: dict[str, Echo] = {}

    def build(options: TranslationConfig) -> Echo:
        return built.setdefault(options.engine, Echo(options.engine))

    monkeypatch.setattr(evaluate_module, "build_engine", build)
    return built


def eval_config(tmp_path: Path) -> Config:
    config = Config()
    return replace(config, paths=replace(config.paths, state=tmp_path / "state.sqlite3"),
                   translation=replace(config.translation, servers=("http://127.0.0.1:9/",)))


def test_engines_side_by_side_translate_everything_through_the_glossary(
        tmp_path: Path, echo_engines: dict[str, Echo]):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(PAIRS_TSV, encoding="utf-8")
    ticks = iter([10.0, 12.0, 20.0, 24.0])
    scores = evaluate_pairs(eval_config(tmp_path), pairs, ["argos", "libretranslate", "argos"],
                            None, say=lambda _: None, clock=lambda: next(ticks))
    assert [s.engine for s in scores] == ["argos", "libretranslate"]
    assert [s.pairs for s in scores] == [3, 3]
    # 4 sentences (the last pair has two) in 2 s, then in 4 s.
    assert [s.sentences_per_s for s in scores] == [2.0, 1.0]
    # The echo keeps each placeholder, so the glossary puts every agreed rendering back.
    assert [s.term_accuracy for s in scores] == [1.0, 1.0]
    assert any("ZX1" in text for text in echo_engines["argos"].calls[1])  # masked
    assert all(0 <= s.chrf <= 100 and 0 <= s.bleu <= 100 for s in scores)
    assert not (tmp_path / "state.sqlite3").exists()  # no translation memory


def test_every_evaluation_reaches_the_engine(tmp_path: Path, echo_engines: dict[str, Echo]):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(PAIRS_TSV, encoding="utf-8")
    for _ in range(2):
        evaluate_pairs(eval_config(tmp_path), pairs, [], 2, say=lambda _: None)
    # Each run: one warm-up call (loading is not timed) and one masked round of 2 sentences.
    sent = [text for call in echo_engines["argos"].calls for text in call]
    assert len(sent) == 2 * (1 + 2)


@pytest.mark.usefixtures("installed_model")
def test_an_unavailable_engine_fails_before_any_translation(tmp_path: Path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(PAIRS_TSV, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^eval: engine ctranslate2: translation\.model_dir"):
        evaluate_pairs(eval_config(tmp_path), pairs, ["argos", "ctranslate2"], None,
                       say=lambda _: None)


def test_a_folder_of_aligned_files_and_its_errors(tmp_path: Path):
    (tmp_path / "a.ja.txt").write_text("一。\n二。\n", encoding="utf-8")
    (tmp_path / "a.en.txt").write_text("One.\nTwo.\n", encoding="utf-8")
    (tmp_path / "b.ja.txt").write_text("\ufeff三。\n", encoding="utf-8")
    (tmp_path / "b.en.txt").write_text("Three.", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a pair", encoding="utf-8")
    assert [s.en for s in read_pairs(tmp_path)] == ["One.", "Two.", "Three."]
    (tmp_path / "c.en.txt").write_text("Four.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"c\.en\.txt has no c\.ja\.txt beside it"):
        read_pairs(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match=r"^eval: no pairs in .*empty \(a TSV file"):
        read_pairs(empty)


def write_pairs(tmp_path: Path) -> Path:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(PAIRS_TSV, encoding="utf-8")
    return pairs


@pytest.mark.usefixtures("installed_model")
def test_eval_prints_a_table_with_the_test_model(tmp_path: Path):
    result = run_cli("eval", str(write_pairs(tmp_path)), cwd=tmp_path)  # out/ would be here
    assert result.returncode == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert header.split() == ["engine", "pairs", "chrF", "BLEU", "terms", "numbers", "sent/s"]
    assert row.split()[:2] == ["argos", "3"]
    assert "eval: argos: translating 4 sentence(s) of 3 pair(s)" in result.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "pairs.tsv"]  # no state, no memory


@pytest.mark.usefixtures("installed_model")
def test_eval_json_with_the_test_model(tmp_path: Path):
    result = run_cli("eval", str(write_pairs(tmp_path)), "--json", "--limit", "2")
    assert result.returncode == 0, result.stderr
    (score,) = json.loads(result.stdout)["engines"]
    assert set(score) == KEYS
    assert score["engine"] == "argos" and score["pairs"] == 2
    assert 0 <= score["chrf"] <= 100 and 0 <= score["bleu"] <= 100
    # Both pairs hold glossary terms and checked numbers: the shares are computed.
    assert 0 <= score["term_accuracy"] <= 1 and 0 <= score["numbers_kept"] <= 1
    assert score["sentences_per_s"] > 0


@pytest.mark.usefixtures("installed_model")
def test_eval_of_a_folder_with_the_test_model(tmp_path: Path):
    (tmp_path / "news.ja.txt").write_text("ホルゴスは国境にある。\n輸送は続く。\n",
                                          encoding="utf-8")
    (tmp_path / "news.en.txt").write_text("Horgos is on the border.\nIt goes on.\n",
                                          encoding="utf-8")
    result = run_cli("eval", str(tmp_path), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["engines"][0]["pairs"] == 2


@pytest.mark.usefixtures("installed_model")
def test_eval_beside_an_unavailable_engine_is_one_clear_line(tmp_path: Path):
    result = run_cli("eval", str(write_pairs(tmp_path)), "--engine", "argos",
                     "--engine", "libretranslate")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("kakehashi: error: eval: engine libretranslate: ")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("content, message", [
    (PAIRS_TSV + "日本語だけ\n", "pairs.tsv:6: expected Japanese<TAB>English"),
    (None, "eval: cannot read"),
    (b"\xff\xfe\x00bad", "is not UTF-8 text"),
])
def test_a_bad_pairs_file_is_one_line_without_a_traceback(
        tmp_path: Path, content: str | bytes | None, message: str):
    pairs = tmp_path / "pairs.tsv"
    if isinstance(content, str):
        pairs.write_text(content, encoding="utf-8")
    elif content is not None:
        pairs.write_bytes(content)
    result = run_cli("eval", str(pairs))
    assert result.returncode == 1
    assert result.stderr.startswith("kakehashi: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
