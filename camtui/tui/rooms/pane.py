"""The rooms pane: one day's room grid, kept live by polling getConferenceRoomStatus(yyyyMMdd).

Polling uses a one-shot timer armed again only after each poll finished, so polls never overlap; errors back
off (rate limit, offline) or stop polling (auth failed) and the pane always says how old its data is and why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static

from camtui.api.errors import CAMAPIError, CAMError, TransportError
from camtui.api.models import ConferenceRoom, RoomStatus
from camtui.tui.rooms.detail import ReservationDetailScreen
from camtui.tui.rooms.grid import RoomsGrid, now_position
from camtui.tui.rooms.model import Cell, DayAxis, Prepared, RoomRow, build_rows, day_extent, prepare
from camtui.tui.shell.events import PaneStatus

POLL_STEPS = (2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0)
"""What + and - step through (the configured interval is added to the list)."""
MAX_BACKOFF = 300.0
THREAD_THRESHOLD = 200
"""Rooms above which rows are built in a thread, keeping the UI responsive on big sites."""
BUSY_REASONS = {"491": "rate limited", "503": "server unavailable"}
"""Stale reasons that back off: the admin's next step differs (lower the poll rate vs wait for maintenance)."""
AUTH_CODES = frozenset({"805", "490"})

SCREENSHOTS: list[tuple[str, list[str]]] = [
    ("rooms-detail", ["1", "n", "enter"]),
    ("rooms-month", ["1", "m"]),
]
"""Shots for screenshots/make_screenshots.py (keys pressed on the main screen once data arrived)."""


def age_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def next_boundary(rooms: Iterable[ConferenceRoom], axis: DayAxis, now: datetime) -> datetime | None:
    """The next instant the grid's look changes by itself: a slot starts, or a reservation starts or ends."""
    candidates = [s for s in axis.starts if s > now]
    if axis.end > now:
        candidates.append(axis.end)
    for room in rooms:
        for r in room.reservations:
            if r.start > now:
                candidates.append(r.start)
            if r.end > now:
                candidates.append(r.end)
    return min(candidates) if candidates else None


def _build(
    rooms: tuple[ConferenceRoom, ...],
    axis: DayAxis,
    now: datetime,
    previous: dict[str, RoomRow] | None,
    base: tuple[RoomRow, ...],
    query: str,
    now_slot: int | None,
) -> tuple[tuple[RoomRow, ...], datetime | None, Prepared]:
    """All of a poll's O(rooms) work, pure, so big sites can run it in a thread."""
    rows = build_rows(rooms, axis, now, previous)
    return rows, next_boundary(rooms, axis, now), prepare(base, rows, query, now_slot, now)


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


@dataclass(slots=True)
class _PollState:
    interval: float
    paused: bool = False
    auth_stopped: bool = False
    failures: int = 0
    stale_reason: str | None = None
    retry_after: float | None = None
    last_ok: datetime | None = None
    next_poll_at: datetime | None = None


