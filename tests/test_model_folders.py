"""engine = "ctranslate2": model folders of each family (random weights, built here), their
tokens, limits, device and errors, through the engine and through `kakehashi once`."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.config import TranslationConfig
from bot.core.errors import ConfigError, ModelError
from bot.glossary.enforce import PLACEHOLDER_FORMS, usable_forms
from bot.state.store import Store
from bot.translate import engine as engine_module
from bot.translate.engine import (
    CTranslate2Translator,
    load_model,
    resolve_device,
)
from bot.translate.memory import CachedTranslator
from bot.translate.models import MAX_INPUT_TOKENS, from_package, read_model_folder
from bot.translate.packages import PackageInfo
from bot.translate.translator import WholeBatches
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
    (folder / "kakehashi-model.toml").write_text(
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
    (folder / "kakehashi-model.toml").write_text(text, encoding="utf-8")
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


def test_nllb_codes_come_from_the_table_or_from_the_folder_file(
        folders: dict[str, Path], tmp_path: Path) -> None:
    assert read_model_folder(folders["nllb"], "ko", "en").source_prefix == ("kor_Hang",)
    folder = tmp_path / "m"
    shutil.copytree(folders["nllb"], folder)
    with pytest.raises(ConfigError, match="no NLLB language code known for 'tl'"):
        read_model_folder(folder, "tl", "en")
    (folder / "kakehashi-model.toml").write_text(
        'source_token = "tgl_Latn"\ntarget_prefix = "eng_Latn"\n', encoding="utf-8")
    model = read_model_folder(folder, "tl", "en")
    assert (model.source_prefix, model.target_prefix) == (("tgl_Latn",), "eng_Latn")
    assert model.probe == "{}"  # not Japanese: the placeholder alone


def test_tokens_the_tokenizer_lacks_are_dropped_from_the_output(folders: dict[str, Path]) -> None:
    model = read_model_folder(folders["m2m100"], "ja", "en")
    pieces: list[str] = []

    class Emits:
        def __init__(self, *_: object) -> None:
            pass

        def translate_batch(self, tokens: list[list[str]], **_: Any) -> list[Any]:
            hypothesis = ["__en__", *pieces[:1], "__zh__", *pieces[1:], "<unk>"]
            return [SimpleNamespace(hypotheses=[hypothesis]) for _ in tokens]

    engine = CTranslate2Translator(model, TranslationConfig(), load=Emits)
    pieces += engine.tokenizer().encode("中国と中央アジアの協力が深まっている。", out_type=str)
    assert len(pieces) > 1
    (output,) = engine.translate(["a"])
    # __zh__ is gone; the model's own <unk> still shows.
    assert output == "中国と中央アジアの協力が深まっている。 ⁇"
