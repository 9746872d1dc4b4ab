"""No token configured: each Telegram message is written to OUT/telegram/NNN.html instead.

A preview is a small page a browser shows readably (line breaks kept); the message itself sits
unchanged between two markers, and `preview_body` reads it back exactly as Telegram gets it.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.publish.files import write_new
from bot.publish.render import render_preview

PREVIEW_DIR = "telegram"
_BODY = re.compile(r"<!-- telegram message -->(.*)<!-- /telegram message -->", re.DOTALL)


def write_preview(out_dir: Path, body: str) -> Path:
    """Write one message as the next numbered preview file and return its path.

    The job lock keeps other processes out; the number is taken with an exclusive link all
    the same, so an existing NNN.html is never overwritten whoever wrote it.
    """
    folder = out_dir / PREVIEW_DIR
    numbers = [int(m.group(1)) for p in folder.glob("*.html")
               if (m := re.fullmatch(r"(\d+)\.html", p.name))] if folder.is_dir() else []
    number = max(numbers, default=0) + 1
    page = render_preview(body)
    while not write_new(folder / f"{number:03d}.html", page):
        number += 1
    return folder / f"{number:03d}.html"


def find_preview(out_dir: Path, body: str, newest: int = 20) -> Path | None:
    """The preview already holding `body`, among the newest few, if any.

    A process stopped while writing previews leaves its message claimed; unlike a Telegram
    send, whether its preview landed can be seen, so it is never written twice.
    """
    folder = out_dir / PREVIEW_DIR
    if not folder.is_dir():
        return None
    numbered = sorted((int(m.group(1)), p) for p in folder.glob("*.html")
                      if (m := re.fullmatch(r"(\d+)\.html", p.name)))
    for _, path in reversed(numbered[-newest:]):
        try:
            if preview_body(path.read_text(encoding="utf-8")) == body:
                return path
        except (OSError, UnicodeDecodeError):
            continue
    return None


def preview_body(page: str) -> str:
    """The Telegram message inside a preview page (the whole text for an older bare one)."""
    match = _BODY.search(page)
    return match.group(1) if match else page.rstrip("\n")
