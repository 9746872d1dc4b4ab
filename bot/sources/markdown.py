"""Markdown → plain lines, and the front matter (YAML `---` or TOML `+++`) as metadata. Pure."""

from __future__ import annotations

import html
import re
import tomllib
from datetime import date, time
from functools import cache
from typing import Any

from bot.core.model import Reading, SourceInfo
from bot.sources.web.meta import clean_url, iso_date

_MD_HEADING = re.compile(r"^ {0,3}#{1,6}\s+\S", re.MULTILINE)
# An inline link or image: its target may hold balanced parentheses, two levels deep
# (https://ja.wikipedia.org/wiki/一帯一路_(構想)), or be written in <…>, and carry a title.
_TARGET = r"(?:<[^<>\n]*>|(?:[^()\s]|\((?:[^()\s]|\([^()\s]*\))*\))*+)"
_TITLE = r"""(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?"""
# Link text holds no brackets: a run of "[" must not make every one of them scan the line.
_MD_LINK = re.compile(rf"!?\[([^\[\]]*)\]\(\s*{_TARGET}{_TITLE}\s*\)")
# A reference link [text][label], [text][] or [label], and a label's definition line.
_MD_REFERENCE = re.compile(r"!?\[([^\[\]]+)\](?:\[([^\[\]]*)\])?")
# A definition's target must look like an address: `[注1]: 本文の説明。` is a note, not one.
_MD_DEFINITION = re.compile(
    rf" {{0,3}}\[([^\[\]^][^\[\]]*)\]:\s*(?:<[^<>\n]*>|(?=[^\s()]*[/:#.])[^\s()]++)"
    rf"{_TITLE}\s*")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_MD_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# Kept whole while the line's syntax is removed: a code span's content is literal, and an
