"""Where focus goes in the composer: the pane itself (so the shell's single keys work), back into the form,
after a dialog, and to the tab on view. A field never holds the focus hostage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.actions import SkipAction
from textual.errors import NoWidget
from textual.widget import Widget
from textual.widgets import TabbedContent

from camtui.tui.composer.dropdown import SuggestionDropdown
from camtui.tui.composer.form import TAB_MESSAGE, TAB_OUTBOX, TAB_SENT, TABS
from camtui.tui.composer.outbox import SentLogTable

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.screen import Screen


class FocusMixin:
    """The focus part of `ComposerPane`."""

    # ----- focus: the pane, the fields, dialogs ------------------------------------------------------------

    def _fields(self) -> tuple[Widget, ...]:
        return (self.destination.input, self.recipients.input, self.message)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget in self._fields():
            self._last_field = event.widget

    def focus_on_click(self) -> bool:
        """A click on an open suggestion list must not move focus to the pane (that would close the list before it
        picks); any other click on the pane's background focuses the pane itself."""
        try:
            widget, _ = self.screen.get_widget_at(*self.app.mouse_position)
        except NoWidget:
            return True
        return not any(isinstance(node, SuggestionDropdown) for node in widget.ancestors_with_self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Enter only means "into the form" on the pane itself; Escape only means "out" from inside it. Otherwise
        # the key goes on (Escape then reaches the shell: restore a maximised pane).
        if action == "move_into_form":
            return self.screen.focused is self
        if action == "move_to_pane":
            focused = self.screen.focused
            return focused is not None and focused is not self and self.has_focus_within
        return True

    def action_move_into_form(self) -> None:
        """Enter on the pane: back to the field used last (the To field at first), or the list on view."""
        active = self.query_one("#composer-tabs", TabbedContent).active
        if active == TAB_OUTBOX:
            self.outbox_list.focus()
        elif active == TAB_SENT:
            self.query_one("#composer-sent", SentLogTable).focus()
        else:
            field = self._last_field
            if field is None or not field.is_attached:
                field = self.destination.input
            field.focus()

    def action_move_to_pane(self) -> None:
        """Escape in a field (no list open): focus the pane itself, so the shell's keys work; a second Escape
        goes on to the shell. Leaving the To field commits what it holds (as Tab does)."""
        if self.screen.focused is self or not self.has_focus_within:
            raise SkipAction()
        self.focus()

    def _open_dialog(
        self,
        screen: Screen[Any],
        callback: Callable[[Any], None] | None = None,
        *,
        leave_fields: bool = False,
    ) -> None:
        """Push a dialog; when it closes, focus lands where it was before, or on the pane itself when it was in a
        field and `leave_fields` (the batch dialog: after it, keys should work, not type into `To`).

        Never select-all on return (the inputs do not select on focus), so a key after a dialog cannot silently
        replace a field. An answer that moved focus on purpose (a send focuses the empty message) is kept."""
        before = self.screen.focused

        def closed(result: Any) -> None:
            if callback is not None:
                callback(result)
            self._land_after_dialog(before, leave_fields)

        self.app.push_screen(screen, closed)

    def _land_after_dialog(self, before: Widget | None, leave_fields: bool) -> None:
        if not self.is_attached:
            return
        now = self.screen.focused
        if now is not None and now is not before:
            return
        gone = before is None or not before.is_attached or not before.focusable
        if gone or (leave_fields and before in self._fields()):
            self.focus()
        elif before is not None:
            before.focus()

    def show_tab(self, tab: str) -> None:
        self.query_one("#composer-tabs", TabbedContent).active = tab
        if tab == TAB_OUTBOX:
            self._refresh_outbox()
            self.outbox_list.focus()
        elif tab == TAB_SENT:
            self._refresh_sent()
            self.query_one("#composer-sent", SentLogTable).focus()
        else:
            self.message.focus()

    def action_cycle_view(self) -> None:
        active = self.query_one("#composer-tabs", TabbedContent).active
        nxt = TABS[(TABS.index(active) + 1) % len(TABS)] if active in TABS else TAB_MESSAGE
        self.show_tab(nxt)
