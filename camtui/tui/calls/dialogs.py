"""Small dialogs the calls pane asks with: one validated line of text, and a yes/no question."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

T = TypeVar("T")


class CallsPrompt(ModalScreen[T | None], Generic[T]):
    """Ask for one line; `validate` turns it into a value or raises ValueError with the message to show."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(
        self,
        title: str,
        prompt: str,
        validate: Callable[[str], T],
        *,
        placeholder: str = "",
        value: str = "",
    ) -> None:
        super().__init__(classes="calls-dialog")
        self._title = title
        self._prompt = prompt
        self._validate = validate
        self._placeholder = placeholder
        self._value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="calls-dialog-box"):
            yield Label(self._title, classes="calls-dialog-title", markup=False)
            yield Static(self._prompt, classes="calls-dialog-text", markup=False)
            yield Input(value=self._value, placeholder=self._placeholder, id="calls-prompt-input")
            yield Static("", id="calls-prompt-error", classes="calls-dialog-error", markup=False)
            yield Static("enter: OK · escape: cancel", classes="calls-dialog-hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            value = self._validate(event.value)
        except ValueError as exc:
            self.query_one("#calls-prompt-error", Static).update(str(exc))
            return
        self.accept(value)

    def accept(self, value: T) -> None:
        """A valid line: close with its value (a subclass may check it further first)."""
        self.dismiss(value)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#calls-prompt-error", Static).update("")

    def action_cancel(self) -> None:
        self.dismiss(None)


class CallsConfirm(ModalScreen[bool]):
    """A yes/no question: y or enter for yes, n or escape for no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, title: str, question: str) -> None:
        super().__init__(classes="calls-dialog")
        self._title = title
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="calls-dialog-box"):
            yield Label(self._title, classes="calls-dialog-title", markup=False)
            yield Static(self._question, classes="calls-dialog-text", markup=False)
            yield Static("y: yes · n / escape: no", classes="calls-dialog-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class CallsQuestion(ModalScreen[bool]):
    """A one-line y/n question for actions that cannot be undone: only `y` says yes (not enter, so a stray
    key press never does it); n or escape say no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__(classes="calls-dialog")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="calls-question-box"):
            yield Static(self.question, id="calls-question-text", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
