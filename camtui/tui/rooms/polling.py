"""The rooms pane's live half: polling getConferenceRoomStatus(yyyyMMdd), building rows, and the bar's labels.

Polling uses a one-shot timer armed again only after each poll finished, so polls never overlap; errors back
off (rate limit, offline) or stop polling (auth failed) and the pane always says how old its data is and why.
What to do is decided in `logic` (pure); this module only keeps the state, runs the worker and shows results.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from textual import work
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from camtui.api.errors import CAMAPIError, CAMError, TransportError
from camtui.api.models import ConferenceRoom, RoomStatus
from camtui.tui.rooms.grid import RoomsGrid, now_position
from camtui.tui.rooms.logic import (
    AUTH_FAILED,
    OFFLINE,
    age_label,
    api_failure,
    day_cover,
    next_boundary,
    poll_delay,
    status_reason,
)
from camtui.tui.rooms.model import DayAxis, Prepared, RoomRow, build_rows, day_extent, prepare
from camtui.tui.shell.events import PaneStatus, PollFinished
from camtui.tui.shell.label_text import pad_to_step, set_text

THREAD_THRESHOLD = 200
"""Rooms above which rows are built in a thread, keeping the UI responsive on big sites. Not the first build of
a day: nothing is on screen to keep responsive then, and in the event loop it takes half the time (1,000 rooms:
~30 ms; 60-75 ms in a thread while the loop paints the first frame): straight off the first data's paint."""


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


AGE_STEP = 8
"""The age label's width grows in steps of this many cells."""


@dataclass(slots=True)
class PollState:
    interval: float
    paused: bool = False
    auth_stopped: bool = False
    failures: int = 0
    stale_reason: str | None = None
    retry_after: float | None = None
    last_ok: datetime | None = None
    next_poll_at: datetime | None = None


