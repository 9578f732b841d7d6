"""The `?` screen: every key of the app and of each pane, built from the live bindings so it never goes stale."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from camtui.tui.shell.bindings import camtui_bindings
from camtui.tui.shell.keys import KEYMAP_FILE

HelpSection = tuple[str, Sequence[tuple[str, str]]]
"""(title, [(keys, description), …])."""

INTRO = (
    "camtui watches meeting rooms and web calls and sends messages through the Chat&Messenger API. "
    "Keys below work where the pane has focus; app keys work everywhere except while typing in a text field "
    "(press esc first, or use alt+1/2/3 there). Everything is also in the command palette (ctrl+p).\n"
    f"Copying uses OSC 52 (tmux: set -g set-clipboard on). Rebind shared keys in {KEYMAP_FILE}."
)

_KEY = re.compile(r"((?:[a-z]+\+)*)(.+)")
"""A shown key: modifiers spelled out ("shift+", "alt+"), then the key itself (which may be "+" or "^q")."""
_KEY_WORDS = {"⏎": "enter", "⌫": "backspace"}
"""Textual's glyphs that read worse than the key's name (arrows stay arrows)."""


def readable_key(shown: str) -> str:
    """One key in the help's notation: Textual's footer shorthand "^q" becomes "ctrl+q", "⏎" becomes "enter",
    so every row reads like the intro and the README ("ctrl+p", "alt+1")."""
    match = _KEY.fullmatch(shown)
    if match is None:
        return shown
    modifiers = [m for m in match.group(1).split("+") if m]
    key = match.group(2)
    if key.startswith("^") and len(key) > 1:
        modifiers.insert(0, "ctrl")
        key = key[1:]
    return "+".join([*modifiers, _KEY_WORDS.get(key, key)])


def readable_keys(shown: str) -> str:
    """A row's keys ("^q, q") in the help's notation ("ctrl+q, q")."""
    return ", ".join(readable_key(key) for key in shown.split(", "))


def bindings_section(
    title: str, node: DOMNode | type[DOMNode], key_display: Callable[[Binding], str]
) -> HelpSection:
    """The described bindings of a widget (or widget class), merged by action: "j, down  Move down"."""
    bindings_map = node._merge_bindings() if isinstance(node, type) else node._bindings
    bindings = [b for group in bindings_map.key_to_bindings.values() for b in group]
    rows: dict[tuple[str, str], list[str]] = {}
    for binding in bindings:
        if not binding.description:
            continue
        key = (binding.action, binding.description)
        shown = key_display(binding)
        if shown not in rows.setdefault(key, []):
            rows[key].append(shown)
    return title, [(", ".join(keys), description) for (_action, description), keys in rows.items()]


def own_rows(cls: type[DOMNode], key_display: Callable[[Binding], str]) -> list[tuple[str, str]]:
    """The described bindings camtui's own classes declare on `cls` (not Textual's stock tab / ctrl+c),
    merged by action: a screen's keys for the help."""
    rows: dict[tuple[str, str], list[str]] = {}
    for binding in camtui_bindings(cls):  # type: ignore[arg-type]
        if binding.description:
            shown = key_display(binding)
            keys = rows.setdefault((binding.action, binding.description), [])
            if shown not in keys:
                keys.append(shown)
    return [(", ".join(keys), description) for (_action, description), keys in rows.items()]


class HelpScreen(ModalScreen[None]):
    """Keys, grouped by where they work. Escape, `?` or `q` closes it."""

    BINDINGS: ClassVar = [
        Binding("escape,question_mark,q,f1", "dismiss_help", "Close help"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    """

    def __init__(self, sections: Sequence[HelpSection]) -> None:
        super().__init__(id="help")
        self.sections = [
            (title, [(readable_keys(keys), desc) for keys, desc in rows]) for title, rows in sections
        ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Label("camtui — keys", id="help-title")
            yield Static(INTRO, id="help-intro", markup=False)
            with VerticalScroll(id="help-body"):
                for title, rows in self.sections:
                    if not rows:
                        continue
                    yield Label(title, classes="help-section", markup=False)
                    width = max(len(keys) for keys, _ in rows)
                    text = "\n".join(f"  {keys.ljust(width)}   {desc}" for keys, desc in rows)
                    yield Static(text, classes="help-rows", markup=False)
            yield Label("esc / ? close", id="help-footer")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
