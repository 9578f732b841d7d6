"""The composer's Outbox and Sent tabs: reload them, and act on an outbox row (retry, edit, discard)."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static, TabbedContent

from camtui.store import OutboxStateError
from camtui.tui.composer.confirm import ConfirmScreen
from camtui.tui.composer.form import TAB_MESSAGE, TAB_OUTBOX, FormState
from camtui.tui.composer.outbox import OutboxList, SentLogTable, zone


class ListsMixin:
    """The outbox / sent-log part of `ComposerPane`."""

    # ----- outbox and sent log --------------------------------------------------------------------------------

    def refresh_lists(self) -> None:
        """Reload the outbox and the sent log (after a batch, or anything else that wrote to them)."""
        self._refresh_outbox()
        self._refresh_sent()

    def _refresh_outbox(self) -> None:
        try:
            entries = self.store.outbox.list()
            self._outbox_counts = self.store.outbox.counts()
        except Exception as exc:  # an unreadable store row: say so, keep what is shown
            self.app.report_error(exc, "composer")  # type: ignore[attr-defined]
            return
        self.outbox_list.show_entries(entries)
        tabs = self.query_one("#composer-tabs", TabbedContent)
        tabs.get_tab(TAB_OUTBOX).label = f"Outbox ({len(entries)})" if entries else "Outbox"
        self._update_footer()

    def _refresh_sent(self) -> None:
        app: Any = self.app
        try:
            records = self.store.sent_log.list(100)
        except Exception as exc:  # an unreadable store row: say so, keep what is shown
            app.report_error(exc, "composer")
            return
        self.query_one("#composer-sent", SentLogTable).show_records(records, self._tz(), app.clock())
        help_line = (
            "enter opens a message (s there sends it again, as a new outbox item)"
            if records
            else "Nothing sent from here yet: messages appear here once the server accepted them."
        )
        self.query_one("#composer-sent-help", Static).update(help_line)

    def _tz(self) -> Any:
        return zone(getattr(self.app.settings, "time_zone", "UTC"))  # type: ignore[attr-defined]

    def outbox_intent(self, event: OutboxList.Intent) -> None:
        """r / e / d on an outbox row (the pane routes `OutboxList.Intent` here)."""
        event.stop()
        entry = self.store.outbox.get(event.entry_id)
        if entry is None:
            self._refresh_outbox()
            return
        if entry.state == "sending":
            self.notify(
                "That message is being sent right now; wait for the outcome.", title="Composer", markup=False
            )
            return
        if event.action == "retry":
            if entry.state == "unknown":
                self._open_dialog(
                    ConfirmScreen(
                        "Send again?",
                        "The server may already have delivered this message (the connection broke after the request "
                        "left). Sending again may deliver it twice. Check the chat first.\n\n"
                        f"To: {entry.send}  {', '.join(entry.users) or ''}\n{entry.message[:200]}",
                        yes="Send again",
                        no="Keep it",
                        danger=True,
                    ),
                    lambda yes: self._deliver(entry.id, force=True, source="outbox-retry") if yes else None,
                )
                return
            self._deliver(entry.id, force=False, source="outbox-retry")
            self._notice = "retrying…"
            self._update_footer()
        elif event.action == "edit":
            self._edit_entry(entry.id)
        elif event.action == "discard":
            self._open_dialog(
                ConfirmScreen(
                    "Discard this message?",
                    f"To: {entry.send}  {', '.join(entry.users)}\n{entry.message[:300]}",
                    yes="Discard",
                    no="Keep",
                    danger=True,
                ),
                lambda yes: self._discard_entry(entry.id) if yes else None,
            )

    def _edit_entry(self, entry_id: int) -> None:
        """Back into the form. The form must be empty (so nothing typed is overwritten); the draft is written
        before the outbox entry is dropped, so the text is always somewhere."""
        entry = self.store.outbox.get(entry_id)
        if entry is None:
            return
        if not self.form().is_empty:
            self.notify(
                "Send or clear the message in the form first; the outbox entry stays where it is.",
                title="Composer",
                severity="warning",
                markup=False,
            )
            return
        state = FormState(entry.send, ", ".join(entry.users), entry.message, entry.seal)
        if self._autosave is not None:
            self._autosave.cancel()
        self.store.drafts.save(state.send, state.text, state.recipients, state.seal)
        try:
            self.store.outbox.discard(entry_id)
        except OutboxStateError as exc:
            self.notify(str(exc), title="Composer", severity="warning", markup=False)
            return
        self._fill(state)
        self._refresh_outbox()
        self.show_tab(TAB_MESSAGE)
        self.message.focus()

    def _discard_entry(self, entry_id: int) -> None:
        try:
            self.store.outbox.discard(entry_id)
        except OutboxStateError as exc:
            self.notify(str(exc), title="Composer", severity="warning", markup=False)
        self._refresh_outbox()