class RoomsPane(Widget):
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
        Binding("plus,equals_sign", "interval(1)", "Poll less often", show=False, key_display="+"),
        Binding("minus", "interval(-1)", "Poll more often", show=False, key_display="-"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    DEFAULT_CSS = """
    RoomsPane { height: 1fr; }
    """

    def __init__(self, *, id: str | None = "rooms", classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.day: date = date.today()
        self.axis: DayAxis | None = None
        self._age_text = ""
        """What the age label shows now (it is repainted only when this changes)."""
        self.status: RoomStatus | None = None
        """The last good data for `day` (None while loading a new day)."""
        self.all_rows: tuple[RoomRow, ...] = ()
        self.query_text = ""
        self.free_now = False
        self.poll = _PollState(interval=15.0)
        self.polls = 0
        """Completed polls (tests wait on it)."""
        self._timer: Timer | None = None
        self._built_at: datetime | None = None
        self._built_axis: DayAxis | None = None
        self._next_change: datetime | None = None
        self._counts = (0, 0)
        """Rooms free now, rooms with overlaps (of the rows shown)."""
        self._build_generation = 0
        self._extent_cache: tuple[RoomStatus, date, tuple[datetime, datetime] | None] | None = None

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

    @property
    def grid(self) -> RoomsGrid:
        return self.query_one(RoomsGrid)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.app.settings.time_zone)  # type: ignore[attr-defined]

    def now(self) -> datetime:
        return self.app.clock()  # type: ignore[attr-defined,no-any-return]

    def today(self) -> date:
        return self.now().astimezone(self.tz).date()

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

    def _build_axis(self) -> None:
        self.axis = self._axis_for(self.now())

    def _axis_for(self, now: datetime) -> DayAxis:
        """The configured hours, widened to show now (today) and every reservation of the day outside them:
        at 06:40 a meeting from 06:00 is running, and an admin asking "free now?" must see it. The current
        axis object is kept when the columns are the same (unchanged rows are then reused, not rebuilt)."""
        settings = self.app.settings  # type: ignore[attr-defined]
        cover: list[tuple[datetime, datetime]] = []
        if self.day == now.astimezone(self.tz).date():
            cover.append((now, now))
        extent = self._extent()
        if extent is not None:
            cover.append(extent)
        axis = DayAxis.build(
            self.day,
            self.tz,
            settings.rooms_day_start,
            settings.rooms_day_end,
            int(settings.rooms_slot_minutes),
            cover=cover,
        )
        current = self.axis
        if current is not None and current.day == axis.day and current.bounds_ms == axis.bounds_ms:
            return current
        return axis

    def _extent(self) -> tuple[datetime, datetime] | None:
        """The day's reservations' span, computed once per answer (ticks reuse it)."""
        status = self.status
        if status is None:
            return None
        cached = self._extent_cache
        if cached is not None and cached[0] is status and cached[1] == self.day:
            return cached[2]
        extent = day_extent(status.rooms, self.day, self.tz)
        self._extent_cache = (status, self.day, extent)
        return extent

    # ---- polling --------------------------------------------------------------------------------------------

    def poll_now(self) -> None:
        """Fetch at once (cancelling a pending timer); the next poll is armed when this one finished."""
        self._cancel_timer()
        self._fetch(self.day)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.poll.next_poll_at = None

    def _arm(self) -> None:
        self._cancel_timer()
        if self.poll.paused or self.poll.auth_stopped:
            return
        delay = self.poll.interval
        if self.poll.stale_reason in (*BUSY_REASONS.values(), "offline") and self.poll.failures:
            delay = min(self.poll.interval * 2 ** min(self.poll.failures, 6), MAX_BACKOFF)
            if self.poll.retry_after:
                delay = max(delay, self.poll.retry_after)
        self.poll.next_poll_at = self.now() + timedelta(seconds=delay)
        self._timer = self.set_timer(delay, self._on_timer, name="rooms-poll")

    def _on_timer(self) -> None:
        self._timer = None
        if getattr(self.app, "auth_failed", False):
            self._stop_for_auth()
            return
        self._fetch(self.day)

    @work(exclusive=True, group="rooms", exit_on_error=False)
    async def _fetch(self, day: date) -> None:
        client = self.app.client  # type: ignore[attr-defined]  # read at each poll: the shell may swap it
        try:
            status = await client.get_conference_room_status(day)
        except CAMAPIError as exc:
            self.app.report_error(exc, "rooms")  # type: ignore[attr-defined]
            if exc.code in AUTH_CODES:
                self._stop_for_auth()
                self.polls += 1
                return
            busy = BUSY_REASONS.get(exc.code) or BUSY_REASONS.get(str(exc.http_status))
            self._failed(busy or f"error {exc.code}", exc.retry_after)
        except TransportError as exc:
            self.app.report_error(exc, "rooms")  # type: ignore[attr-defined]
            self._failed("offline", None)
        except Exception as exc:  # a bad answer or a bug must not end the polling: toast it, try again later
            self.app.report_error(exc, "rooms")  # type: ignore[attr-defined]
            self._failed("error" if not isinstance(exc, CAMError) else str(exc).split(":")[0], None)
        else:
            if day == self.day:
                await self._apply(status)
        self.polls += 1
        self._arm()

    def _failed(self, reason: str, retry_after: float | None) -> None:
        self.poll.failures += 1
        self.poll.stale_reason = reason
        self.poll.retry_after = retry_after
        if self.status is None:
            self.grid.set_empty_text(f"no data ({reason})")
        self._post_status()
        self._show_age()

    def _stop_for_auth(self) -> None:
        self._cancel_timer()
        self.poll.auth_stopped = True
        self.poll.stale_reason = "auth failed"
        if self.status is None:
            self.grid.set_empty_text("no data (auth failed: fix the token, then r or ctrl+r)")
        self._post_status()
        self._show_age()

    async def _apply(self, status: RoomStatus) -> None:
        self.status = status
        self.poll.failures = 0
        self.poll.stale_reason = None
        self.poll.retry_after = None
        self.poll.last_ok = self.now()
        await self._rebuild(self.now())
        self._post_status()
        self._show_age()

    async def _rebuild(self, now: datetime) -> None:
        """Rows from the last data at `now`; big sites build in a thread, the grid repaints changed rows only."""
        if self.status is None or self.axis is None:
            return
        self.axis = self._axis_for(now)
        rooms, axis = self.status.rooms, self.axis
        previous = None
        if (
            self.all_rows
            and self._built_axis is axis
            and self._built_at is not None
            and self._built_at <= now
            and (self._next_change is None or now < self._next_change)
        ):
            # Nothing crossed a boundary since the last build: unchanged rooms may keep their rows.
            previous = {row.room_id: row for row in self.all_rows}
        query, base = self.query_text, self.grid.rows
        position = self._now_position()
        self._build_generation += 1
        generation = self._build_generation
        if len(rooms) > THREAD_THRESHOLD:
            rows, boundary, prepared = await asyncio.to_thread(
                _build, rooms, axis, now, previous, base, query, position[0]
            )
        else:
            rows, boundary, prepared = _build(rooms, axis, now, previous, base, query, position[0])
        if axis is not self.axis or generation != self._build_generation:
            return  # the day changed, or a newer build (poll or tick) started meanwhile
        self.all_rows = rows
        self._built_at = now
        self._built_axis = axis
        self._next_change = boundary
        self._show_rows(prepared if query == self.query_text else None, position, now)

    def _show_rows(
        self,
        prepared: Prepared | None = None,
        position: tuple[int | None, float] | None = None,
        now: datetime | None = None,
    ) -> None:
        """Hand the (filtered) rows to the grid; `prepared` carries the diff and counts computed off-thread."""
        grid = self.grid
        if self.axis is None:
            return
        keep = grid.cursor_room.room_id if grid.cursor_room is not None else None
        now_slot, fraction = position or self._now_position()
        instant = (now or self.now()) if now_slot is not None else None
        if prepared is None:
            prepared = prepare(grid.rows, self.all_rows, self.query_text, now_slot, instant)
        rows = prepared.rows
        grid.set_empty_text(f"no rooms match “{self.query_text}”" if self.query_text else "no rooms")
        diff = grid.set_data(
            self.axis, rows, now_slot, fraction, diff=prepared.diff, base=prepared.base, now=instant
        )
        if diff.structural and keep is not None:
            index = next((i for i, r in enumerate(rows) if r.room_id == keep), None)
            if index is not None and index != grid.cursor_row:
                grid.move_cursor(row=index)
        self._counts = (prepared.free_now, prepared.overlaps)
        self._show_info()

    def _now_position(self) -> tuple[int | None, float]:
        if self.axis is None or self.day != self.today():
            return None, 0.0
        return now_position(self.axis, self.now())

    def _post_status(self) -> None:
        if self.poll.stale_reason is None and not self.poll.paused:
            self.post_message(PaneStatus("rooms", ok=True, when=self.poll.last_ok))
        else:
            reason = (
                "paused" if self.poll.paused and self.poll.stale_reason is None else self.poll.stale_reason
            )
            self.post_message(PaneStatus("rooms", ok=False, when=self.poll.last_ok, reason=reason))

    def on_auth_state_changed(self, event: Any) -> None:
        """From the shell (camtui.tui.app.AuthStateChanged): stop on failure, poll again once fixed."""
        if getattr(event, "failed", False):
            self._stop_for_auth()
            return
        self.poll.auth_stopped = False
        self.poll.failures = 0
        if not self.poll.paused:
            self.poll_now()

    # ---- periodic UI tick -----------------------------------------------------------------------------------

    async def _tick(self) -> None:
        self._show_age()
        now = self.now()
        if self._next_change is not None and now >= self._next_change:
            await self._rebuild(now)
        elif self.status is not None:
            slot, fraction = self._now_position()
            grid = self.grid
            if (slot, grid._column_in_slot(fraction) if slot is not None else 0) != (
                grid.now_slot,
                grid.now_offset,
            ):
                self._show_rows()  # the now-line moved: same rows, new line

    # ---- labels ---------------------------------------------------------------------------------------------

    def _show_day(self) -> None:
        today = self.today()
        delta = (self.day - today).days
        rel = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(delta, f"{delta:+d} days")
        self.query_one("#rooms-date", Static).update(f"{self.day:%a %Y-%m-%d} ({rel})")

    def _show_info(self) -> None:
        grid = self.grid
        parts = [
            f"{len(grid.rows)}/{len(self.all_rows)} rooms" if self.query_text else f"{len(grid.rows)} rooms"
        ]
        if self.query_text:
            parts.append(f"filter “{self.query_text}”")
        overlaps = self._counts[1]
        free_text = self.free_now_text()
        if free_text:
            parts.append(free_text)
        if overlaps:
            parts.append(f"⚠ {overlaps} with overlaps")
        axis = grid.axis
        if axis is not None and axis.widened and axis.day == self.day:
            parts.append(f"hours {axis.starts[0]:%H:%M}–{axis.end:%H:%M} (widened)")
        self.query_one("#rooms-info", Static).update(" · ".join(parts))

    def free_now_text(self) -> str:
        """ "free now: 21 of 24", or why there is nothing to count; "" when free-now is off and moot."""
        grid = self.grid
        mark = " (highlighted)" if self.free_now else ""
        if grid.now_slot is not None and self.status is not None:
            shown = len(grid.rows)
            if not shown:
                return "free now: no room shown" if self.free_now else ""
            free = self._counts[0]
            text = f"free now: {free} of {shown}{mark}"
            if self.free_now and free == 0:
                text += ", every room shown is in use"
            return text
        if not self.free_now:
            return ""
        if self.day != self.today():
            return f"free now: only for today, not {self.day:%a %m-%d} (t: today)"
        return "free now: waiting for data"

    def _show_age(self) -> None:
        label = self.query_one("#rooms-age", Static)
        poll = self.poll
        now = self.now()
        every = f"every {age_text(poll.interval)}"
        if poll.last_ok is not None and self.status is not None:
            age = age_text((now - poll.last_ok).total_seconds())
            data = f"updated {poll.last_ok.astimezone(self.tz):%H:%M:%S} ({age} ago)"
        else:
            data = "no data yet"
        if poll.paused:
            text, cls = f"⏸ paused · {data}", "-stale"
        elif poll.stale_reason == "auth failed":
            text, cls = f"stale: auth failed · {data} · polling stopped", "-error"
        elif poll.stale_reason is not None:
            retry = ""
            if poll.next_poll_at is not None:
                retry = f" · retry in {age_text((poll.next_poll_at - now).total_seconds())}"
            text, cls = f"stale: {poll.stale_reason} · {data}{retry}", "-stale"
        else:
            text, cls = f"{data} · {every}", ""
        if text != self._age_text:  # the once-a-second tick repaints only when the words change
            same_width = cell_len(text) == cell_len(self._age_text)
            self._age_text = text
            label.update(text, layout=not same_width)  # "12 s ago" → "13 s ago": no layout of the screen
        label.set_class(cls == "-stale", "-stale")
        label.set_class(cls == "-error", "-error")

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
        steps = sorted({*POLL_STEPS, self.poll.interval})
        i = steps.index(self.poll.interval)
        j = max(0, min(len(steps) - 1, i + direction))
        self.poll.interval = steps[j]
        if self._timer is not None:
            self._arm()  # the pending poll moves to the new interval
        self._show_age()  # the bar's "every 10 min" is the feedback: a toast per key press piled up

    # ---- detail ---------------------------------------------------------------------------------------------

    def on_rooms_grid_cell_selected(self, event: RoomsGrid.CellSelected) -> None:
        if self.axis is None:
            return
        settings = self.app.settings  # type: ignore[attr-defined]
        self.app.push_screen(
            ReservationDetailScreen(event.row, event.slot, self.axis, self.now(), settings.locale)
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
