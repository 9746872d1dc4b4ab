"""engine = "ctranslate2" from the command line: `kakehashi once` on the seeds with each
family's model folder (random weights, and an echoing model that must keep every glossary
term), one-line errors for a bad folder or device, model_dir relative to the config file."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.cli.main import main
from bot.config import TranslationConfig, load_config
from bot.core.errors import ConfigError
from bot.run import wiring
from bot.state.store import Store
from bot.translate.engine import CTranslate2Translator, build_engine, find_model
from bot.translate.models import ModelFolder
from bot.translate.remote import LibreTranslateTranslator
from tests.conftest import ROOT, run_cli
from tests.support.make_ct2_models import FAMILIES, build_model_folder


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("ct2-models")
    return {family: build_model_folder(root / family, family) for family in FAMILIES}


def write_config(tmp_path: Path, translation: str) -> Path:
    config = tmp_path / "kakehashi.toml"
    config.write_text(f"[translation]\n{translation}\n[sources]\nsettle_seconds = 0\n",
                      encoding="utf-8")
    return config


def once(tmp_path: Path, config: Path) -> int:
    return main(["once", "--config", str(config), "--seeds", str(ROOT / "seeds"),
                 "--out", str(tmp_path / "out"), "--state", str(tmp_path / "state.sqlite3")])


class Echo:
    """A model that gives back its source (target prefix first, the source's language token
    and </s> checked and taken off): behind the real engine, every placeholder the family's
    tokenizers keep must come back, so every glossary term must be enforced."""

    def __init__(self, model: ModelFolder, options: TranslationConfig) -> None:
        self.model = model

    def translate_batch(self, tokens: list[list[str]], **kwargs: Any) -> list[Any]:
        prefix, suffix = self.model.source_prefix, self.model.source_suffix
        forced = kwargs["target_prefix"] or [[] for _ in tokens]
        results = []
        for source, target in zip(tokens, forced, strict=True):
            assert tuple(source[:len(prefix)]) == prefix and tuple(source[-1:]) == suffix
            body = source[len(prefix):len(source) - len(suffix)]
            results.append(SimpleNamespace(hypotheses=[[*target, *body]]))
        return results


@pytest.mark.slow
@pytest.mark.parametrize("weights", ["random", "echo"])
@pytest.mark.parametrize("family", FAMILIES)
def test_once_translates_the_seeds_with_each_family(
        folders: dict[str, Path], tmp_path: Path, family: str, weights: str,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    if weights == "echo":
        monkeypatch.setattr(wiring, "build_engine", lambda options: CTranslate2Translator(
            find_model(options), options, load=Echo))
    config = write_config(tmp_path, f'engine = "ctranslate2"\nmodel_dir = "{folders[family]}"\n'
                                    "max_output_tokens = 24\n")
    assert once(tmp_path, config) == 0, capsys.readouterr().err
    store = Store.open(tmp_path / "state.sqlite3")
    try:
        entries = store.recent_entries(1000)
        cached = store._conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
    finally:
        store.close()
    assert len(entries) >= 4 and cached > 0
    assert all(p.en for e in entries for p in e.pairs)
    terms = [(t, e) for e in entries for t in e.terms]
    statuses = [t.status for t, _ in terms]
    assert set(statuses) <= {"found", "enforced", "failed"}
    assert statuses.count("enforced") + statuses.count("failed") >= 5, statuses
    for term, entry in terms:
        # Random weights: whatever came back, the report must match the English.
        english = " ".join([entry.title_en, *(p.en for p in entry.pairs)])
        if term.status == "enforced":
            assert term.en in english
    if weights == "echo":
        assert "failed" not in statuses, statuses


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p / "absent", "model folder not found: {p}/absent"),
    (lambda p: p, "{p} is not a CTranslate2 model folder (no model.bin)"),
    (lambda p: (p / "model.bin").touch() or p, "no tokenizer in {p}"),
])
def test_a_bad_model_folder_is_one_line_before_anything_is_touched(
        tmp_path: Path, make: Any, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    model_dir = make(folder)
    config = write_config(tmp_path, f'engine = "ctranslate2"\nmodel_dir = "{model_dir}"\n')
    assert once(tmp_path, config) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message.format(p=folder) in err, err
    assert not (tmp_path / "state.sqlite3").exists() and not (tmp_path / "out").exists()


def test_a_missing_tokenizer_and_cuda_without_a_gpu_fail_in_one_line_from_the_cli(
        folders: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "marian"
    shutil.copytree(folders["marian"], folder)
    (folder / "target.spm").unlink()
    config = write_config(tmp_path, 'engine = "ctranslate2"\nmodel_dir = "marian"\n')
    result = run_cli("translate", "--config", str(config), "中国の協力。")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == f"kakehashi: error: translate: tokenizer not found: {folder}/" \
                            "target.spm\n"
    config = write_config(tmp_path, f'engine = "ctranslate2"\nmodel_dir = "{folders["nllb"]}"'
                                    '\ndevice = "cuda"\n')
    result = run_cli("once", "--config", str(config), "--seeds", str(ROOT / "seeds"),
                     "--out", str(tmp_path / "out"), "--state", str(tmp_path / "s.sqlite3"))
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert 'translation.device is "cuda"' in result.stderr
    assert not (tmp_path / "s.sqlite3").exists()


def test_model_dir_is_relative_to_the_config_file_and_the_engine_is_built_from_it(
        folders: dict[str, Path], tmp_path: Path) -> None:
    shutil.copytree(folders["m2m100"], tmp_path / "conf" / "m2m")
    config = load_config(write_config(tmp_path / "conf", 'engine = "ctranslate2"\n'
                                                         'model_dir = "m2m"\n'), {})
    assert config.translation.model_dir == str(tmp_path / "conf" / "m2m")
    engine = build_engine(config.translation)
    assert isinstance(engine, CTranslate2Translator) and engine.model.family == "m2m100"
    with pytest.raises(ConfigError, match="compute_type_cuda must be one of"):
        load_config(write_config(tmp_path, 'compute_type_cuda = "int16"\n'), {})
    remote = replace(config.translation, engine="libretranslate",
                     servers=("http://127.0.0.1:9",))
    assert find_model(remote) is None  # remote servers need no local model
    assert isinstance(build_engine(remote), LibreTranslateTranslator)
