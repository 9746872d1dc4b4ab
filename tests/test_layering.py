"""The house's floors hold: the read side and the bottom modules do not pull in the layers
above them (a `status` that imported the publish stack took 1.2 s to start)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"


def loaded_after(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


@pytest.mark.parametrize("module", ["bot.state.status", "bot.state.release", "bot.core.redact"])
def test_read_side_does_not_load_the_publish_stack(module):
    loaded = loaded_after(module)
    assert module in loaded
    assert not {name for name in loaded if name.split(".")[0] in {"jinja2", "telegram"}}
    assert not {name for name in loaded if name.startswith(("bot.publish", "bot.run"))}


def test_core_imports_only_core():
    for path in sorted((BOT / "core").glob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(("from bot", "import bot")):
                assert line.split()[1].startswith("bot.core"), f"{path.name}: {line}"


def test_root_holds_only_the_entry_points():
    modules = sorted(path.name for path in BOT.glob("*.py"))
    assert modules == ["__init__.py", "__main__.py"]
