"""A yes/no dialog that names what will happen (counts, the file's first rows); Escape is no."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmModal(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
    ]

    def __init__(self, title: str, lines: list[str], yes: str) -> None:
        super().__init__()
        self._title = title
        self._lines = lines
        self._yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="admin-confirm"):
            yield Static(self._title, id="admin-confirm-title", markup=False)
            yield Static("\n".join(self._lines), id="admin-confirm-body", markup=False)
            with Horizontal():
                yield Button(self._yes, variant="warning", id="admin-confirm-yes")
                yield Button("Cancel", id="admin-confirm-no")

    @on(Button.Pressed, "#admin-confirm-yes")
    def _yes_pressed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#admin-confirm-no")
    def _no_pressed(self) -> None:
        self.dismiss(False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
