"""Where the shipped folders (templates/, glossary/, seeds/) are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

from bot.core.errors import ConfigError

_PACKAGE = Path(__file__).resolve().parents[1]  # bot/, beside which a checkout keeps them


def resource_dir(name: str) -> Path:
    """A top-level project folder: inside the wheel (bot/_data/NAME) or beside the package."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise ConfigError(f"Kakehashi's {name}/ folder is missing from the installation")
