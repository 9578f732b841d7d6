"""The month overview screen: getConferenceRoomStatus("yyyyMM") as rooms × days of booked share.

Enter on a day closes the screen with that date, so the rooms pane jumps to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from camtui.api.models import RoomStatus
from camtui.tui.rooms.model import matches
from camtui.tui.rooms.month.grid import MonthGrid
from camtui.tui.rooms.month.model import period_of, shift_month, summarise_month
from camtui.tui.shell.footer import KeysFooter

Loader = Callable[[str], Awaitable[RoomStatus]]


class MonthOverviewScreen(Screen[date | None]):
    """Full screen (the month needs the width); escape goes back, enter opens the day under the cursor."""

    BINDINGS: ClassVar = [
        Binding("escape", "close", "Back"),
        Binding("left_square_bracket", "month(-1)", "Prev month", key_display="["),
        Binding("right_square_bracket", "month(1)", "Next month", key_display="]"),
        Binding("t", "this_month", "This month"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(
        self,
        load: Loader,
        month: date,
        *,
        today: date,
        tz: str,
        day_start: str = "08:00",
        day_end: str = "21:00",
        query: str = "",
        focus_day: date | None = None,
        report_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        super().__init__()
        self._load = load
        self.month = month.replace(day=1)
        self.today = today
        self.tz = tz
        self.day_start = day_start
        self.day_end = day_end
        self.filter_text = query
        self._focus_day = focus_day
        self._report_error = report_error
        self.loaded = False
        """True once the shown month's data arrived (tests wait for it)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="month-title", markup=False)
        yield Static("loading…", id="month-status", markup=False)
        yield MonthGrid(today=self.today, id="month-grid")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._update_title()
        self.query_one(MonthGrid).focus()
        self._fetch(self.month)

    def _update_title(self) -> None:
        title = f"{self.month:%B %Y} · booked share of {self.day_start}–{self.day_end} per day ({self.tz})"
        if self.filter_text:
            title += f" · filter: {self.filter_text}"
        self.query_one("#month-title", Static).update(title)

    @work(exclusive=True, group="rooms-month", exit_on_error=False)
    async def _fetch(self, month: date) -> None:
        status_line = self.query_one("#month-status", Static)
        status_line.remove_class("-error")
        status_line.update(f"loading {period_of(month)}…")
        try:
            status = await self._load(period_of(month))
        except Exception as exc:
            status_line.add_class("-error")
            status_line.update(f"could not load {month:%B %Y}: {exc}")
            if self._report_error is not None:
                self._report_error(exc)
            return
        if month != self.month:
            return
        rooms = [r for r in status.rooms if matches(r, self.filter_text)]
        summary = summarise_month(rooms, month.year, month.month, self.tz, self.day_start, self.day_end)
        focus = self._focus_day if self._focus_day in summary.days else None
        self.query_one(MonthGrid).set_summary(summary, focus_day=focus)
        booked = sum(summary.totals) / len(summary.totals) if summary.totals else 0.0
        status_line.update(
            f"{len(rooms)} rooms · {booked:.0%} of room-hours booked this month · enter: open day"
        )
        self.loaded = True

    def action_month(self, months: int) -> None:
        self.month = shift_month(self.month, months)
        self._focus_day = None
        self.loaded = False
        self._update_title()
        self._fetch(self.month)

    def action_this_month(self) -> None:
        self.month = self.today.replace(day=1)
        self._focus_day = self.today
        self.loaded = False
        self._update_title()
        self._fetch(self.month)

    def action_reload(self) -> None:
        self.loaded = False
        self._fetch(self.month)

    def on_month_grid_day_selected(self, event: MonthGrid.DaySelected) -> None:
        self.dismiss(event.day)

    def action_close(self) -> None:
        self.dismiss(None)
