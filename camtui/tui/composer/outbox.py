"""The outbox and the sent log, as the composer shows them.

The outbox lists what has not been accepted by the server yet: failed sends (with the reason), sends whose outcome
is unknown (never resent unless the user says so), and anything queued or in flight. The list only emits intents
(retry / edit / discard); the pane does the work, so every state change goes through the store in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, OptionList
from textual.widgets.option_list import Option

from camtui.store import OutboxEntry, SentRecord
from camtui.tui.shell.cells import cut

STATE_LABELS = {
    "failed": ("✗ failed", "$text-error"),
    "unknown": ("? unknown", "$text-warning"),
    "sending": ("… sending", "$text-accent"),
    "pending": ("• queued", "$text-muted"),
}


_CONTROLS = {c: "\ufffd" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))} | {ord("\t"): " "}
"""Control characters (ESC and friends) would reach the terminal as is: each is shown as U+FFFD instead."""


def printable(text: str) -> str:
    """`text` with control characters replaced: safe to put on screen (tabs become spaces)."""
    return text.translate(_CONTROLS)


def plain(text: object) -> Text:
    """A table cell from user or server text: never parsed as markup (`[/x]` stays `[/x]`), no control codes."""
    return Text(printable(str(text)), no_wrap=True, end="")


def preview(text: str, width: int = 48) -> str:
    """The message on one line in `width` cells: newlines shown as ⏎, cut with an ellipsis (by cell width, so
    Japanese text takes the room it really takes)."""
    flat = printable(text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎"))
    return cut(flat, width)


def recipients_summary(users: Sequence[str], width: int = 40) -> str:
    if not users:
        return "—"
    first = users[0]
    more = f" +{len(users) - 1}" if len(users) > 1 else ""
    return cut(first + more, width)


def local_time(when: datetime, tz: tzinfo, now: datetime) -> str:
    """HH:MM today, MM-DD HH:MM otherwise (in the configured zone)."""
    local = when.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return local.strftime("%H:%M")
    return local.strftime("%m-%d %H:%M")


def zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        return ZoneInfo("UTC")


def entry_prompt(entry: OutboxEntry) -> Content:
    label, style = STATE_LABELS.get(entry.state, (entry.state, "$text-muted"))
    head = Content.assemble(
        (f"{label:<10}", style),
        " ",
        (entry.send, "bold"),
        " → ",
        recipients_summary(entry.users),
        ("  seal" if entry.seal else "", "$text-muted"),
        (f"  ×{entry.attempts}" if entry.attempts > 1 else "", "$text-muted"),
    )
    reason = entry.reason or ("waiting to be sent" if entry.state == "pending" else "")
    detail = Content.assemble(
        "  ",
        (preview(entry.message), "italic"),
        ("  " + reason if reason else "", "$text-muted"),
    )
    return Content("\n").join([head, detail])


def safe_prompt(entry: OutboxEntry) -> Content:
    """`entry_prompt`, or a placeholder for an entry that cannot be shown (never fatal: the rest stays usable)."""
    try:
        return entry_prompt(entry)
    except Exception:
        return Content.assemble(("? this entry cannot be shown", "$text-error"), "  (d discards it)")


class OutboxList(OptionList):
    """The outbox entries, oldest first. r retry · e edit · d discard."""

    BINDINGS = [  # noqa: RUF012
        Binding("r", "retry", "Retry", show=True),
        Binding("e", "edit", "Edit", show=True),
        Binding("d,delete", "discard", "Discard", show=True),
    ]

    class Intent(Message):
        """The user asked for `action` ("retry" | "edit" | "discard") on outbox entry `entry_id`."""

        def __init__(self, action: str, entry_id: int) -> None:
            super().__init__()
            self.action = action
            self.entry_id = entry_id

    def __init__(self, *, id: str | None = None) -> None:
        # Prompts are Content (never parsed); markup=False also keeps any plain str from being parsed.
        super().__init__(id=id, markup=False)
        self._ids: list[int] = []

    def show_entries(self, entries: Sequence[OutboxEntry]) -> None:
        """Replace the list, keeping the highlight on the same entry when it is still there."""
        keep = self.current_id
        self._ids = [e.id for e in entries]
        self.set_options(Option(safe_prompt(e), id=f"outbox-{e.id}") for e in entries)
        if not entries:
            return
        self.highlighted = self._ids.index(keep) if keep in self._ids else 0

    @property
    def current_id(self) -> int | None:
        if self.highlighted is None or not (0 <= self.highlighted < len(self._ids)):
            return None
        return self._ids[self.highlighted]

    def _intent(self, action: str) -> None:
        entry_id = self.current_id
        if entry_id is not None:
            self.post_message(self.Intent(action, entry_id))

    def action_retry(self) -> None:
        self._intent("retry")

    def action_edit(self) -> None:
        self._intent("edit")

    def action_discard(self) -> None:
        self._intent("discard")


class SentLogTable(DataTable[Text]):
    """What went where and when: newest first.

    Every cell is a `rich.text.Text` built from the stored text as is: a message such as `[/x]` or `[b]b[/b]` is
    shown verbatim (a plain str cell would be parsed as markup, and an unmatched closing tag raises at paint
    time, which used to crash the app at every start once such a message was in the sent log)."""

    BINDINGS = [Binding("enter", "select_cursor", "Open the message")]  # noqa: RUF012

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.add_columns("time", "to", "recipients", "message", "id")
        self._records: dict[str, SentRecord] = {}
        self.unreadable = 0
        """Records that could not be shown on the last refresh (listed as a placeholder row, never fatal)."""

    def record(self, key: object) -> SentRecord | None:
        """The record behind a row key (what enter opens)."""
        return self._records.get(str(key))

    def show_records(self, records: Sequence[SentRecord], tz: tzinfo, now: datetime) -> None:
        self.clear()
        self._records = {}
        self.unreadable = 0
        for r in records:
            key = f"sent-{getattr(r, 'id', id(r))}"
            try:
                cells = sent_cells(r, tz, now)
                self._records[key] = r  # readable: enter opens it
            except Exception:  # a damaged row: say so in its place, keep the rest (and the app) going
                self.unreadable += 1
                cells = [
                    plain("?"),
                    plain("?"),
                    plain("—"),
                    plain("(this record cannot be shown)"),
                    plain("—"),
                ]
            self.add_row(*cells, key=key)


def sent_cells(r: SentRecord, tz: tzinfo, now: datetime) -> list[Text]:
    """One sent-log row, each cell plain text."""
    return [
        plain(local_time(r.sent_at, tz, now)),
        plain(r.send),
        plain(recipients_summary(r.recipients, 28)),
        plain(preview(r.message, 36)),
        plain(r.message_id or "—"),
    ]
