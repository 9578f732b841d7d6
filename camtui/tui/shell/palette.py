"""The command palette's pane commands: each widget's own commands, then its described bindings."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any, Protocol

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from camtui.tui.shell.admin_entry import admin_commands
from camtui.tui.shell.alerts_entry import alerts_commands
from camtui.tui.shell.bindings import camtui_bindings, navigation_actions
from camtui.tui.shell.panes import PANE_IDS, pane_title


class PaletteHost(Protocol):
    """What the palette needs from the app (the app shell satisfies it; no import of the app here)."""

    def focused_pane(self, screen: Screen[Any] | None = None) -> Widget | None: ...
    def report_error(self, exc: BaseException, source: str) -> None: ...
    def get_key_display(self, binding: Binding) -> str: ...
    async def run_action(self, action: Any, default_namespace: Any = None) -> bool: ...


def pane_commands(app: PaletteHost, screen: Screen[Any]) -> Iterable[SystemCommand]:
    """Each widget's `palette_commands()`, then its described bindings (run on that widget) not already
    covered by one of those (same action method, or same title). One command per title: widgets in the
    focused pane win, so a title shared by several widgets runs where the user is."""
    focused_pane = app.focused_pane(screen)
    widgets = [w for w in screen.query("*") if isinstance(w, Widget)]
    if focused_pane is not None:
        widgets.sort(key=lambda w: not (w is focused_pane or focused_pane in w.ancestors))
    offered: set[str] = set()
    yield from admin_commands(app)
    yield from alerts_commands(app)
    for command in _widget_commands(app, widgets):
        if command.title not in offered:
            offered.add(command.title)
            yield command


def _widget_commands(app: PaletteHost, widgets: Iterable[Widget]) -> Iterable[SystemCommand]:
    for widget in widgets:
        prefix = _pane_title_for(widget)
        explicit: list[SystemCommand] = []
        extra = getattr(widget, "palette_commands", None)
        if callable(extra):
            try:
                explicit = list(extra())
            except Exception as exc:
                app.report_error(exc, prefix or "palette")
        yield from explicit
        titles = {command.title for command in explicit}
        covered = {
            command.callback.__name__.removeprefix("action_")
            for command in explicit
            if getattr(command.callback, "__self__", None) is widget
        }
        bindings = camtui_bindings(widget)
        navigation = navigation_actions(bindings)
        seen: set[str] = set()
        for binding in bindings:
            action = binding.action
            if not binding.description or action in seen or action in navigation or action in covered:
                continue
            seen.add(action)
            title = f"{prefix}: {binding.description}" if prefix else binding.description
            if title in titles:
                continue
            help_text = binding.tooltip or f"key: {app.get_key_display(binding)}"
            yield SystemCommand(title, help_text, partial(app.run_action, action, widget))


def _pane_title_for(widget: Widget) -> str:
    for node in (widget, *widget.ancestors):
        if isinstance(node, Widget) and node.id in PANE_IDS:
            title = pane_title(node.id)
            return str(getattr(node, "PANE_TITLE", title))
    return ""
