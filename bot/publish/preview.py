"""No token configured: each Telegram message is written to OUT/telegram/NNN.html instead."""

from __future__ import annotations

import re
from pathlib import Path

from bot.publish.files import write_atomic

PREVIEW_DIR = "telegram"


def write_preview(out_dir: Path, body: str) -> Path:
    """Write one message as the next numbered preview file and return its path."""
    folder = out_dir / PREVIEW_DIR
    numbers = [int(m.group(1)) for p in folder.glob("*.html")
               if (m := re.fullmatch(r"(\d+)\.html", p.name))] if folder.is_dir() else []
    path = folder / f"{max(numbers, default=0) + 1:03d}.html"
    write_atomic(path, body + "\n")
    return path