class RoomsPolling(Widget):
    """The state and the polling loop of the rooms pane (RoomsPane adds keys, layout and dialogs)."""

    def __init__(self, *, id: str | None = "rooms", classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.day: date = date.today()
        self.axis: DayAxis | None = None
        self.status: RoomStatus | None = None
        """The last good data for `day` (None while loading a new day)."""
        self.all_rows: tuple[RoomRow, ...] = ()
        self.query_text = ""
        self.free_now = False
        self.poll = PollState(interval=15.0)
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

    # ---- the day's columns ----------------------------------------------------------------------------------

    def _build_axis(self) -> None:
        self.axis = self._axis_for(self.now())

    def _axis_for(self, now: datetime) -> DayAxis:
        """The configured hours, widened as `logic.day_cover` says. The current axis object is kept when the
        columns are the same (unchanged rows are then reused, not rebuilt)."""
        settings = self.app.settings  # type: ignore[attr-defined]
        axis = DayAxis.build(
            self.day,
            self.tz,
            settings.rooms_day_start,
            settings.rooms_day_end,
            int(settings.rooms_slot_minutes),
            cover=day_cover(self.day, now, self.tz, self._extent()),
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

    def _mark(self, name: str) -> None:
        """A start-up milestone of the first poll, for the startup probe (benchmarks/startup.py --marks)."""
        marks = getattr(self.app, "startup_marks", None)
        if marks is not None and not self.polls:
            marks.setdefault(name, time.time())

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
        poll = self.poll
        delay = poll_delay(poll.interval, poll.failures, poll.stale_reason, poll.retry_after)
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
            self._mark("rooms_poll_start")
            status = await client.get_conference_room_status(day)
            self._mark("rooms_answer_parsed")
        except CAMAPIError as exc:
            self.app.report_error(exc, "rooms")  # type: ignore[attr-defined]
            reason = api_failure(exc.code, exc.http_status)
            self.post_message(PollFinished("rooms", False, code=exc.code, reachable=True))
            if reason == AUTH_FAILED:
                self._stop_for_auth()
                self.polls += 1
                return
            self._failed(reason or f"error {exc.code}", exc.retry_after)
        except TransportError as exc:
            self.app.report_error(exc, "rooms")  # type: ignore[attr-defined]
            self.post_message(PollFinished("rooms", False, reachable=False))
            self._failed(OFFLINE, None)
        except Exception as exc:  # a bad answer or a bug must not end the polling: toast it, try again later
            self.app.report_error(exc, "rooms")  # type: ignore[attr-defined]
            self.post_message(PollFinished("rooms", False))
            self._failed("error" if not isinstance(exc, CAMError) else str(exc).split(":")[0], None)
        else:
            if day == self.day:
                await self._apply(status)
            # The rules watch today: another day's answer tells them nothing about the rooms (unknown).
            today = status if day == self.today() else None
            self.post_message(PollFinished("rooms", True, data=today, reachable=True))
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
        self.poll.stale_reason = AUTH_FAILED
        if self.status is None:
            self.grid.set_empty_text("no data (auth failed: fix the token, then r or ctrl+r)")
        self._post_status()
        self._show_age()

    async def _apply(self, status: RoomStatus) -> None:
        # The client hands back the same object for an answer byte for byte the last one: then the rows stand
        # unless the columns moved or a meeting started or ended since (the tick rebuilds those too).
        now = self.now()
        unchanged = (
            status is self.status
            and self.all_rows
            and self._axis_for(now) is self.axis
            and (self._next_change is None or now < self._next_change)
        )
        self.status = status
        self.poll.failures = 0
        self.poll.stale_reason = None
        self.poll.retry_after = None
        self.poll.last_ok = now
        if not unchanged:
            await self._rebuild(now)
        self._post_status()
        self._show_age()

    def _post_status(self) -> None:
        reason = status_reason(self.poll.paused, self.poll.stale_reason)
        self.post_message(PaneStatus("rooms", ok=reason is None, when=self.poll.last_ok, reason=reason))

    def on_auth_state_changed(self, event: Any) -> None:
        """From the shell (camtui.tui.app.AuthStateChanged): stop on failure, poll again once fixed."""
        if getattr(event, "failed", False):
            self._stop_for_auth()
            return
        self.poll.auth_stopped = False
        self.poll.failures = 0
        if not self.poll.paused:
            self.poll_now()

    # ---- rows -----------------------------------------------------------------------------------------------

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
        if len(rooms) > THREAD_THRESHOLD and self.all_rows:
            rows, boundary, prepared = await asyncio.to_thread(
                _build, rooms, axis, now, previous, base, query, position[0]
            )
        else:
            rows, boundary, prepared = _build(rooms, axis, now, previous, base, query, position[0])
        if axis is not self.axis or generation != self._build_generation:
            return  # the day changed, or a newer build (poll or tick) started meanwhile
        self._mark("rooms_rows_built")
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
        if grid.zoom_hours is not None:
            parts.append(f"zoom {grid.zoom_hours} h")
        axis = grid.axis
        if axis is not None and axis.widened and axis.day == self.day:
            parts.append(f"hours {axis.starts[0]:%H:%M}–{axis.end:%H:%M} (widened)")
        # After each poll, mostly unchanged: then nothing is repainted or laid out.
        set_text(self.query_one("#rooms-info", Static), " · ".join(parts))

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
        poll = self.poll
        label = age_label(
            self.now(),
            self.tz,
            interval=poll.interval,
            paused=poll.paused,
            stale_reason=poll.stale_reason,
            last_ok=poll.last_ok,
            has_data=self.status is not None,
            next_poll_at=poll.next_poll_at,
        )
        widget = self.query_one("#rooms-age", Static)
        # The once-a-second tick repaints only when the words change, and lays nothing out while the width
        # stays (that re-layout was most of an idle dashboard's CPU).
        set_text(widget, pad_to_step(label.text, AGE_STEP))
        widget.set_class(label.look == "-stale", "-stale")
        widget.set_class(label.look == "-error", "-error")
