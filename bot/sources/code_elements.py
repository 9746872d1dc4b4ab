"""Script and style elements in a text file saved from a page's source: code, never text."""

from __future__ import annotations

import re

# An element opens a line or follows a tag or a space; "<script>" inside a word or a URL
# (`[link](http://example.com/<script>)`) is text. Its attributes are bounded: a stray
# "<script" in prose must not scan the rest.
_CODE_OPENER = re.compile(r"(?<![^\s>])<(script|style)\b([^<>]{0,2000})>", re.IGNORECASE)
# A script of data, not code: JSON-LD is where a page's reader finds its date and headline.
_DATA_SCRIPT = re.compile(r"""\btype\s*=\s*["']?[^"'\s>]*(?:json|template)""", re.IGNORECASE)
_CODE_CLOSERS = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in ("script", "style")}


def strip_code_elements(text: str) -> str:
    """`text` without its <script> and <style> elements, tags and content.

    They are code, never text to read: a text file saved from a page's source can start
    with one, and its ASCII outweighs the Japanese after it (the file was skipped as not
    Japanese, the script line taken for a title). An element starts where a tag can (see
    _CODE_OPENER) and ends at the first closing tag of its name, as in an HTML parser; one
    that is never closed is left alone, and so is a script of data (JSON-LD). Linear: each
    closing tag is searched for once, and not again once it is known to be missing.
    """
    if "<" not in text:
        return text
    pieces, start, position = [], 0, 0
    unclosed: set[str] = set()
    while (opener := _CODE_OPENER.search(text, position)) is not None:
        name = opener[1].lower()
        if name == "script" and _DATA_SCRIPT.search(opener[2]):
            position = opener.end()
            continue
        closer = None if name in unclosed else _CODE_CLOSERS[name].search(text, opener.end())
        if closer is None:
            unclosed.add(name)
            position = opener.end()
            continue
        pieces.append(text[start:opener.start()])
        start = position = closer.end()
    return "".join(pieces) + text[start:] if pieces else text
