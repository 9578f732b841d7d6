"""The layout's rules, checked on the source: which top-level package may import which.

A file's folder says what it may import (README, "For developers"). The engines know no screen and no command
line; the client is a library; nothing but the entry point imports the command line. Imports inside functions
count too (ast.walk sees them), so a lazy import cannot hide a layering break.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "camtui"

# layer -> the camtui layers it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "common": set(),
    "api": {"common"},
    "config": {"api", "common"},
    "store": {"api", "common", "config"},
    "compose": {"api", "common", "config", "store"},
    "admin": {"api", "common", "compose", "config", "store"},
    "alerts": {"api", "common", "compose", "config", "store"},
    "sandbox": {"api", "common"},
    "web": {"common", "config"},
    "tui": {"admin", "alerts", "api", "common", "compose", "config", "store"},
    "cli": {"admin", "alerts", "api", "common", "compose", "config", "sandbox", "store", "tui", "web"},
    "__main__": {"cli"},
}
SCREEN_LIBRARIES = {"textual", "rich"}
# tui/ packages that are a pane or a screen: they talk through tui/shell events, the App routes them
PANES = {"rooms", "calls", "composer", "admin", "alerts"}
NO_SCREEN = {"common", "api", "config", "store", "compose", "admin", "alerts", "sandbox"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str) -> list[tuple[int, str]]:
    """Every imported module name with its line, relative imports resolved."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = name.split(".")
                keep = len(parts) - node.level + (1 if path.name == "__init__.py" else 0)
                base = ".".join(parts[:keep] + ([base] if base else []))
            found.append((node.lineno, base))
    return found


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "(root)"


def _pane(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "tui" and parts[2] in PANES else None


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_layer_is_known() -> None:
    layers = {_layer(_module_name(p)) for p in _sources()} - {"(root)"}
    assert layers <= set(ALLOWED), f"add the new package's rules to ALLOWED: {sorted(layers - set(ALLOWED))}"


def _breaks(path: Path, name: str) -> list[str]:
    layer = _layer(name)
    if layer == "(root)":
        return []
    breaks = []
    for line, target in _imports(path, name):
        top = target.split(".")[0]
        if top == "camtui":
            other = _layer(target)
            if other not in (layer, "(root)") and other not in ALLOWED[layer]:
                breaks.append(f"line {line}: {layer} imports {target}")
            if layer == "tui" and _pane(name) and _pane(target) and _pane(target) != _pane(name):
                breaks.append(f"line {line}: pane {_pane(name)} imports pane {target}")
        elif top in SCREEN_LIBRARIES and layer in NO_SCREEN:
            breaks.append(f"line {line}: {layer} imports {target} (engines know no screen)")
    return breaks


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_imports_follow_the_layers(path: Path) -> None:
    breaks = _breaks(path, _module_name(path))
    assert not breaks, "\n".join(breaks)


def test_the_rule_catches_a_break(tmp_path: Path) -> None:
    """The checker itself: breaks are reported, lazy and relative imports included (so the test above can fail)."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from ..tui.app import CamApp\n"
        "def later():\n    import textual.app\n    from camtui.cli import main\n"
        "from . import outbox\nfrom camtui.api import client\n",
        encoding="utf-8",
    )
    pane = tmp_path / "pane.py"
    pane.write_text("from ..calls.table import CallsTable\nfrom ..shell import events\n", encoding="utf-8")
    assert _breaks(pane, "camtui.tui.rooms.pane") == [
        "line 1: pane rooms imports pane camtui.tui.calls.table"
    ]
    assert _breaks(probe, "camtui.store.probe") == [
        "line 1: store imports camtui.tui.app",
        "line 3: store imports textual.app (engines know no screen)",
        "line 4: store imports camtui.cli",
    ]
