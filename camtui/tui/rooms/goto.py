"""The go-to-date prompt: a typed day ("tomorrow", "2026-12-03", "12/3", "+2", "fri") read by parse_day."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from camtui.common.timeparse import parse_day


class GoToDateScreen(ModalScreen[date | None]):
    """Shows the parsed day while typing; a bad entry keeps the prompt open with the parser's message."""

    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, today: date) -> None:
        super().__init__()
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="goto-box") as box:
            box.border_title = "Go to date"
            yield Input(placeholder="tomorrow, 2026-12-03, 12/3, +2, fri", id="goto-input")
            yield Static("", id="goto-error", markup=False)
            yield Static("enter: go · escape: cancel", id="goto-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#goto-input", Input).focus()

    @on(Input.Changed, "#goto-input")
    def _preview(self, event: Input.Changed) -> None:
        error = self.query_one("#goto-error", Static)
        hint = self.query_one("#goto-hint", Static)
        if not event.value.strip():
            error.update("")
            hint.update("enter: go · escape: cancel")
            return
        try:
            day = parse_day(event.value, self.today)
        except ValueError:
            hint.update("enter: go · escape: cancel")
            return
        error.update("")
        hint.update(f"→ {day:%a %Y-%m-%d} · enter: go · escape: cancel")

    @on(Input.Submitted, "#goto-input")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            day = parse_day(event.value, self.today)
        except ValueError as exc:
            self.query_one("#goto-error", Static).update(str(exc))
            return
        self.dismiss(day)

    def action_cancel(self) -> None:
        self.dismiss(None)
