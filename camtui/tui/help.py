"""The `?` screen: every key of the app and of each pane, built from the live bindings so it never goes stale."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Label, Static

HelpSection = tuple[str, Sequence[tuple[str, str]]]
"""(title, [(keys, description), …])."""

INTRO = (
    "camtui watches meeting rooms and web calls and sends messages through the Chat&Messenger API. "
    "Keys below work where the pane has focus; app keys work everywhere except while typing in a text field "
    "(press escape first, or use alt+1/2/3 there). Everything is also in the command palette (ctrl+p)."
)


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
        self.sections = list(sections)

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
            yield Label("escape / ? close", id="help-footer")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
