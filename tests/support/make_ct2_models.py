"""Build random-weight CTranslate2 model folders shaped like the public families, for tests.

    python tests/support/make_ct2_models.py DEST_FOLDER --family marian|m2m100|nllb
                                            [--shape tiny|real]

Each folder is what `ct2-transformers-converter` writes (model.bin, config.json, a shared
vocabulary) beside the family's tokenizer files, with the family's conventions:

    marian   source.spm + target.spm (two SentencePiece models), one shared vocabulary
    m2m100   sentencepiece.bpe.model; __ja__, __en__ … in the vocabulary, </s> decoder start
    nllb     sentencepiece.bpe.model; jpn_Jpan, eng_Latn … in the vocabulary

The tiny shape of make_test_model (2+2 layers, d_model 32): built in well under a second;
`real` (6+6 layers, d_model 512, the vocabulary padded to 50,000 as make_test_model pads it)
costs what a real model of that size costs, for bench/engines.py. The weights are random, so
the English is garbage by design: use it to test plumbing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import sentencepiece as spm

from tests.support.make_test_model import SHAPES, build_spec, train_sentencepiece

FAMILIES = ("marian", "m2m100", "nllb")
LANGUAGE_TOKENS = {
    "m2m100": ["__ja__", "__en__", "__zh__", "__ko__"],
    "nllb": ["jpn_Jpan", "eng_Latn", "zho_Hans", "kor_Hang"],
}


def _pieces(model: bytes) -> list[str]:
    processor = spm.SentencePieceProcessor(model_proto=model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def build_model_folder(dest: Path, family: str, seed: int = 11,
                       shape_name: str = "tiny") -> Path:
    """Write a complete model folder of `family` to `dest` (created) and return it."""
    shape = SHAPES[shape_name]
    dest.mkdir(parents=True, exist_ok=True)
    if family == "marian":
        # Two tokenizers, cut differently, one shared vocabulary (as OPUS-MT's conversions).
        source, target = train_sentencepiece(1200), train_sentencepiece(1000)
        (dest / "source.spm").write_bytes(source)
        (dest / "target.spm").write_bytes(target)
        tokens = list(dict.fromkeys([*_pieces(source), *_pieces(target)]))
    elif family in LANGUAGE_TOKENS:
        model = train_sentencepiece(shape.vocab)
        (dest / "sentencepiece.bpe.model").write_bytes(model)
        tokens = [*_pieces(model), *LANGUAGE_TOKENS[family]]
    else:
        raise ValueError(f"unknown family {family!r}")
    if shape_name != "tiny":  # the tests' folders stay exactly as they were
        tokens += [f"<extra_{i}>" for i in range(shape.vocab - len(tokens))]
    spec = build_spec(shape, tokens, seed)
    # As ct2-transformers-converter sets it for all three families.
    spec.config.decoder_start_token = "</s>"
    spec.validate()
    spec.optimize(quantization="int8")
    spec.save(str(dest))
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="the model folder to write")
    parser.add_argument("--family", choices=FAMILIES, default="marian")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="tiny")
    args = parser.parse_args(argv)
    build_model_folder(args.dest, args.family, args.seed, args.shape)
    print(f"wrote {args.dest} ({args.family}, shape {args.shape})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
