"""Markdown → plain lines, and the front matter (YAML `---` or TOML `+++`) as metadata. Pure."""

from __future__ import annotations

import re
import tomllib

from bot.model import Reading, SourceInfo

_MD_HEADING = re.compile(r"^ {0,3}#{1,6}\s+\S", re.MULTILINE)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def read_markdown(text: str) -> Reading:
    """Markdown → a Reading: the text (see `markdown_to_text`), and the front matter's date
    and canonical URL where it gives them."""
    meta, _ = split_front_matter(text)
    url = meta.get("canonical") or meta.get("url") or ""
    source = SourceInfo(url=url if url.startswith(("http://", "https://")) else "",
                        published=_iso_date(meta.get("date", "")))
    if source.published:
        source = SourceInfo(url=source.url, published=source.published, published_from="page")
    return Reading(markdown_to_text(text), source)


def _iso_date(value: str) -> str:
    """The date part of a front matter date (2024-12-04, 2024-12-04T19:23:00+09:00), or ""."""
    match = re.match(r"(\d{4}-\d{2}-\d{2})(?:[T ]|$)", value.strip())
    return match[1] if match else ""


def markdown_to_text(text: str) -> str:
    """Markdown → plain lines: front matter, headings, emphasis and link syntax removed, lists
    kept as '- '. Without a heading, the front matter's title becomes the first line."""
    meta, text = split_front_matter(text)
    lines = []
    if meta.get("title") and not _MD_HEADING.search(text):
        lines.append(meta["title"])
    for line in text.splitlines():
        stripped = line.strip()
        stripped = re.sub(r"^#{1,6}\s+", "", stripped)
        stripped = re.sub(r"^[*+]\s+", "- ", stripped)
        stripped = re.sub(r"^>\s?", "", stripped)
        stripped = _MD_LINK.sub(r"\1", stripped)
        stripped = _MD_EMPHASIS.sub(r"\2", stripped)
        if re.fullmatch(r"[-*_=]{3,}", stripped):
            stripped = ""
        lines.append(stripped)
    return "\n".join(lines)


_FENCES = {"---": ("---", "..."), "+++": ("+++",)}  # YAML (Jekyll, Hugo…) and TOML (Hugo, Zola)
_YAML_LINE = re.compile(r"(?:[A-Za-z_][\w.-]*\s*:(?:\s.*)?|\s+.*|-\s.*|-|#.*|)")
_YAML_SCALAR = re.compile(r"([A-Za-z_][\w.-]*)\s*:\s+(.*\S)")


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """(metadata, body) of a Markdown text: the leading YAML `---` or TOML `+++` block is
    metadata, never body text. Top-level scalar values only; ({}, text) when there is none."""
    lines = text.lstrip("\ufeff").split("\n")
    closers = _FENCES.get(lines[0].rstrip())
    if closers is None:
        return {}, text
    end = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() in closers), 0)
    block = [line.rstrip("\r") for line in lines[1:end]]
    if not end or not block:
        return {}, text
    meta = _toml_meta(block) if lines[0].startswith("+") else _yaml_meta(block)
    if meta is None:  # a thematic break at the top, not front matter
        return {}, text
    return meta, "\n".join(lines[end + 1:])


def _yaml_meta(block: list[str]) -> dict[str, str] | None:
    if not all(_YAML_LINE.fullmatch(line) for line in block):
        return None
    meta = {}
    for line in block:
        match = _YAML_SCALAR.fullmatch(line)
        if match:
            meta[match[1].lower()] = _unquote(match[2])
    return meta


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        return inner.replace("''", "'") if value[0] == "'" else inner.replace('\\"', '"')
    return re.sub(r"\s+#.*$", "", value)  # an unquoted value ends at a comment


def _toml_meta(block: list[str]) -> dict[str, str] | None:
    try:
        data = tomllib.loads("\n".join(block))
    except tomllib.TOMLDecodeError:
        return None
    return {key.lower(): str(value) for key, value in data.items()
            if isinstance(value, str | int | float) or hasattr(value, "isoformat")}
