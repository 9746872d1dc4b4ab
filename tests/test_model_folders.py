"""engine = "ctranslate2": model folders of each family (random weights, built here), their
tokens, limits, device and errors, through the engine and through `kakehashi once`."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.cli.main import main
from bot.config import TranslationConfig, load_config
from bot.core.errors import ConfigError, ModelError
from bot.glossary.enforce import PLACEHOLDER_FORMS, usable_forms
from bot.run import wiring
from bot.state.store import Store
from bot.translate import engine as engine_module
from bot.translate.engine import (
    CTranslate2Translator,
    build_engine,
    find_model,
    load_model,
    resolve_device,
)
from bot.translate.memory import CachedTranslator
from bot.translate.models import MAX_INPUT_TOKENS, ModelFolder, from_package, read_model_folder
from bot.translate.packages import PackageInfo
from bot.translate.translator import WholeBatches
from tests.conftest import ROOT, run_cli
from tests.support.make_ct2_models import FAMILIES, build_model_folder

SENTENCES = ["中国と中央アジアの協力が深まっている。", "ホルゴスを通る中欧班列が増えた。", ""]
EXPECTED = {  # family: (source prefix, source suffix, target prefix)
    "marian": ((), ("</s>",), ""),
    "m2m100": (("__ja__",), ("</s>",), "__en__"),
    "nllb": (("jpn_Jpan",), ("</s>",), "eng_Latn"),
}


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("ct2-models")
    return {family: build_model_folder(root / family, family) for family in FAMILIES}


class Recording:
    """The real model behind a loader that keeps what translate_batch receives."""

    def __init__(self) -> None:
        self.model: Any = None
        self.inputs: list[list[list[str]]] = []
        self.kwargs: list[dict[str, Any]] = []
        self.results: list[Any] = []

    def __call__(self, model: Any, options: TranslationConfig) -> Recording:
        self.model = load_model(model, options)
        return self

    def translate_batch(self, tokens: list[list[str]], **kwargs: Any) -> list[Any]:
        self.inputs.append(tokens)
        self.kwargs.append(kwargs)
        results = list(self.model.translate_batch(tokens, **kwargs))
        self.results += results
        return results


@pytest.mark.parametrize("family", FAMILIES)
def test_the_family_and_its_tokens_are_read_from_the_folder(
        folders: dict[str, Path], family: str) -> None:
    model = read_model_folder(folders[family], "ja", "en")
    assert model.family == family
    assert (model.source_prefix, model.source_suffix, model.target_prefix) == EXPECTED[family]
    assert model.max_input_tokens > MAX_INPUT_TOKENS  # 512 positions, not Argos's 200
    if family == "marian":
        assert (model.source_tokenizer.name, model.target_tokenizer.name) == (
            "source.spm", "target.spm")
    else:
        assert model.source_tokenizer == model.target_tokenizer


@pytest.mark.parametrize("family", FAMILIES)
def test_source_tokens_and_target_prefix_reach_the_model(
        folders: dict[str, Path], family: str) -> None:
    recording = Recording()
    engine = CTranslate2Translator(read_model_folder(folders[family], "ja", "en"),
                                   TranslationConfig(max_output_tokens=16), load=recording)
    outputs = engine.translate(SENTENCES)
    assert len(outputs) == 3 and outputs[2] == ""
    prefix, suffix, target = EXPECTED[family]
    (inputs,) = recording.inputs  # the empty sentence never reaches the model
    assert len(inputs) == 2
    for tokens in inputs:
        assert tuple(tokens[:len(prefix)]) == prefix and tuple(tokens[-1:]) == suffix
        assert len(tokens) > len(prefix) + len(suffix)
    forced = recording.kwargs[0]["target_prefix"]
    assert forced == ([[target]] * 2 if target else None)
    decoder = engine.target_tokenizer()
    if family == "marian":
        assert decoder is not engine.tokenizer()  # target.spm decodes, not source.spm
    for result in recording.results:
        tokens = result.hypotheses[0]
        if target:
            assert tokens[0] == target
            tokens = tokens[1:]
        assert target not in tokens and not any(t in prefix for t in tokens)
    assert all(outputs[:2])


def test_the_argos_package_keeps_its_identity_and_limit(installed_model: PackageInfo) -> None:
    model = from_package(installed_model)
    assert model.max_input_tokens == MAX_INPUT_TOKENS == 200
    engine = CTranslate2Translator(installed_model, TranslationConfig())
    assert engine.identity == "translate-ja_en@1.1|beam=2|int8"  # memories from before hit
    # Named as a model folder, the package folder is the same model.
    folder = read_model_folder(installed_model.path, "ja", "en")
    assert CTranslate2Translator(folder, TranslationConfig()).identity == engine.identity


def test_an_argos_style_folder_is_detected(installed_model: PackageInfo, tmp_path: Path) -> None:
    shutil.copytree(installed_model.model_dir, tmp_path / "m")
    shutil.copy(installed_model.sentencepiece_model, tmp_path / "m" / "sentencepiece.model")
    model = read_model_folder(tmp_path / "m", "ja", "en")
    assert (model.family, model.source_prefix, model.target_prefix) == ("argos", (), "")
    assert model.max_input_tokens == 200
    assert CTranslate2Translator(model, TranslationConfig()).translate(["協力が進む。"])[0]


def test_the_folder_file_says_what_detection_cannot(
        folders: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "custom"
    shutil.copytree(folders["m2m100"], folder)
    (folder / "sentencepiece.bpe.model").rename(folder / "tok.model")
    with pytest.raises(ModelError, match="no tokenizer in"):
        read_model_folder(folder, "ja", "en")
    (folder / "kakehashi.toml").write_text(
        'family = "m2m100"\nsource_tokenizer = "tok.model"\nmax_input_tokens = 16\n'
        'version = "7"\nsource_token = "__zh__"\n', encoding="utf-8")
    model = read_model_folder(folder, "ja", "en")
    assert model.source_tokenizer == model.target_tokenizer == folder / "tok.model"
    assert (model.source_prefix, model.target_prefix) == (("__zh__",), "__en__")
    recording = Recording()
    engine = CTranslate2Translator(model, TranslationConfig(max_output_tokens=8), load=recording)
    assert engine.identity == "ctranslate2:custom@7|beam=2|int8"
    long = "、".join(["中国と中央アジアの協力が深まっている"] * 6) + "。"
    assert len(engine.tokenizer().encode(long)) > 16
    (output,) = engine.translate([long])
    assert output
    sent = [tokens for call in recording.inputs for tokens in call]
    assert len(sent) > 1 and all(len(tokens) <= 16 + 2 for tokens in sent)  # cut per model


@pytest.mark.parametrize(("text", "message"), [
    ('family = "gpt"\n', "family must be one of"),
    ('colour = "red"\n', "unknown key 'colour'"),
    ("max_input_tokens = 0\n", "max_input_tokens must be 8-4096"),
    ('probe = "no placeholder"\n', "probe must hold {} once"),
    ("family = ", "cannot read"),
])
def test_a_bad_folder_file_is_a_config_error(
        folders: dict[str, Path], tmp_path: Path, text: str, message: str) -> None:
    folder = tmp_path / "m"
    shutil.copytree(folders["nllb"], folder)
    (folder / "kakehashi.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        read_model_folder(folder, "ja", "en")
    assert "\n" not in str(caught.value) and str(folder) in str(caught.value)


def test_placeholders_are_probed_in_the_engines_own_sentence(folders: dict[str, Path]) -> None:
    probed: list[str] = []

    class Probe(WholeBatches):
        identity = "probe"

        def keeps_intact(self, text: str) -> bool:
            probed.append(text)
            return text != "ZX1"

    assert usable_forms(Probe()) == list(PLACEHOLDER_FORMS[1:])
    assert probed == [form.format(n=1) for form in PLACEHOLDER_FORMS]
    engine = CTranslate2Translator(read_model_folder(folders["marian"], "ja", "en"),
                                   TranslationConfig())
    assert engine.keeps_intact("ZX1")
    assert not engine.keeps_intact("ZX1\u2603")  # a snowman: not in either tokenizer


def test_the_memory_keeps_engines_apart(
        folders: dict[str, Path], installed_model: PackageInfo, tmp_path: Path) -> None:
    store = Store.open(tmp_path / "state.sqlite3")
    try:
        calls: dict[str, int] = {}

        def engine(model: Any, name: str) -> CachedTranslator:
            recording = Recording()
            inner = CTranslate2Translator(model, TranslationConfig(max_output_tokens=8),
                                          load=recording)
            original = recording.translate_batch

            def counted(tokens: list[list[str]], **kwargs: Any) -> list[Any]:
                calls[name] = calls.get(name, 0) + len(tokens)
                return original(tokens, **kwargs)

            recording.translate_batch = counted  # type: ignore[method-assign]
            return CachedTranslator(inner, store)

        text = SENTENCES[:2]
        first = engine(installed_model, "argos").translate(text)
        again = engine(installed_model, "argos again").translate(text)
        assert again == first and "argos again" not in calls  # a hit: the model is not called
        nllb = read_model_folder(folders["nllb"], "ja", "en")
        engine(nllb, "nllb").translate(text)
        assert calls == {"argos": 2, "nllb": 2}  # another engine: its model is called
    finally:
        store.close()


def test_auto_is_the_cpu_without_a_gpu_and_cuda_names_itself(
        folders: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import ctranslate2

    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("this machine has a GPU")
    assert resolve_device("auto") == "cpu" and resolve_device("cpu") == "cpu"
    model = read_model_folder(folders["marian"], "ja", "en")
    cpu = CTranslate2Translator(model, TranslationConfig(device="auto"))
    assert cpu.options.device == "cpu" and cpu.identity.endswith("|beam=2|int8")
    with pytest.raises(ModelError, match='device is "cuda" but CTranslate2 sees no CUDA'):
        resolve_device("cuda")
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    gpu = CTranslate2Translator(model, TranslationConfig(device="auto"))
    assert gpu.options.device == "cuda"
    assert gpu.identity == cpu.identity.replace("|int8", "|float16|cuda")
    options = TranslationConfig(device="cuda", compute_type_cuda="int8_float16")
    assert engine_module.compute_type(options) == "int8_float16"


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
    with pytest.raises(ConfigError, match="'libretranslate' is not available"):
        build_engine(replace(config.translation, engine="libretranslate",
                             servers=("http://127.0.0.1:9",)))
