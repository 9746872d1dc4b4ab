"""No token configured: each Telegram message is written to OUT/telegram/NNN.html instead."""

from __future__ import annotations

import re
from pathlib import Path

from bot.publish.files import write_new

PREVIEW_DIR = "telegram"


def write_preview(out_dir: Path, body: str) -> Path:
    """Write one message as the next numbered preview file and return its path.

    The job lock keeps other processes out; the number is taken with an exclusive link all
    the same, so an existing NNN.html is never overwritten whoever wrote it.
    """
    folder = out_dir / PREVIEW_DIR
    numbers = [int(m.group(1)) for p in folder.glob("*.html")
               if (m := re.fullmatch(r"(\d+)\.html", p.name))] if folder.is_dir() else []
    number = max(numbers, default=0) + 1
    while not write_new(folder / f"{number:03d}.html", body + "\n"):
        number += 1
    return folder / f"{number:03d}.html"
