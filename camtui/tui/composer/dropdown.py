"""An input with our own suggestion dropdown.

The stock textual-autocomplete re-scores every candidate on each keystroke (about 1.5 s at 50k users). Here the
owner hands in a `suggest` callable (an indexed matcher, already capped and ranked), and the dropdown only shows
what it returns. Focus stays in the input: up/down move the highlight, Enter/Tab accept, Escape closes (with the
list closed, Escape is not handled here and goes on to the owner, which uses it to leave the field).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from camtui.tui.shell.cells import cut_content


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One row of the dropdown: `value` is what gets inserted, `label` what is shown."""

    value: str
    label: Content | str


SuggestFn = Callable[[str], Sequence[Suggestion]]
"""Given the fragment being typed, the suggestions to show (already ranked and capped)."""


class SuggestionDropdown(OptionList, can_focus=False):
    """The list under the input. It never takes focus; it floats over the widgets below (overlay)."""

    def __init__(self, *, classes: str | None = None) -> None:
        # Labels are names and addresses from the directory: a plain str label is never parsed as markup.
        super().__init__(classes=classes, markup=False)
        self._suggestions: list[Suggestion] = []

    @property
    def suggestions(self) -> list[Suggestion]:
        """What is listed, in order."""
        return list(self._suggestions)

    def show_suggestions(self, suggestions: Sequence[Suggestion]) -> None:
        in_place = bool(suggestions) and self.display and len(suggestions) == len(self._suggestions)
        self._suggestions = list(suggestions)
        self._label_cells = self._label_width()
        self._put_labels(in_place)
        self.display = bool(suggestions)
        if suggestions:
            self.highlighted = 0

    _label_cells = 0

    def _label_width(self) -> int:
        """Cells a label may take: the list's width inside its border, scrollbar and option padding."""
        return max(1, self.scrollable_content_region.width - 2) if self.size.width else 0

    def _put_labels(self, in_place: bool) -> None:
        """`in_place`: as many one-line options as shown, so the box keeps its size and only the prompts change;
        set_options would lay the whole screen out (the list's height is auto) on nearly every keystroke."""
        if in_place:
            for index, option in enumerate(self._cut_labels()):
                self.replace_option_prompt_at_index(index, option.prompt)
            self.refresh()
        else:
            self.set_options(self._cut_labels())

    def _cut_labels(self) -> list[Option]:
        """Labels cut by cell width here (`shell.cells`), at a character boundary, before Textual draws them."""
        width = self._label_cells
        return [
            Option(cut_content(s.label, width) if width else s.label, id=str(i))
            for i, s in enumerate(self._suggestions)
        ]

    def on_resize(self) -> None:
        width = self._label_width()
        if width != self._label_cells and self._suggestions:
            keep = self.highlighted
            self._label_cells = width
            self._put_labels(in_place=self.option_count == len(self._suggestions))
            self.highlighted = keep

    def hide(self) -> None:
        self.display = False

    @property
    def is_open(self) -> bool:
        return bool(self.display) and self.option_count > 0

    @property
    def current(self) -> Suggestion | None:
        if not self.is_open or self.highlighted is None:
            return None
        if 0 <= self.highlighted < len(self._suggestions):
            return self._suggestions[self.highlighted]
        return None


