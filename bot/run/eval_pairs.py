"""The editors' past translations as evaluation pairs: parsed from text, never read here. Pure.

Two forms: a TSV file (Japanese<TAB>English per line; blank lines and `#` comments skipped),
or two line-aligned files (NAME.ja.txt, NAME.en.txt). Each broken line is an InputError
naming its file and line, so a pairs file is fixed in one look.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.errors import InputError
from bot.text.bound import cut_sentence
from bot.text.clean import normalize
from bot.text.sentences import split_sentences


@dataclass(frozen=True)
class Sample:
    """One Japanese text and the editors' English for it."""

    ja: str
    en: str


def parse_tsv(text: str, name: str) -> list[Sample]:
    """The pairs of a TSV text (`name` is its file, for the error messages)."""
    samples = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        problem = (f"{len(fields)} field(s)" if len(fields) != 2
                   else "" if fields[0].strip() and fields[1].strip() else "an empty side")
        if problem:
            raise InputError(f"eval: {name}:{number}: expected Japanese<TAB>English, "
                             f"got {problem}")
        samples.append(Sample(fields[0].strip(), fields[1].strip()))
    return samples


def align(ja_text: str, en_text: str, ja_name: str, en_name: str) -> list[Sample]:
    """The pairs of two line-aligned texts: line N of one translates line N of the other.
    Lines blank in both are skipped; a line blank on one side only is an error."""
    ja_lines, en_lines = _lines(ja_text), _lines(en_text)
    if len(ja_lines) != len(en_lines):
        raise InputError(f"eval: {ja_name} has {len(ja_lines)} line(s) and {en_name} "
                         f"{len(en_lines)}: the two files must be line-aligned")
    samples = []
    for number, (ja, en) in enumerate(zip(ja_lines, en_lines, strict=True), start=1):
        if not ja.strip() and not en.strip():
            continue
        if not ja.strip() or not en.strip():
            blank, other = (ja_name, en_name) if not ja.strip() else (en_name, ja_name)
            raise InputError(f"eval: {blank}:{number}: blank where {other}:{number} is not: "
                             "the two files must be line-aligned")
        samples.append(Sample(ja.strip(), en.strip()))
    return samples


def _lines(text: str) -> list[str]:
    """The lines, without the blank ones at the end (a final newline or two is no line)."""
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def prepared(sample: Sample) -> Sample:
    """`sample` as the pipeline reads Japanese: NFKC, one newline style (bot.text.clean)."""
    return Sample(normalize(sample.ja).strip(), sample.en)


def sentences_of(ja: str) -> list[str]:
    """What the pipeline would hand the model for this (prepared) Japanese: its sentences,
    an over-long one cut into pieces."""
    return [piece for line in ja.split("\n") if line.strip()
            for sentence in split_sentences(line.strip()) for piece in cut_sentence(sentence)]
