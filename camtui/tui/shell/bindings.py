"""Which key bindings are camtui's own, and how they read in help and the command palette."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.binding import Binding
from textual.widget import Widget


def camtui_bindings(widget: Widget | type[Widget]) -> list[Binding]:
    """Bindings declared by our classes in the MRO (not Textual's stock scroll/cursor/input keys)."""
    cls = widget if isinstance(widget, type) else type(widget)
    found: list[Binding] = []
    for klass in cls.__mro__:
        if klass.__module__.split(".")[0] in ("textual", "textual_autocomplete", "builtins"):
            continue
        for raw in klass.__dict__.get("BINDINGS", ()):
            found.extend(Binding.make_bindings([raw]))
    return found


_NAVIGATION_KEYS = frozenset(
    {"up", "down", "left", "right", "pageup", "pagedown", "home", "end", "ctrl+home", "ctrl+end"}
)
_NAVIGATION_NAMES = ("cursor", "scroll", "page", "jump", "move", "first", "last")


def navigation_actions(bindings: Iterable[Binding]) -> set[str]:
    """Cursor/scroll actions (by key or by name): shown in help, but not commands worth a palette entry."""
    found = set()
    for binding in bindings:
        name = binding.action.split("(", 1)[0].rsplit(".", 1)[-1]
        if binding.key in _NAVIGATION_KEYS or name.startswith(_NAVIGATION_NAMES):
            found.add(binding.action)
    return found


def describe_bindings(
    widget: Widget, key_display: Callable[[Binding], str]
) -> tuple[str, list[tuple[str, str]]]:
    """(title, [(keys, description)]) for the widget's own described bindings, keys of one action joined."""
    rows: dict[tuple[str, str], list[str]] = {}
    for binding in camtui_bindings(widget):
        if not binding.description:
            continue
        keys = rows.setdefault((binding.action, binding.description), [])
        shown = key_display(binding)
        if shown not in keys:
            keys.append(shown)
    return "", [(", ".join(keys), desc) for (_action, desc), keys in rows.items()]