class SuggestInput(Input):
    """An Input whose navigation keys drive the sibling dropdown while it is open."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    """Textual's Input sets its virtual width to its text's on every keystroke, and the stock `virtual_size` lays
    the whole screen out for that (most of a keystroke's frame here); this field's box never follows its text
    (width 1fr, one line), so a repaint of it is enough."""

    # Action names start with "cursor_": the shell lists them in help but keeps them out of the command
    # palette (they only make sense with the list open).
    BINDINGS = [  # noqa: RUF012 (Textual's own pattern)
        Binding("down", "cursor_suggestion(1)", "Next suggestion", show=False),
        Binding("up", "cursor_suggestion(-1)", "Previous suggestion", show=False),
        Binding("tab", "cursor_accept", "Accept suggestion", show=False),
        # Our "enter" replaces Input's own (Textual keeps one binding per key per class), so it submits itself.
        Binding("enter", "cursor_accept_or_submit", "Accept suggestion / submit", show=False),
        Binding("escape", "cursor_close_suggestions", "Close suggestions", show=False),
    ]

    def _dropdown(self) -> SuggestionDropdown | None:
        field = self.parent
        if isinstance(field, SuggestField):
            return field.dropdown
        return None

    def action_cursor_suggestion(self, delta: int) -> None:
        dropdown = self._dropdown()
        if dropdown is None or not dropdown.is_open:
            raise SkipAction()
        if delta > 0:
            dropdown.action_cursor_down()
        else:
            dropdown.action_cursor_up()

    def action_cursor_accept(self) -> None:
        dropdown = self._dropdown()
        if dropdown is None or dropdown.current is None:
            raise SkipAction()
        field = self.parent
        assert isinstance(field, SuggestField)
        field.accept(dropdown.current)

    async def action_cursor_accept_or_submit(self) -> None:
        dropdown = self._dropdown()
        if dropdown is None or dropdown.current is None:
            await self.action_submit()
            return
        self.action_cursor_accept()

    def action_cursor_close_suggestions(self) -> None:
        dropdown = self._dropdown()
        if dropdown is None or not dropdown.is_open:
            raise SkipAction()
        dropdown.hide()

    def _on_blur(self, event: object) -> None:
        dropdown = self._dropdown()
        if dropdown is not None:
            dropdown.hide()


class SuggestField(Vertical):
    """An input plus its dropdown. Subclasses decide what fragment is completed and how a choice is inserted."""

    class Accepted(Message):
        """A suggestion was inserted (the owner may re-check the field)."""

        def __init__(self, field: SuggestField, suggestion: Suggestion) -> None:
            super().__init__()
            self.field = field
            self.suggestion = suggestion

        @property
        def control(self) -> SuggestField:
            return self.field

    def __init__(
        self,
        *,
        placeholder: str = "",
        suggest: SuggestFn | None = None,
        input_id: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._placeholder = placeholder
        self._input_id = input_id
        self.suggest: SuggestFn | None = suggest

    def compose(self) -> ComposeResult:
        # No select-all on focus: coming back to a field (Tab, a closed dialog) must never arm it so that the next
        # key replaces what is there (QA C10: `messenger` became `z1]]`). ctrl+u clears a field on purpose.
        yield SuggestInput(
            placeholder=self._placeholder,
            id=self._input_id,
            classes="suggest-input",
            compact=True,
            select_on_focus=False,
        )
        yield SuggestionDropdown(classes="suggest-dropdown")

    @property
    def input(self) -> SuggestInput:
        return self.query_one(SuggestInput)

    @property
    def dropdown(self) -> SuggestionDropdown:
        return self.query_one(SuggestionDropdown)

    @property
    def value(self) -> str:
        return self.input.value

    def set_value(self, value: str) -> None:
        """Replace the text without opening the dropdown."""
        self._expected = value
        self.input.value = value
        self.input.cursor_position = len(value)
        self.dropdown.hide()

    # -- what to complete -------------------------------------------------------------------------------------
    def fragment(self, text: str, cursor: int) -> str:
        """The part of the text the suggestions are for (default: all of it)."""
        return text[:cursor].strip()

    def insert(self, text: str, cursor: int, suggestion: Suggestion) -> tuple[str, int]:
        """The new text and cursor once `suggestion` is accepted (default: replace everything)."""
        return suggestion.value, len(suggestion.value)

    # -- plumbing ---------------------------------------------------------------------------------------------
    def refresh_suggestions(self) -> None:
        """Ask `suggest` again for the fragment at the cursor and show the result."""
        inp = self.input
        if self.suggest is None or not inp.has_focus:
            self.dropdown.hide()
            return
        fragment = self.fragment(inp.value, inp.cursor_position)
        suggestions = list(self.suggest(fragment)) if fragment or self.suggest_on_empty else []
        # Hide a list whose only entry is exactly what is already typed: nothing left to complete.
        if len(suggestions) == 1 and suggestions[0].value == fragment:
            suggestions = []
        self.dropdown.show_suggestions(suggestions)

    suggest_on_empty: bool = False
    """Show suggestions for an empty fragment too (destinations: the short list of rooms)."""

    def accept(self, suggestion: Suggestion) -> None:
        inp = self.input
        text, cursor = self.insert(inp.value, inp.cursor_position, suggestion)
        self._expected = text
        inp.value = text
        inp.cursor_position = cursor
        self.dropdown.hide()
        self.post_message(self.Accepted(self, suggestion))

    _expected: str | None = None
    """A value we set ourselves: its Changed event must not reopen the dropdown."""

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is not self.input:
            return
        expected, self._expected = self._expected, None
        if expected is not None and event.value == expected:
            return
        self.refresh_suggestions()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A mouse click on a suggestion."""
        event.stop()
        current = self.dropdown.current
        if current is not None:
            self.accept(current)
            self.input.focus()
