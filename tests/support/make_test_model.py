"""Build a random-weight ja→en Argos package (.argosmodel) for tests and benchmarks.

    python tests/support/make_test_model.py DEST.argosmodel [--shape tiny|real] [--tokenizer SP]

`tiny` (tests): 2+2 layers, d_model 32, a few hundred KB, built in well under a second.
`real` (benchmarks): the shape of the published translate-ja_en package (6+6 layers,
d_model 512, 8 heads, ff 2048, 50k shared vocabulary, int8), about 125 MB.
The weights are random, so the English is garbage by design: use it to test plumbing.
`--tokenizer` packs a SentencePiece model trained elsewhere instead of the small one trained
here (benchmarks pass one cut as finely as the real package's, bench/support.py).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sentencepiece as spm
from ctranslate2.specs import model_spec, transformer_spec

PACKAGE_DIR = "translate-ja_en-1_1"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@dataclass(frozen=True)
class Shape:
    layers: int
    heads: int
    d_model: int
    ffn: int
    vocab: int


SHAPES = {
    "tiny": Shape(layers=2, heads=4, d_model=32, ffn=64, vocab=1200),
    "real": Shape(layers=6, heads=8, d_model=512, ffn=2048, vocab=50000),
}

_ENGLISH = (
    "The railway links China with Central Asia and Europe. Trade grew by 63 percent in 2024. "
    "The summit in Astana adopted a joint plan for energy, transport and digital trade. "
    "Freight trains carried 26,000 TEU of containers to Kazakhstan and Uzbekistan."
)
_JAPANESE = (
    "中国と中央アジアの協力が深まっている。2024年の貿易額は948億ドルに達した。"
    "中欧班列はホルゴスを経由して欧州に向かう。「一帯一路」は2013年に始まった。"
    "カザフスタンとウズベキスタンは鉄道とエネルギーの分野で協力している！本当か？"
)


def _corpus() -> list[str]:
    """Training lines: built-in sentences plus the project's own sample documents."""
    # Every ASCII letter and digit, so Latin names and placeholders encode without bytes.
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    alphabet = " ".join(f"{c}{c.lower()}{i % 10}" for i, c in enumerate(letters))
    lines = [_ENGLISH, _JAPANESE, alphabet] * 20
    if SEEDS.is_dir():
        for path in sorted(SEEDS.glob("*")):
            raw = path.read_bytes()
            for encoding in ("utf-8", "cp932"):
                try:
                    lines.extend(raw.decode(encoding).splitlines())
                    break
                except UnicodeDecodeError:
                    continue
    return [line for line in lines if line.strip()]


def train_sentencepiece(vocab: int) -> bytes:
    """A SentencePiece model trained in-process; byte fallback keeps any input encodable."""
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_corpus()),
        model_writer=buffer,
        vocab_size=min(vocab, 1200),
        model_type="unigram",
        character_coverage=1.0,
        byte_fallback=True,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    return buffer.getvalue()


def build_spec(shape: Shape, tokens: list[str], seed: int) -> transformer_spec.TransformerSpec:
    """A Transformer spec with every required weight filled with small random values."""
    spec = transformer_spec.TransformerSpec.from_config((shape.layers, shape.layers), shape.heads)
    rng = np.random.default_rng(seed)
    d, f, v = shape.d_model, shape.ffn, len(tokens)

    def fill(layer: object, name: str, value: object) -> None:
        if value is not None:
            return
        _scope, attr = name.rsplit("/", 1)
        owner = name.split("/")
        shape_ = _weight_shape(owner, attr, d, f, v)
        array = rng.normal(0.0, 0.05, size=shape_).astype(np.float32)
        if attr == "gamma":
            array = np.ones(shape_, dtype=np.float32)
        setattr(layer, attr, array)

    model_spec.visit_spec(spec, fill)
    spec.register_source_vocabulary(tokens)
    spec.register_target_vocabulary(tokens)
    return spec


def _weight_shape(path: list[str], attr: str, d: int, f: int, v: int) -> tuple[int, ...]:
    parent = path[-2] if len(path) > 1 else ""
    if attr in ("gamma", "beta"):
        return (d,)
    if parent.startswith("embeddings"):
        return (v, d)
    if parent == "projection":
        return (v, d)
    if parent == "linear_0" and "ffn" in path:
        return (f, d)
    if parent == "linear_1" and "ffn" in path:
        return (d, f)
    if "self_attention" in path:
        return (3 * d, d) if parent == "linear_0" else (d, d)
    if "attention" in path:  # encoder-decoder attention: query, fused key+value, output
        return (2 * d, d) if parent == "linear_1" else (d, d)
    raise ValueError(f"unexpected weight {'/'.join(path)}")


def build_package(dest: Path, shape_name: str = "tiny", seed: int = 7,
                  tokenizer: bytes | None = None) -> Path:
    """Write a complete .argosmodel zip (one top-level folder) to `dest`; `tokenizer`: a
    serialized SentencePiece model to pack instead of training the small one."""
    shape = SHAPES[shape_name]
    sp_model = tokenizer or train_sentencepiece(shape.vocab)
    processor = spm.SentencePieceProcessor(model_proto=sp_model)
    tokens = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    # Pad to the real vocabulary size so embedding and softmax cost what they cost for real.
    tokens += [f"<extra_{i}>" for i in range(shape.vocab - len(tokens))]
    spec = build_spec(shape, tokens, seed)
    spec.validate()
    spec.optimize(quantization="int8")
    metadata = {
        "package_version": "1.1", "argos_version": "1.9", "from_code": "ja",
        "from_name": "Japanese", "to_code": "en", "to_name": "English", "type": "translate",
        "links": [], "description": f"random-weight test package ({shape_name})",
    }
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        model_dir.mkdir()
        spec.save(str(model_dir))
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{PACKAGE_DIR}/metadata.json", json.dumps(metadata, indent=2))
            zf.writestr(f"{PACKAGE_DIR}/sentencepiece.model", sp_model)
            for file in sorted(model_dir.iterdir()):
                zf.write(file, f"{PACKAGE_DIR}/model/{file.name}")
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="where to write the .argosmodel file")
    parser.add_argument("--shape", choices=sorted(SHAPES), default="tiny")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tokenizer", type=Path, help="a SentencePiece .model file to pack")
    args = parser.parse_args(argv)
    tokenizer = args.tokenizer.read_bytes() if args.tokenizer else None
    build_package(args.dest, args.shape, args.seed, tokenizer)
    print(f"wrote {args.dest} ({args.dest.stat().st_size:,} bytes, shape {args.shape})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