# autolink's or a bare URL's underscores are no emphasis.
_PROTECTED = re.compile(
    r"(?P<ticks>`+)(?P<code>.+?)(?P=ticks)"
    r"|<(?:mailto:)?(?P<auto>[a-zA-Z][\w+.-]{1,31}:[^\s<>]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>"
    r"|(?P<url>https?://[^\s<>()\[\]]+)"
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Noncharacters mark a protected piece's place: no text holds them (safe_text drops them), so
# a private-use character (a gaiji) is never taken for one.
_SLOT = re.compile("\ufdd0([0-9]{1,6})\ufdd1")


def read_markdown(text: str) -> Reading:
    """Markdown → a Reading: the text (see `markdown_to_text`), and the front matter's date
    and canonical URL where it gives them."""
    meta, _ = split_front_matter(text)
    # Read as a web page's metadata is: http(s) only, no credentials; a real date. The date
    # part alone: a post's time of day in front matter is rarely more than a guess.
    published = iso_date(meta.get("date", ""))[:10]
    source = SourceInfo(url=clean_url(meta.get("canonical") or meta.get("url") or ""),
                        published=published, published_from="page" if published else "")
    return Reading(markdown_to_text(text), source)


def markdown_to_text(text: str) -> str:
    """Markdown → plain lines: front matter, headings, emphasis and link syntax removed, link
    definitions dropped, entities decoded (not in code), lists kept as '- '; a fenced code
    block's lines are kept as written. Without a heading, the front matter's title becomes
    the first line."""
    meta, text = split_front_matter(text)
    lines = []
    if meta.get("title") and not _MD_HEADING.search(text):
        lines.append(meta["title"])
    source = text.splitlines()
    labels = {_label(m[1]) for line in source if (m := _MD_DEFINITION.fullmatch(line))}
    fence = ""  # the fence of the code block the line is in, if any
    for line in source:
        if fence:
            closing = _MD_FENCE.match(line)
            if closing and closing[1].startswith(fence) and not line[closing.end():].strip():
                fence = ""
            lines.append("" if not fence else line.rstrip())
        elif opening := _MD_FENCE.match(line):
            fence = opening[1]
            lines.append("")
        elif _MD_DEFINITION.fullmatch(line):
            lines.append("")
        else:
            lines.append(_plain_line(line, labels))
    return "\n".join(lines)


def _plain_line(line: str, labels: set[str]) -> str:
    """One line of Markdown as the text a reader sees."""
    protected: list[str] = []

    def protect(match: re.Match[str]) -> str:
        piece = match["code"] if match["ticks"] else match["auto"] or match["url"]
        # A code span's content is literal; an autolink's is a URL, entities decoded.
        protected.append(piece if match["ticks"] else html.unescape(piece))
        return f"\ufdd0{len(protected) - 1}\ufdd1"

    stripped = _PROTECTED.sub(protect, line.strip())
    stripped = re.sub(r"^#{1,6}\s+", "", stripped)
    stripped = re.sub(r"^[*+]\s+", "- ", stripped)
    stripped = re.sub(r"^>\s?", "", stripped)
    stripped = _MD_LINK.sub(r"\1", stripped)
    stripped = _MD_REFERENCE.sub(lambda m: _reference_text(m, labels), stripped)
    stripped = _MD_EMPHASIS.sub(r"\2", stripped)
    if re.fullmatch(r"[-*_=]{3,}", stripped):
        stripped = ""
    stripped = _ENTITY.sub(lambda m: html.unescape(m[0]), stripped)
    return _SLOT.sub(lambda m: _restored(m, protected), stripped)


def _restored(match: re.Match[str], protected: list[str]) -> str:
    index = int(match[1])
    return protected[index] if index < len(protected) else match[0]  # hostile input's own


def _reference_text(match: re.Match[str], labels: set[str]) -> str:
    """A reference link's text when its label is defined; other brackets are text
    (`[注1]`, `[速報]`)."""
    label = match[2] or match[1]
    return match[1] if _label(label) in labels else match[0]


def _label(label: str) -> str:
    """Reference labels match case-insensitively, white space collapsed (CommonMark)."""
    return " ".join(label.split()).casefold()


_FENCES = {"---": ("---", "..."), "+++": ("+++",)}  # YAML (Jekyll, Hugo…) and TOML (Hugo, Zola)
# Longer is no site generator's metadata: left unparsed, as text (a valid YAML block of
# megabytes would take seconds to read).
_FRONT_MATTER_MAX = 100_000
# Front matter keys look like these; `注: …` between two thematic breaks is prose.
_KEY = re.compile(r"[A-Za-z_][\w.-]*")


@cache
def _front_matter_loader() -> Any:
    """yaml.safe_load's rules (plain data, never objects), in a class of its own: the
    timestamp rule below changes no other reader's YAML. Made on first use: PyYAML is loaded
    only for a file with YAML front matter (every run's process imports this module)."""
    import yaml

    try:  # libyaml's parser: the same rules, several times faster
        from yaml import CSafeLoader as SafeLoader
    except ImportError:  # PyYAML built without libyaml
        from yaml import SafeLoader  # type: ignore[assignment]

    class FrontMatterLoader(SafeLoader):
        pass

    def timestamp(loader: FrontMatterLoader, node: yaml.ScalarNode) -> object:
        """A YAML date as a date; an impossible one (2024-13-45) as text, which iso_date
        then refuses, rather than a failure that would cost the rest of the front matter."""
        try:
            return loader.construct_yaml_timestamp(node)
        except ValueError:
            return loader.construct_scalar(node)

    FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    return FrontMatterLoader


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """(metadata, body) of a Markdown text: the leading YAML `---` or TOML `+++` block is
    metadata, never body text. Top-level scalar values only; ({}, text) when there is none."""
    lines = text.lstrip("\ufeff").split("\n")
    closers = _FENCES.get(lines[0].rstrip())
    if closers is None:
        return {}, text
    end = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() in closers), 0)
    block = "\n".join(line.rstrip("\r") for line in lines[1:end])
    if end < 2 or len(block) > _FRONT_MATTER_MAX:  # not closed, or nothing inside
        return {}, text
    meta = _toml_meta(block) if lines[0].startswith("+") else _yaml_meta(block)
    if meta is None:  # a thematic break at the top, not front matter
        return {}, text
    return meta, "\n".join(lines[end + 1:])


def _yaml_meta(block: str) -> dict[str, str] | None:
    import yaml

    try:
        data = yaml.load(block, Loader=_front_matter_loader())  # safe_load's rules
    except (yaml.YAMLError, ValueError, RecursionError):  # ValueError: an int of 5,000 digits
        return None
    if data is None:  # comments only
        return {}
    if not isinstance(data, dict) or not all(
            isinstance(key, str) and _KEY.fullmatch(key) for key in data):
        return None
    return _scalars(data)


def _toml_meta(block: str) -> dict[str, str] | None:
    try:
        data = tomllib.loads(block)
    except tomllib.TOMLDecodeError:
        return None
    return _scalars(data)


def _scalars(data: dict[str, object]) -> dict[str, str]:
    """The top-level text, number and date values as text, keys in lower case. Not booleans:
    `draft: no` names no title."""
    meta = {}
    for key, value in data.items():
        if isinstance(value, date | time):  # a datetime is a date
            meta[key.lower()] = value.isoformat()
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            meta[key.lower()] = str(value)
    return meta
