"""The rooms pane: one day's room grid, kept live by polling getConferenceRoomStatus(yyyyMMdd).

The live half (polling, rows, the bar's labels) is `polling.RoomsPolling`; this module adds the keys, the
layout, the filter prompt and the dialogs. Decisions are in `logic` (pure, tested without Textual).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, ClassVar

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from camtui.tui.rooms.detail import ReservationDetailScreen
from camtui.tui.rooms.grid import RoomsGrid
from camtui.tui.rooms.layout import ZOOM_HOURS
from camtui.tui.rooms.logic import day_relative, step_interval
from camtui.tui.rooms.marks import RoomMarks
from camtui.tui.rooms.model import Cell
from camtui.tui.rooms.polling import RoomsPolling
from camtui.tui.shell.keys import AGENDA_ALL, AGENDA_ROOM, POLL_FASTER, POLL_SLOWER, ZOOM_IN, ZOOM_OUT

SCREENSHOTS: list[tuple[str, list[str]]] = [
    ("rooms-detail", ["1", "n", "enter"]),
    ("rooms-month", ["1", "m"]),
]
"""Shots for screenshots/make_screenshots.py (keys pressed on the main screen once data arrived)."""


class FilterInput(Input):
    """The filter prompt; escape clears it (kept here, not on the pane, so escape elsewhere stays the shell's)."""

    BINDINGS: ClassVar = [Binding("escape", "clear_filter", "Clear filter", show=False)]

    @property
    def focusable(self) -> bool:
        """Only while open: a hidden prompt must not take the app's first focus (or the shell's "1")."""
        return self.has_class("-open") and super().focusable

    def action_clear_filter(self) -> None:
        self.value = ""
        pane = next((a for a in self.ancestors if isinstance(a, RoomsPane)), None)
        if pane is not None:
            pane.close_filter()


class RoomsPane(RoomMarks, RoomsPolling):
    """Rooms × time slots for one day, live. Contract id "rooms"."""

    PANE_TITLE: ClassVar[str] = "Rooms"
    ALLOW_MAXIMIZE = True

    BINDINGS: ClassVar = [
        Binding("left_square_bracket", "day(-1)", "Prev day", key_display="["),
        Binding("right_square_bracket", "day(1)", "Next day", key_display="]"),
        Binding("t", "today", "Today", show=False),
        Binding("g", "goto_date", "Go to date…", show=False),
        Binding("m", "month", "Month"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("f", "free_now", "Free now", show=False),
        Binding("o", "next_overlap", "Next overlap", show=False),
        Binding("n", "cursor_now", "Cursor to now", show=False),
        Binding("p", "pause", "Pause"),
        Binding("r", "refresh", "Refresh now", show=False),
        POLL_SLOWER,
        POLL_FASTER,
        ZOOM_IN,
        ZOOM_OUT,
        AGENDA_ROOM,
        AGENDA_ALL,
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    DEFAULT_CSS = """
    RoomsPane { height: 1fr; }
    """

    # ---- setup ----------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="rooms-bar"):
            yield Static("", id="rooms-date", markup=False)
            yield Static("", id="rooms-info", markup=False)
            yield Static("", id="rooms-age", markup=False)
        yield FilterInput(
            placeholder="filter rooms by name or location", id="rooms-filter", classes="rooms-prompt"
        )
        yield RoomsGrid(id="rooms-grid")

    def on_mount(self) -> None:
        self.border_title = self.PANE_TITLE
        settings = self.app.settings  # type: ignore[attr-defined]
        self.poll.interval = max(1.0, float(settings.rooms_poll_seconds))
        self.day = self.today()
        self._build_axis()
        self.grid.set_empty_text("loading…")
        self._show_day()
        self._show_info()
        self.set_interval(1.0, self._tick, name="rooms-ui-tick")  # UI only: data age and the now-line
        self.poll_now()

    # ---- labels ---------------------------------------------------------------------------------------------

    def _show_day(self) -> None:
        rel = day_relative(self.day, self.today())
        self.query_one("#rooms-date", Static).update(f"{self.day:%a %Y-%m-%d} ({rel})")

    # ---- actions --------------------------------------------------------------------------------------------

    def set_day(self, day: date) -> None:
        """Show another day: the old day's rows go at once (never shown under the new date), then fetch."""
        if day == self.day and self.status is not None:
            return
        self.day = day
        self.status = None
        self.all_rows = ()
        self._next_change = None
        self._counts = (0, 0)
        self._build_axis()
        assert self.axis is not None
        self.grid.set_empty_text("loading…")
        self.grid.set_data(self.axis, (), None)
        self.show_marks()
        self._show_day()
        self._show_info()
        if not self.poll.paused:
            self.poll_now()
        else:
            self._fetch(day)  # one fetch for the new day even while paused; no timer is armed

    def action_day(self, delta: int) -> None:
        self.set_day(self.day + timedelta(days=delta))

    def action_today(self) -> None:
        self.set_day(self.today())

    def action_goto_date(self) -> None:
        from camtui.tui.rooms.goto import GoToDateScreen

        def chosen(day: date | None) -> None:
            if day is not None:
                self.set_day(day)

        self.app.push_screen(GoToDateScreen(self.today()), chosen)

    def action_month(self) -> None:
        from camtui.tui.rooms.month.screen import MonthOverviewScreen

        settings = self.app.settings  # type: ignore[attr-defined]

        def load(period: str) -> Any:
            return self.app.client.get_conference_room_status(period)  # type: ignore[attr-defined]

        def chosen(day: date | None) -> None:
            if day is not None:
                self.set_day(day)

        screen = MonthOverviewScreen(
            load,
            self.day,
            today=self.today(),
            tz=settings.time_zone,
            day_start=settings.rooms_day_start,
            day_end=settings.rooms_day_end,
            query=self.query_text,
            focus_day=self.day,
            report_error=lambda exc: self.app.report_error(exc, "rooms"),  # type: ignore[attr-defined]
        )
        self.app.push_screen(screen, chosen)

    def action_filter(self) -> None:
        box = self.query_one(FilterInput)
        box.add_class("-open")
        box.focus()

    def close_filter(self) -> None:
        box = self.query_one(FilterInput)
        if not box.value:
            box.remove_class("-open")
        self.grid.focus()

    def set_filter(self, text: str) -> None:
        text = " ".join(text.split())
        if text != self.query_text:
            self.query_text = text
            self._show_rows()

    @on(Input.Changed, "#rooms-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.set_filter(event.value)

    @on(Input.Submitted, "#rooms-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.close_filter()

    def action_clear_filter(self) -> None:
        """Escape on the grid: clear an active filter; with none, let escape reach the shell (restore)."""
        box = self.query_one(FilterInput)
        if not self.query_text and not box.value and not box.has_class("-open"):
            raise SkipAction()
        self._clear()
        self.grid.focus()

    def action_free_now(self) -> None:
        """Toggle the free-now highlight; the bar says what it found ("free now: 21 of 24") or why nothing."""
        self.free_now = not self.free_now
        self.grid.set_free_now_highlight(self.free_now)
        self._show_info()

    def action_next_overlap(self) -> None:
        grid = self.grid
        n = len(grid.rows)
        if not n or grid.axis is None:
            return
        slots = len(grid.axis)
        start = grid.cursor_row * slots + grid.cursor_col
        for step in range(1, n * slots + 1):
            pos = (start + step) % (n * slots)
            row, col = divmod(pos, slots)
            cells = grid.rows[row].cells
            if cells[col] == Cell.OVERLAP and (
                col == 0 or cells[col - 1] != Cell.OVERLAP or step == n * slots
            ):
                grid.move_cursor(row, col)
                return
        self.notify("No overlapping reservations on this day.", markup=False)

    def action_cursor_now(self) -> None:
        if self.grid.now_slot is None:
            self.notify("Now is not on the shown day's hours.", markup=False)
            return
        self.grid.move_cursor(col=self.grid.now_slot)

    def action_pause(self) -> None:
        self.poll.paused = not self.poll.paused
        if self.poll.paused:
            self._cancel_timer()
            self._post_status()
            self._show_age()
        else:
            self._show_age()
            self.poll_now()

    def action_refresh(self) -> None:
        """Manual refresh: also the way out of "auth failed" once the token is fixed."""
        self.poll.auth_stopped = False
        self.poll.failures = 0
        self.poll_now()

    def action_interval(self, direction: int) -> None:
        self.poll.interval = step_interval(self.poll.interval, direction)
        if self._timer is not None:
            self._arm()  # the pending poll moves to the new interval
        self._show_age()  # the bar's "every 10 min" is the feedback: a toast per key press piled up

    def action_zoom(self, direction: int) -> None:
        """Fewer hours across the pane (wider slots: titles readable), or back; the bar says the level."""
        level = ZOOM_HOURS.index(self.grid.zoom_hours) if self.grid.zoom_hours in ZOOM_HOURS else 0
        new = max(0, min(len(ZOOM_HOURS) - 1, level + direction))
        if new == level:
            self.notify(
                "Zoomed in as far as it goes (<: out)."
                if direction > 0
                else "Showing all the hours (>: in).",
                markup=False,
            )
            return
        self.grid.set_zoom(ZOOM_HOURS[new])
        self._show_info()

    def action_agenda(self, which: str) -> None:
        """The shown day's reservations as a list that never cuts: the cursor's room, or every room shown."""
        from camtui.tui.rooms.agenda import AgendaScreen, agenda_entries, first_upcoming

        grid = self.grid
        if self.axis is None or self.status is None:
            self.notify("No rooms data yet for this day.", markup=False)
            return
        if which == "room":
            room = grid.cursor_room
            if room is None:
                self.notify("No room under the cursor.", markup=False)
                return
            rows: tuple = (room,)
            whose = room.name
        else:
            rows = grid.rows
            whose = f"{len(rows)} rooms" + (f" (filter “{self.query_text}”)" if self.query_text else "")
        now = self.now()
        entries = agenda_entries(rows, self.day, self.tz, now)
        when = self.poll.last_ok.astimezone(self.tz) if self.poll.last_ok else None
        heading = f"{self.day:%a %Y-%m-%d} · {whose} · {len(entries)} reservations" + (
            f" · data of {when:%H:%M:%S}" if when else ""
        )
        settings = self.app.settings  # type: ignore[attr-defined]
        start = first_upcoming(entries, now) if self.day == self.today() else 0
        self.app.push_screen(
            AgendaScreen(
                entries, heading=heading, axis=self.axis, now=now, locale=settings.locale, start_at=start
            )
        )

    # ---- detail ---------------------------------------------------------------------------------------------

    def on_rooms_grid_cell_selected(self, event: RoomsGrid.CellSelected) -> None:
        if self.axis is None:
            return
        settings = self.app.settings  # type: ignore[attr-defined]
        self.app.push_screen(
            ReservationDetailScreen(
                event.row,
                event.slot,
                self.axis,
                self.now(),
                settings.locale,
                mark=self.mark_words(event.row.room_id),
            )
        )

    # ---- palette --------------------------------------------------------------------------------------------

    def palette_commands(self) -> Iterable[SystemCommand]:
        if self.query_text:
            yield SystemCommand(
                "Rooms: Clear filter", f"Show all rooms (now “{self.query_text}”)", self.action_clear_filter
            )
        yield SystemCommand(
            "Rooms: Resume polling" if self.poll.paused else "Rooms: Pause polling",
            "Stop or restart the live updates (p)",
            self.action_pause,
        )

    def _clear(self) -> None:
        box = self.query_one(FilterInput)
        box.value = ""
        box.remove_class("-open")
        self.set_filter("")
