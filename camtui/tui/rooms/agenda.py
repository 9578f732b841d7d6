"""The agenda: one room's or all rooms' reservations of the shown day as a list — time, room, title, organiser.

The grid cuts titles to the width of their slots; the agenda never cuts: every column is as wide as its
longest text and the list scrolls (both ways) instead. It is a picture of the data the grid had when it was
opened, and says so ("data of 10:40:12"); enter on a line opens the same detail as the grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from camtui.api.models import Reservation
from camtui.tui.rooms.detail import ReservationDetailScreen
from camtui.tui.rooms.model import DayAxis, RoomRow


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    """One line of the agenda."""

    row: RoomRow
    res: Reservation
    when: str
    """"10:30–11:30" in the shown zone (with dates when it does not start and end on the shown day)."""
    overlaps: bool
    """Another reservation of the same room intersects this one."""
    running: bool
    """In progress at the instant the agenda was made."""


def agenda_entries(rows: Sequence[RoomRow], day: date, tz: ZoneInfo, now: datetime) -> list[AgendaEntry]:
    """The reservations of `rows` touching `day`, by start, then room order; pure (no Textual)."""
    lo = datetime.combine(day, time(0), tz)
    hi = datetime.combine(day + timedelta(days=1), time(0), tz)
    found: list[tuple[datetime, int, datetime, AgendaEntry]] = []
    for order, row in enumerate(rows):
        mine = [r for r in row.room.reservations if r.end > lo and r.start < hi and r.end > r.start]
        for res in mine:
            overlaps = any(o is not res and o.start < res.end and res.start < o.end for o in mine)
            entry = AgendaEntry(row, res, _span(res, day, tz), overlaps, res.start <= now < res.end)
            found.append((res.start, order, res.end, entry))
    found.sort(key=lambda t: (t[0], t[1], t[2]))
    return [t[3] for t in found]


def _span(res: Reservation, day: date, tz: ZoneInfo) -> str:
    start, end = res.start.astimezone(tz), res.end.astimezone(tz)
    if start.date() == end.date() == day:
        return f"{start:%H:%M}–{end:%H:%M}"
    return f"{start:%m-%d %H:%M}–{end:%m-%d %H:%M}"


def organiser(res: Reservation) -> str:
    name = res.organizer_name or "(unknown organiser)"
    return f"{name} <{res.organizer_email}>" if res.organizer_email else name


class AgendaScreen(ModalScreen[None]):
    """The agenda over the dashboard; escape closes it, enter opens a line's detail."""

    BINDINGS: ClassVar = [
        Binding("escape,q", "close", "Close"),
    ]

    def __init__(
        self,
        entries: list[AgendaEntry],
        *,
        heading: str,
        axis: DayAxis,
        now: datetime,
        locale: str,
        start_at: int = 0,
    ) -> None:
        super().__init__()
        self.entries = entries
        self.heading = heading
        self.axis = axis
        self.now = now
        self.locale = locale
        self.start_at = start_at

    def compose(self) -> ComposeResult:
        with Vertical(id="agenda-box") as box:
            box.border_title = "Agenda"
            yield Static(Text(self.heading), id="agenda-heading")
            table: DataTable[Text] = DataTable(id="agenda-table", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static("↑↓ ←→ scroll · enter detail · escape close", id="agenda-footer", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Time", "Room", "Title", "Organiser")  # auto width: as wide as the longest text
        for entry in self.entries:
            title = ("⚠ " if entry.overlaps else "") + (entry.res.title or "(untitled)")
            when = entry.when + (" ▶" if entry.running else "")
            table.add_row(Text(when), Text(entry.row.name), Text(title), Text(organiser(entry.res)))
        if not self.entries:
            self.query_one("#agenda-heading", Static).update(Text(self.heading + " · no reservations"))
        elif self.start_at:
            table.move_cursor(row=self.start_at, animate=False)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        entry = self.entries[event.cursor_row]
        slot = self._slot_of(entry)
        if slot is not None:
            self.app.push_screen(ReservationDetailScreen(entry.row, slot, self.axis, self.now, self.locale))

    def _slot_of(self, entry: AgendaEntry) -> int | None:
        """The grid slot the detail opens on: the reservation's first slot on the shown hours."""
        slots = self.axis.slot_range(entry.res.start, entry.res.end)
        if not len(slots) or slots.start >= len(entry.row.slot_reservations):
            return None
        return slots.start

    def action_close(self) -> None:
        self.dismiss(None)


def first_upcoming(entries: Sequence[AgendaEntry], now: datetime) -> int:
    """The line the cursor starts on: the first meeting not yet over (0 when all are)."""
    return next((i for i, e in enumerate(entries) if e.res.end > now), 0)
