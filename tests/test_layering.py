"""The house's floors hold: the read side and the bottom modules do not pull in the layers
above them (a `status` that imported the publish stack took 1.2 s to start)."""

from __future__ import annotations

import re
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


# The parts from the bottom up, as the README's layout section lists them: a part may import
# the parts before it, never one after it (type-only imports included: they are arrows too).
FLOORS = ("core", "config", "text", "state", "sources", "translate", "glossary", "telegram",
          "publish", "run", "service", "chat", "cli")
IMPORT = re.compile(r"^\s*(?:from|import) bot\.(\w+)", re.MULTILINE)


def test_every_part_imports_only_the_parts_below_it():
    parts = sorted(path.name for path in BOT.iterdir() if (path / "__init__.py").is_file())
    assert set(parts) <= set(FLOORS), "a new part of bot/ needs its floor here and in README"
    upward = []
    for path in sorted(BOT.rglob("*.py")):
        part = path.relative_to(BOT).parts[0]
        if part not in FLOORS:
            continue
        for name in IMPORT.findall(path.read_text(encoding="utf-8")):
            if FLOORS.index(name) > FLOORS.index(part):
                upward.append(f"{path.relative_to(BOT)} imports bot.{name}")
    assert not upward, upward


def test_readme_lists_the_parts_in_floor_order():
    readme = (BOT.parent / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^bot/(\w+)/ ", readme, re.MULTILINE)
    present = [part for part in FLOORS if (BOT / part / "__init__.py").is_file()]
    assert listed == present
