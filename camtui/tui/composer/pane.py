"""The composer pane: write a message to people (messenger) or a chat room, and see what has not gone out yet.

What it guarantees, in the order the user meets it:
- every keystroke ends up in a draft (debounced, one per destination) that comes back after a restart;
- recipients are checked against the directory before sending (name and department, or unknown);
- a message is in the outbox before its request leaves, and the form is cleared only then; a failed send stays in
  the outbox with its reason; an `unknown` outcome is resent only when the user confirms.
- the destination is checked too: a chat room not used from here before (not sent to, configured or recorded by
  the admin screen) shows as such — it may exist, the API lists no rooms — and sending there asks first; 405 is
  shown only for a room the server already refused;
- keys: the pane itself takes focus (`3`, Escape from a field, a closed dialog), where the shell's single keys
  (1/2/3, q, z, ?) work; Enter or Tab goes back into the form. A field never holds the focus hostage.
The engine (matcher, send verdict, outbox-backed sender, batch) is `camtui.compose`; this package is the UI around
it. This module lays the pane out and wires its parts (each its own module, by concern): `draft_form` (drafts,
destination, recipients), `directory`, `send_flow`, `lists` (outbox and sent tabs), `focus`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import (
    Checkbox,
    DataTable,
    Input,
    Label,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
    TextArea,
)

from camtui.compose.matcher import RecipientMatcher
from camtui.tui.composer.confirm import ConfirmScreen
from camtui.tui.composer.directory import DirectoryMixin
from camtui.tui.composer.draft_form import DraftFormMixin
from camtui.tui.composer.drafts import DraftAutosaver
from camtui.tui.composer.dropdown import SuggestField
from camtui.tui.composer.editor import EditorError, edit_in_editor
from camtui.tui.composer.focus import FocusMixin
from camtui.tui.composer.form import (
    MESSENGER,
    NOTICE_KEY,
    TAB_MESSAGE,
    TAB_OUTBOX,
    TAB_SENT,
    TABS,
    FormState,
    count_line,
    destination_status,
    is_messenger,
)
from camtui.tui.composer.lists import ListsMixin
from camtui.tui.composer.outbox import OutboxList, SentLogTable
from camtui.tui.composer.recipients import DestinationField, RecipientCheck, RecipientsField
from camtui.tui.composer.send_flow import SendFlowMixin
from camtui.tui.composer.sent_view import SentViewMixin

if TYPE_CHECKING:
    from camtui.compose.matcher import RecipientEntry
    from camtui.store import Store

__all__ = [
    "MESSENGER",
    "NOTICE_KEY",
    "SCREENSHOTS",
    "TABS",
    "TAB_MESSAGE",
    "TAB_OUTBOX",
    "TAB_SENT",
    "ComposerPane",
    "FormState",
    "count_line",
    "destination_status",
    "is_messenger",
]

SCREENSHOTS: list[tuple[str, list[str]]] = [
    ("composer-autocomplete", ["3", "tab", "tab", *"yamada"]),  # 3: the pane; tab: To; tab: Users
]
"""Shots for screenshots/make_screenshots.py (keys pressed on the main screen once data arrived)."""


class ComposerPane(
    DraftFormMixin,
    DirectoryMixin,
    SendFlowMixin,
    ListsMixin,
    SentViewMixin,
    FocusMixin,
    Widget,
    can_focus=True,
):
    """Destination, recipients with autocomplete, message, seal; outbox and sent log in tabs.

    Focusable itself: with the pane focused (not a field), printable keys are the shell's (1/2/3, q, z, ?)."""

    PANE_TITLE: ClassVar[str] = "Composer"
    ALLOW_MAXIMIZE = True

    BINDINGS: ClassVar = [
        Binding("enter", "move_into_form", "Write"),
        # "move_*": kept out of the command palette (the shell's rule); listed in `?` help.
        Binding("escape", "move_to_pane", "Leave the field (then 1/2/3, q, z work)", show=False),
        Binding("ctrl+s", "send", "Send"),
        Binding("ctrl+o", "edit_external", "$EDITOR"),
        Binding("ctrl+l", "toggle_seal", "Seal"),
        Binding("ctrl+g", "cycle_view", "Outbox/Sent"),
        Binding("ctrl+b", "batch", "Batch…"),
    ]

    def __init__(self, *, id: str | None = "composer", classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._matcher = RecipientMatcher([], authoritative=False)
        self._directory_state = "loading"
        """"loading", "cached", "fresh", "contacts" (no admin token), "offline"."""
        self._current_send = MESSENGER
        """The committed destination: the key the draft is saved under."""
        self._last_saved: FormState | None = None
        self._saved_at: str = ""
        self._notice: str = ""
        """A short line about the last send, shown under the message."""
        self._autosave: DraftAutosaver | None = None
        self._entries: list[RecipientEntry] = []
        self._outbox_counts: dict[str, int] = {}
        self._directory_timer: Timer | None = None
        self._parts: tuple[Input, TextArea, Checkbox] | None = None
        self._last_field: Widget | None = None
        """The form field that had focus last: Enter on the pane goes back there."""
        self._confirmed_rooms: set[str] = set()
        """Unknown chat rooms the user said to send to anyway (this session; dropped again on a 405)."""

    # ----- layout ---------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with TabbedContent(id="composer-tabs", initial=TAB_MESSAGE):
            with TabPane("Message", id=TAB_MESSAGE):
                with Horizontal(classes="composer-row", id="composer-dest-row"):
                    yield Label("To", classes="composer-label")
                    yield DestinationField(
                        id="composer-destination",
                        input_id="destination-input",
                        placeholder="messenger, or a chat room name",
                        suggest=self._suggest_destinations,
                    )
                    yield Static(id="composer-dest-check")
                    seal = Checkbox("Seal", id="composer-seal", compact=True)
                    seal.can_focus = False  # Tab goes To → Users → Message; ctrl+l or a click toggles it
                    yield seal
                with Horizontal(classes="composer-row", id="composer-recipients-row"):
                    yield Label("Users", classes="composer-label", id="recipients-label")
                    yield RecipientsField(
                        id="composer-recipients",
                        input_id="recipients-input",
                        placeholder="e-mail, name, romaji or department",
                        suggest=self._suggest_recipients,
                    )
                yield RecipientCheck(id="composer-check")
                yield TextArea(
                    id="composer-message",
                    soft_wrap=True,
                    tab_behavior="focus",
                    compact=True,
                    placeholder="Message… (ctrl+o opens $EDITOR, ctrl+s sends)",
                )
                yield Static(id="composer-footer")
            with TabPane("Outbox", id=TAB_OUTBOX):
                yield OutboxList(id="composer-outbox")
                yield Static(
                    "r retry · e edit (back into the form) · d discard · unknown = may have been delivered",
                    id="composer-outbox-help",
                )
            with TabPane("Sent", id=TAB_SENT):
                yield SentLogTable(id="composer-sent")
                yield Static("", id="composer-sent-help", markup=False)

    # ----- shortcuts to the parts -----------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self.app.store  # type: ignore[attr-defined]

    @property
    def destination(self) -> DestinationField:
        return self.query_one("#composer-destination", DestinationField)

    @property
    def recipients(self) -> RecipientsField:
        return self.query_one("#composer-recipients", RecipientsField)

    @property
    def message(self) -> TextArea:
        return self.query_one("#composer-message", TextArea)

    @property
    def seal(self) -> Checkbox:
        return self.query_one("#composer-seal", Checkbox)

    @property
    def outbox_list(self) -> OutboxList:
        return self.query_one("#composer-outbox", OutboxList)

    @property
    def matcher(self) -> RecipientMatcher:
        return self._matcher

    @property
    def directory_state(self) -> str:
        return self._directory_state

    def form(self) -> FormState:
        # The widgets themselves (kept since mount), not a query: when the app quits, the children are unmounted
        # before this pane, and the last keystrokes must still be readable to be saved.
        parts = self._parts
        if parts is None:
            parts = self._parts = (self.recipients.input, self.message, self.seal)
        recipients, message, seal = parts
        return FormState(self._current_send, recipients.value, message.text, seal.value)

    # ----- mount / unmount ------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.border_title = self.PANE_TITLE
        # The tab strip is for the mouse (ctrl+g switches views). The pane itself takes focus (`3`, Escape from a
        # field); Tab or Enter goes on into the form.
        for tabs in self.query(Tabs):
            tabs.can_focus = False
        self._parts = (self.recipients.input, self.message, self.seal)
        self._autosave = DraftAutosaver(self, self._save_draft)
        # Each step on its own: a store row that cannot be read or shown costs that list, never the app's start.
        for step in (
            self._use_fallback_matcher,
            self._restore_draft,
            self._refresh_outbox,
            self._refresh_sent,
        ):
            try:
                step()
            except Exception as exc:
                self.app.report_error(exc, "composer")  # type: ignore[attr-defined]
        self._update_footer()
        recovered = list(getattr(self.store, "recovered", []) or [])
        if recovered:
            n = len(recovered)
            self.notify(
                f"{n} message{'s were' if n != 1 else ' was'} being sent when camtui stopped; marked 'unknown' "
                "in the outbox (they may have been delivered: resend only after checking).",
                title="Composer",
                severity="warning",
                timeout=10,
                markup=False,
            )
        self._load_directory()

    def on_unmount(self) -> None:
        """Quitting (q, ctrl+q, SIGTERM/SIGHUP) or removing the pane: write what the debounce has not saved yet.

        Not only when the autosave is "dirty": the last keystrokes' Changed events may still be queued, unhandled,
        when the app exits. `_save_draft` compares with what was saved last, so this writes at most once."""
        if self._autosave is not None:
            self._autosave.cancel()
        with contextlib.suppress(Exception):  # a closed or broken store: nothing more can be done here
            self._save_draft()

    @on(SuggestField.Accepted, "#composer-destination")
    def _destination_accepted(self) -> None:
        self._commit_destination()

    @on(TextArea.Changed, "#composer-message")
    def _message_changed(self) -> None:
        self._touch()

    @on(Checkbox.Changed, "#composer-seal")
    def _seal_changed(self) -> None:
        self._touch()

    @on(DataTable.RowSelected, "#composer-sent")
    def _sent_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        record = self.query_one("#composer-sent", SentLogTable).record(event.row_key.value)
        if record is not None:
            self.open_sent(record, self._tz())

    @on(OutboxList.Intent)
    def _outbox_intent(self, event: OutboxList.Intent) -> None:
        self.outbox_intent(event)

    # ----- other actions --------------------------------------------------------------------------------------
    def action_toggle_seal(self) -> None:
        self.seal.toggle()

    def action_edit_external(self) -> None:
        original = self.message.text
        try:
            edited = edit_in_editor(self.app, original)
        except EditorError as exc:
            self.notify(str(exc), title="Editor", severity="error", markup=False)
            return
        if edited != original:
            self.message.load_text(edited)
            self.message.move_cursor(self.message.document.end)
            self._touch()
        self.show_tab(TAB_MESSAGE)

    def action_batch(self) -> None:
        from camtui.tui.composer.batch import BatchScreen

        self._open_dialog(BatchScreen(), leave_fields=True)

    def action_discard_draft(self) -> None:
        state = self.form()
        if state.is_empty:
            return
        self._open_dialog(
            ConfirmScreen(
                "Discard this draft?",
                state.text[:300] or state.recipients,
                yes="Discard",
                no="Keep",
                danger=True,
            ),
            lambda yes: self._clear_form() if yes else None,
        )

    def _clear_form(self) -> None:
        if self._autosave is not None:
            self._autosave.cancel()
        self.store.drafts.delete(self._current_send)
        self._fill(FormState(self._current_send, "", "", False))
        self._update_footer()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Composer: Show message", "The message form", lambda: self.show_tab(TAB_MESSAGE))
        yield SystemCommand(
            "Composer: Show outbox", "Messages not accepted yet", lambda: self.show_tab(TAB_OUTBOX)
        )
        yield SystemCommand(
            "Composer: Show sent log", "What went where and when", lambda: self.show_tab(TAB_SENT)
        )
        yield SystemCommand(
            "Composer: Refresh directory", "Fetch the user list again", self.action_refresh_directory
        )
        yield SystemCommand(
            "Composer: Discard draft", "Clear the form (asks first)", self.action_discard_draft
        )

    # ----- footer line ----------------------------------------------------------------------------------------

    def _directory_text(self) -> str:
        n = len(self._matcher)
        return {
            "loading": "directory loading…",
            "cached": f"directory {n} (cached)",
            "fresh": f"directory {n}",
            "contacts": f"contacts only ({n}): token is not admin",
            "offline": f"directory offline ({n} known)",
        }.get(self._directory_state, "")

    def _update_footer(self) -> None:
        if not self.is_mounted:
            return
        try:
            footer = self.query_one("#composer-footer", Static)
            text = self.message.text
        except Exception:
            return
        counts = self._outbox_counts
        # Most important first: the line is cut at the pane's width.
        bits: list[tuple[str, str]] = [(count_line(text), "")]
        if self.seal.value:
            bits.append((" · sealed", "$text-warning"))
        waiting = [f"{counts[s]} {s}" for s in ("failed", "unknown", "pending", "sending") if counts.get(s)]
        if waiting:
            style = "$text-error" if counts.get("failed") else "$text-warning"
            bits.append((" · outbox: " + ", ".join(waiting), style))
        if self._notice:
            bits.append((f" · {self._notice}", "$text-accent"))
        if self._saved_at:
            bits.append((f" · draft {self._saved_at}", "$text-muted"))
        bits.append((f" · {self._directory_text()}", "$text-muted"))
        footer.update(Content.assemble(*bits), layout=False)  # fixed height: a repaint, not a re-layout
