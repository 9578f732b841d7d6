"""A yes/no dialog for the composer's risky moments: many recipients, a very long message, a resend that may
duplicate, a discard. The default answer is always the safe one (Escape / n = no)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True only on an explicit yes."""

    BINDINGS = [  # noqa: RUF012
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(
        self, title: str, body: str, *, yes: str = "Send", no: str = "Cancel", danger: bool = False
    ) -> None:
        super().__init__(classes="composer-confirm")
        self._title = title
        self._body = body
        self._yes = yes
        self._no = no
        self._danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(self._title, id="confirm-title", markup=False)
            yield Static(self._body, id="confirm-body", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(
                    f"{self._yes} (y)", id="confirm-yes", variant="error" if self._danger else "primary"
                )
                yield Button(f"{self._no} (n)", id="confirm-no")

    def on_mount(self) -> None:
        # The safe answer has the focus, so a stray Enter does not send.
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
