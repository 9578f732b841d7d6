"""One sent message in full (enter on the Sent tab), and "send again" as a new message.

The Sent tab's row is a preview cut to its column; this screen shows everything the log keeps: the whole text,
destination, recipients, seal, time and the server's message id. "Send again" never re-delivers the logged
message: it queues a *new* outbox item with the same text and people (after a yes), sent like any other.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from camtui.store import SentRecord
from camtui.tui.composer.confirm import ConfirmScreen
from camtui.tui.composer.outbox import printable
from camtui.tui.shell.cells import cut

FACT_WIDTH = 64
"""Cells for one fact line's value: a long list of recipients is cut (with an ellipsis), the text never is."""


def sent_facts(record: SentRecord, tz: tzinfo) -> list[str]:
    """The facts above the text, one line each."""
    people = ", ".join(record.recipients) if record.recipients else "— (everyone in the room)"
    count = f"{len(record.recipients)}: " if len(record.recipients) > 1 else ""
    when = record.sent_at.astimezone(tz)
    return [
        f"To          {cut(printable(record.send), FACT_WIDTH)}",
        f"Recipients  {cut(count + printable(people), FACT_WIDTH)}",
        f"Seal        {'yes' if record.seal else 'no'}",
        f"Sent        {when:%Y-%m-%d %H:%M:%S} ({when.tzname()}) · from {record.source}",
        f"Server id   {record.message_id or '— (the server gave none)'}",
    ]


class SentMessageScreen(ModalScreen[bool]):
    """A sent message; `s` offers to send it again (a new message), escape closes. Dismisses True for again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close"),
        Binding("s", "send_again", "Send again (a new message)"),
    ]

    def __init__(self, record: SentRecord, tz: tzinfo) -> None:
        super().__init__(classes="composer-sent-view")
        self.record = record
        self._tz = tz

    def compose(self) -> ComposeResult:
        with Vertical(id="sent-view-box"):
            yield Static("Sent message", id="sent-view-title", markup=False)
            yield Static("\n".join(sent_facts(self.record, self._tz)), id="sent-view-facts", markup=False)
            with VerticalScroll(id="sent-view-body"):
                text = "\n".join(printable(line) for line in self.record.message.splitlines())
                yield Static(text or "(empty)", id="sent-view-text", markup=False)
            yield Static("s send again (a new message) · escape close", id="sent-view-hint", markup=False)

    def action_close(self) -> None:
        self.dismiss(False)

    def action_send_again(self) -> None:
        self.dismiss(True)


class SentViewMixin:
    """The Sent tab's enter, for `ComposerPane`."""

    def open_sent(self, record: SentRecord, tz: tzinfo) -> None:
        def closed(again: bool | None) -> None:
            if again:
                self._confirm_send_again(record)

        self._open_dialog(SentMessageScreen(record, tz), closed)  # type: ignore[attr-defined]

    def _confirm_send_again(self, record: SentRecord) -> None:
        people = f"{len(record.recipients)} recipient(s)" if record.recipients else "the whole room"
        body = (
            f"A new message with the same text goes to {record.send} ({people}). The one sent at "
            f"{record.sent_at:%H:%M} stays as it is.\n\n{cut(printable(record.message), 200)}"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.send_again(record)

        self._open_dialog(ConfirmScreen("Send again?", body, yes="Send", no="Cancel"), answered)  # type: ignore[attr-defined]

    def send_again(self, record: SentRecord) -> int | None:
        """Queue a new outbox item like the logged one and deliver it; returns its id (None if the store refused)."""
        from camtui.compose.sender import queue_message

        pane: Any = self
        try:
            entry = queue_message(
                pane.store, record.send, record.message, record.seal, list(record.recipients)
            )
        except Exception as exc:
            pane.app.report_error(exc, "composer")
            return None
        pane._notice = "sending again…"
        pane._refresh_outbox()
        pane._deliver(entry.id, force=False)
        return int(entry.id)
