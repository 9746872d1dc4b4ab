"""Judges for the web archive: strict HTML5 parsing, and links that stay inside OUT/."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib


def parse_html5(path: Path) -> ET.Element:
    """The page's tree; html5lib.html5parser.ParseError on any HTML5 parse error."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    root: ET.Element = parser.parse(path.read_text(encoding="utf-8"))
    return root


def broken_links(out: Path) -> list[str]:
    """Every relative href/src in OUT's pages whose target is not a file inside OUT."""
    problems = []
    root = out.resolve()
    for page in sorted(out.rglob("*.html")):
        for element in parse_html5(page).iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is None:
                    continue
                parts = urlsplit(value)
                if parts.scheme or parts.netloc or value.startswith("#"):
                    continue  # an outside link (source URLs) or an anchor in the page
                target = (page.parent / unquote(parts.path)).resolve()
                if not target.is_file() or root not in target.parents:
                    problems.append(f"{page.relative_to(out)}: {value}")
    return problems
