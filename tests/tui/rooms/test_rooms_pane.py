"""The rooms pane inside the real app shell, against the real sandbox over loopback, with a fixed clock."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import Input, Static

from camtui.api import CAMClient, RetryPolicy
from camtui.common.clock import fixed_clock
from camtui.config.settings import Settings
from camtui.store import Store
from camtui.tui.app import CamApp
from camtui.tui.rooms.detail import ReservationDetailScreen
from camtui.tui.rooms.goto import GoToDateScreen
from camtui.tui.rooms.grid import RoomsGrid
from camtui.tui.rooms.model import Cell
from camtui.tui.rooms.month.grid import MonthGrid
from camtui.tui.rooms.month.screen import MonthOverviewScreen
from camtui.tui.rooms.pane import RoomsPane
from camtui.tui.rooms.polling import AGE_STEP
from camtui.tui.shell.label_text import shown_text

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 5, 12, 10, 40, tzinfo=JST)
TODAY = date(2026, 5, 12)


async def wait_for(pilot: Pilot, condition: Callable[[], bool], what: str, limit: int = 400) -> None:
    """Let the app run until `condition` holds (polls travel over real loopback HTTP)."""
    for _ in range(limit):
        if condition():
            return
        await pilot.pause(0.025)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.asynccontextmanager
async def dashboard(
    server,
    token: str | None = None,
    *,
    size: tuple[int, int] = (160, 44),
    now: datetime = NOW,
    clock: Callable[[], datetime] | None = None,
    **changes: object,
) -> AsyncIterator[tuple[CamApp, Pilot, RoomsPane]]:
    """The real CamApp on `server`, rooms pane focused and its first poll finished; its clock fixed at `now`,
    or `clock` (a test that moves time)."""
    token = server.admin_token if token is None else token
    settings = Settings.defaults().with_changes(server_url=server.url, api_token=token, **changes)
    client = CAMClient(server.url, token, retry=RetryPolicy(max_attempts=1), read_budget=5.0, timeout=5.0)
    store = Store.open(":memory:")
    app = CamApp(client, store, settings, clock=clock or fixed_clock(now))
    try:
        async with app.run_test(size=size) as pilot:
            pane = app.query_one(RoomsPane)
            await wait_for(pilot, lambda: pane.polls >= 1, "the first rooms poll")
            await pilot.press("1")  # the shell's "focus rooms" key
            await pilot.pause()
            yield app, pilot, pane
    finally:
        await client.aclose()
        store.close()


@pytest.fixture
def server(sandbox_factory):
    """A sandbox whose demo data and clock are pinned to NOW (reservations follow the sandbox's month)."""
    return sandbox_factory(now=fixed_clock(NOW))


def label(pane: RoomsPane, widget_id: str) -> str:
    return str(pane.query_one(f"#{widget_id}", Static).render())


async def next_poll(pilot: Pilot, pane: RoomsPane, what: str = "the next poll") -> None:
    done = pane.polls
    await wait_for(pilot, lambda: pane.polls > done, what)


async def press_and_poll(pilot: Pilot, pane: RoomsPane, *keys: str) -> None:
    """Press keys that start a poll (r, p, ]…) and wait until that poll finished."""
    done = pane.polls
    await pilot.press(*keys)
    await wait_for(pilot, lambda: pane.polls > done, f"the poll after {keys}")


# ---- first data -------------------------------------------------------------------------------------------


async def test_first_poll_fills_the_grid_and_reports_fresh_data(server) -> None:
    async with dashboard(server) as (app, _pilot, pane):
        grid = pane.grid
        assert pane.id == "rooms"
        assert len(grid.rows) == 12
        assert grid.axis is not None and grid.axis.day == TODAY
        assert grid.now_slot == 5  # 10:40 in the 10:30 slot
        assert app.focused is grid
        assert label(pane, "rooms-date") == "Tue 2026-05-12 (today)"
        assert "12 rooms" in label(pane, "rooms-info")
        assert "updated 10:40:00" in label(pane, "rooms-age") and "every 15 s" in label(pane, "rooms-age")
        assert app.connection == "connected"
        assert app.status_line.last_good("rooms") == NOW
        # demo data puts a meeting in progress in some rooms now
        assert any(row.cells[5] == Cell.IN_PROGRESS for row in grid.rows)


# ---- navigation -------------------------------------------------------------------------------------------


async def test_day_navigation_fetches_each_day(server) -> None:
    async with dashboard(server) as (_app, pilot, pane):
        today_rows = pane.grid.rows
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: pane.status is not None, "tomorrow's data")
        assert pane.day == TODAY + timedelta(days=1)
        assert label(pane, "rooms-date") == "Wed 2026-05-13 (tomorrow)"
        assert pane.grid.now_slot is None  # no now-line on another day
        tomorrow = {r.id for row in pane.grid.rows for slot in row.slot_reservations for r in slot}
        today = {r.id for row in today_rows for slot in row.slot_reservations for r in slot}
        assert tomorrow and not (tomorrow & today)
        for row in pane.grid.rows:
            for slot in row.slot_reservations:
                for r in slot:
                    assert r.start.astimezone(JST).date() <= pane.day <= r.end.astimezone(JST).date()
        await pilot.press("left_square_bracket", "left_square_bracket")
        await wait_for(
            pilot, lambda: pane.status is not None and pane.day == TODAY - timedelta(days=1), "yesterday"
        )
        assert label(pane, "rooms-date") == "Mon 2026-05-11 (yesterday)"
        await pilot.press("t")
        await wait_for(pilot, lambda: pane.status is not None and pane.day == TODAY, "today")
        assert pane.grid.now_slot == 5


async def test_go_to_a_typed_date_and_bad_input_stays_open(server) -> None:
    async with dashboard(server) as (app, pilot, pane):
        await pilot.press("g")
        assert isinstance(app.screen, GoToDateScreen)
        await pilot.press(*"xyz", "enter")
        assert isinstance(app.screen, GoToDateScreen)  # still open, with the parser's message
        error = str(app.screen.query_one("#goto-error", Static).render())
        assert "xyz" in error
        field = app.screen.query_one("#goto-input", Input)
        field.value = ""
        await pilot.press(*"2026-05-20")
        assert "Wed 2026-05-20" in str(app.screen.query_one("#goto-hint", Static).render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: pane.day == date(2026, 5, 20) and pane.status is not None, "May 20")
        assert not isinstance(app.screen, GoToDateScreen)
        await pilot.press("g", *"tomorrow", "enter")
        await wait_for(pilot, lambda: pane.day == date(2026, 5, 13), "tomorrow")
        await pilot.press("g", *"+30", "escape")
        assert pane.day == date(2026, 5, 13)  # escape changes nothing


# ---- detail -----------------------------------------------------------------------------------------------


async def _cursor_to(pilot: Pilot, grid: RoomsGrid, predicate) -> tuple[int, int]:
    for r, row in enumerate(grid.rows):
        for c, cell in enumerate(row.cells):
            if predicate(row, c, cell):
                grid.move_cursor(r, c)
                await pilot.pause()
                return r, c
    raise AssertionError("no such cell in the demo data")


async def test_detail_of_a_meeting_in_progress_in_english(server) -> None:
    async with dashboard(server, locale="en") as (app, pilot, pane):
        grid = pane.grid
        await pilot.press("n")  # cursor to the now column
        assert grid.cursor_col == 5
        row_i, _ = await _cursor_to(pilot, grid, lambda row, c, cell: c == 5 and cell == Cell.IN_PROGRESS)
        res = grid.rows[row_i].slot_reservations[5][0]
        await pilot.press("enter")
        assert isinstance(app.screen, ReservationDetailScreen)
        text = "\n".join(str(w.render()) for w in app.screen.query(Static))
        assert res.title in text
        assert res.organizer_name in text and f"<{res.organizer_email}>" in text
        start, end = res.start.astimezone(JST), res.end.astimezone(JST)
        assert f"{start:%H:%M}–{end:%H:%M} JST" in text
        assert "→ started" in text and "ago, ends in" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, ReservationDetailScreen)
        assert app.focused is grid


async def test_detail_in_japanese_for_a_later_meeting(server) -> None:
    async with dashboard(server, locale="ja") as (app, pilot, pane):
        grid = pane.grid
        await _cursor_to(
            pilot,
            grid,
            lambda row, c, cell: c > 6 and cell == Cell.BOOKED and row.slot_reservations[c][0].start > NOW,
        )
        await pilot.press("enter")
        text = "\n".join(str(w.render()) for w in app.screen.query(Static))
        assert "後に開始" in text


async def test_overlapping_reservations_are_highlighted_and_listed(server) -> None:
    async with dashboard(server) as (app, pilot, pane):
        grid = pane.grid
        assert "with overlaps" in label(pane, "rooms-info")
        await pilot.press("o")
        row = grid.rows[grid.cursor_row]
        assert row.cells[grid.cursor_col] == Cell.OVERLAP
        first = (grid.cursor_row, grid.cursor_col)
        await pilot.press("enter")
        assert isinstance(app.screen, ReservationDetailScreen)
        items = app.screen.query(".detail-item")
        assert len(items) >= 2
        assert len(app.screen.query(".-overlap")) >= 2
        assert "overlap in this slot" in str(app.screen.query_one("#detail-heading", Static).render())
        await pilot.press("escape", "o")
        assert (grid.cursor_row, grid.cursor_col) != first
        assert grid.rows[grid.cursor_row].cells[grid.cursor_col] == Cell.OVERLAP


async def test_detail_of_a_free_slot_says_until_when(server) -> None:
    async with dashboard(server, locale="en") as (app, pilot, pane):
        await _cursor_to(pilot, pane.grid, lambda row, c, cell: cell == Cell.FREE)
        await pilot.press("enter")
        text = str(app.screen.query_one("#detail-heading", Static).render())
        assert "free until" in text or "free for the rest of the day" in text


# ---- filter and free now -----------------------------------------------------------------------------------


async def test_filter_by_name_or_location(server) -> None:
    async with dashboard(server) as (app, pilot, pane):
        grid = pane.grid
        locations = sorted({row.room.location for row in grid.rows})
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"会議室")
        assert 0 < len(grid.rows) < 12
        assert all("会議室" in row.name or "会議室" in row.room.location for row in grid.rows)
        assert f"{len(grid.rows)}/12 rooms" in label(pane, "rooms-info")
        await pilot.press("enter")
        assert app.focused is grid
        assert pane.query_text == "会議室"
        # typing keeps the filter while polls come in
        await press_and_poll(pilot, pane, "r")
        assert all("会議室" in row.name or "会議室" in row.room.location for row in grid.rows)
        await pilot.press("slash", "escape")
        assert len(grid.rows) == 12 and pane.query_text == ""
        await pilot.press("slash", *locations[0], "enter")
        assert grid.rows and all(
            locations[0] in row.room.location or locations[0] in row.name for row in grid.rows
        )
        await pilot.press("slash", *"zq9", "enter")
        assert grid.rows == ()
        assert "no rooms match" in grid.empty_text


async def test_escape_on_the_grid_clears_an_active_filter_and_only_then(server) -> None:
    """C2: help lists "esc Clear filter"; without a filter, escape is left to the shell."""
    async with dashboard(server) as (app, pilot, pane):
        grid = pane.grid
        await pilot.press("slash", *"会議室", "enter")
        assert app.focused is grid and 0 < len(grid.rows) < 12
        await pilot.press("escape")
        assert pane.query_text == "" and len(grid.rows) == 12
        assert not pane.query_one("#rooms-filter").has_class("-open")
        assert "filter" not in label(pane, "rooms-info")
        assert app.focused is grid
        # no filter: the pane declines the key (SkipAction), so the binding chain goes on to the shell
        assert await app.run_action("clear_filter", pane) is False
        await pilot.press("escape")
        assert len(grid.rows) == 12 and app.focused is grid
        await pilot.press("z", "escape")
        assert app.screen.maximized is None  # the shell's restore still works
        help_rows = dict(next(rows for title, rows in app.help_sections() if title == "Rooms"))
        assert help_rows.get("esc") == "Clear filter"


async def test_free_now_highlighting(server) -> None:
    async with dashboard(server) as (_app, pilot, pane):
        grid = pane.grid
        free = [row for row in grid.rows if row.is_free_now(grid.now_slot, NOW)]
        assert f"free now: {len(free)} of 12" in label(pane, "rooms-info")
        await pilot.press("f")
        assert grid.highlight_free_now
        assert f"free now: {len(free)} of 12 (highlighted)" in label(pane, "rooms-info")
        free_style = grid.get_component_rich_style("rooms-grid--free-now")
        index = grid.rows.index(free[0])
        segments = grid._name_segments(index, grid._get_styles())
        assert segments[0].style == free_style
        await pilot.press("f")
        assert not grid.highlight_free_now
        assert "(highlighted)" not in label(pane, "rooms-info")
        # another day: nothing to highlight, and the bar says why
        await press_and_poll(pilot, pane, "right_square_bracket")
        assert f"free now: {len(free)}" not in label(pane, "rooms-info")
        await pilot.press("f")
        assert "free now: only for today" in label(pane, "rooms-info")


# ---- before the day's hours (W2) ---------------------------------------------------------------------------

EARLY = datetime(2026, 11, 30, 6, 40, tzinfo=JST)
"""06:40 Tokyo: the sandbox puts meetings in progress from 06:00 to 07:30 in every fourth room, and its demo ghost
meeting (booked from the half hour before now for 90 minutes: 06:00–07:30 too) in one more."""


@pytest.fixture
def early_server(sandbox_factory):
    return sandbox_factory(now=fixed_clock(EARLY))


def live_rows(pane: RoomsPane) -> list:
    """Rows of rooms with a meeting running at EARLY (the sandbox's 06:00–07:30 bookings)."""
    return [row for row in pane.grid.rows if any(r.start <= EARLY < r.end for r in row.room.reservations)]


async def test_meetings_before_the_hours_widen_the_grid_and_count_as_busy(early_server) -> None:
    async with dashboard(early_server, now=EARLY, locale="en") as (app, pilot, pane):
        grid = pane.grid
        running = live_rows(pane)
        assert len(running) == 4
        for row in running:
            (res,) = [r for r in row.room.reservations if r.start <= EARLY < r.end]
            assert (
                res.start.astimezone(JST).strftime("%H:%M-") + res.end.astimezone(JST).strftime("%H:%M")
                == "06:00-07:30"
            )
        axis = grid.axis
        assert axis is not None
        assert axis.starts[0] == datetime(2026, 11, 30, 6, 0, tzinfo=JST)  # widened, on the 30-min grid
        assert axis.end == datetime(2026, 11, 30, 21, 0, tzinfo=JST)
        assert grid.now_slot == 1  # 06:30–07:00
        assert [row.cells[1] for row in running] == [Cell.IN_PROGRESS] * 4
        busy = [row for row in grid.rows if not row.is_free_now(grid.now_slot, EARLY)]
        assert busy == running
        info = label(pane, "rooms-info")
        assert "free now: 8 of 12" in info and "hours 06:00–21:00 (widened)" in info
        header = str(grid.render_line(0).text)
        assert "06:00" in header and "07:00" in header
        # the now-line is drawn (in a free room's now column)
        free_index = next(i for i, row in enumerate(grid.rows) if row not in running and i != grid.cursor_row)
        line = grid.render_line(1 + free_index).text
        x = grid._name_width + grid.slot_width
        assert "│" in line[x : x + grid.slot_width]
        # f says what it did
        await pilot.press("f")
        assert "free now: 8 of 12 (highlighted)" in label(pane, "rooms-info")
        free_style = grid.get_component_rich_style("rooms-grid--free-now")
        for i, row in enumerate(grid.rows):
            highlighted = grid._name_segments(i, grid._get_styles())[0].style == free_style
            assert highlighted == (row not in running), row.name
        # the detail answers "is it free right now?" whatever slot the cursor is on
        index = grid.rows.index(running[0])
        grid.move_cursor(index, axis.slot_of(datetime(2026, 11, 30, 8, 0, tzinfo=JST)))
        await pilot.pause()
        await pilot.press("enter")
        heading = str(app.screen.query_one("#detail-heading", Static).render())
        res = next(r for r in running[0].room.reservations if r.start <= EARLY < r.end)
        assert f"now 06:40: in use: {res.title} until 07:30" in heading
        await pilot.press("escape")
        await pilot.press("n")
        assert grid.cursor_col == 1
        await pilot.press("enter")
        text = "\n".join(str(w.render()) for w in app.screen.query(Static))
        assert res.title in text and "→ started" in text


async def test_free_room_detail_before_the_hours_says_free_now(early_server) -> None:
    async with dashboard(early_server, now=EARLY, locale="en") as (app, pilot, pane):
        grid = pane.grid
        running = live_rows(pane)
        index = next(i for i, row in enumerate(grid.rows) if row not in running)
        grid.move_cursor(index, 1)
        await pilot.pause()
        await pilot.press("enter")
        heading = str(app.screen.query_one("#detail-heading", Static).render())
        assert "now 06:40: free" in heading


async def test_without_early_meetings_the_grid_still_shows_now(early_server) -> None:
    """A filter or a later day does not shrink today's range below now; a later day has its own range."""
    async with dashboard(early_server, now=EARLY) as (_app, pilot, pane):
        await press_and_poll(pilot, pane, "right_square_bracket")
        axis = pane.grid.axis
        assert axis is not None and axis.day == date(2026, 12, 1)
        assert axis.starts[0] == datetime(2026, 12, 1, 8, 0, tzinfo=JST) and not axis.widened
        assert "widened" not in label(pane, "rooms-info")
        await pilot.press("f")
        assert "free now: only for today" in label(pane, "rooms-info")
        await press_and_poll(pilot, pane, "t")
        assert pane.grid.axis.starts[0] == datetime(2026, 11, 30, 6, 0, tzinfo=JST)
        assert "free now: 8 of 12 (highlighted)" in label(pane, "rooms-info")


async def test_the_grid_grows_when_now_passes_the_end_of_the_hours(server) -> None:
    """At 21:00 the now slot would fall off the grid: the next tick widens it by a slot (no poll needed)."""
    moments = [datetime(2026, 5, 12, 20, 59, 30, tzinfo=JST)]
    async with dashboard(server, clock=lambda: moments[-1]) as (_app, pilot, pane):
        grid = pane.grid
        assert grid.axis is not None and grid.axis.end == datetime(2026, 5, 12, 21, 0, tzinfo=JST)
        assert grid.now_slot == len(grid.axis) - 1
        moments.append(datetime(2026, 5, 12, 21, 0, 30, tzinfo=JST))
        await pane._tick()
        await pilot.pause()
        assert grid.axis.end == datetime(2026, 5, 12, 21, 30, tzinfo=JST)
        assert grid.now_slot == len(grid.axis) - 1
        assert "hours 08:00–21:30 (widened)" in label(pane, "rooms-info")
        assert "free now: 12 of 12" in label(pane, "rooms-info")


async def test_the_age_tick_repaints_nothing_while_the_data_is_live(server) -> None:
    """A dashboard left open all day: while the data is live the once-a-second tick repaints nothing (the label
    says when the last poll was, not a count of seconds). Once the data is late its age shows in minutes; the
    label's width grows in AGE_STEP-cell steps, and only a step of width lays the screen out again."""
    from rich.cells import cell_len

    moments = [datetime(2026, 5, 12, 10, 0, 0, tzinfo=JST)]
    async with dashboard(server, clock=lambda: moments[-1], rooms_poll_seconds=600.0) as (_app, _pilot, pane):
        age = pane.query_one("#rooms-age", Static)
        layouts: list[bool] = []
        real_refresh = age.refresh

        def recording_refresh(*regions, layout: bool = False, **kwargs):  # type: ignore[no-untyped-def]
            layouts.append(layout)
            return real_refresh(*regions, layout=layout, **kwargs)

        start = moments[0]
        moments.append(start + timedelta(seconds=1))
        pane._show_age()
        shown = label(pane, "rooms-age")
        assert "updated 10:00:00 · every 10 min" in shown and "ago" not in shown
        age.refresh = recording_refresh  # type: ignore[method-assign]
        for seconds in range(2, 60):
            moments.append(start + timedelta(seconds=seconds))
            pane._show_age()
        assert layouts == [] and label(pane, "rooms-age") == shown  # 58 ticks, not one repaint
        moments.append(start + timedelta(seconds=61))
        pane._show_age()
        assert "(1 min ago)" in label(pane, "rooms-age")
        width = cell_len(shown_text(age) or "")
        assert width % AGE_STEP == 0
        for seconds in range(120, 200_000, 97):  # until the words need the next step of width
            moments.append(start + timedelta(seconds=seconds))
            pane._show_age()
            if cell_len(shown_text(age) or "") != width:
                break
        assert cell_len(shown_text(age) or "") != width
        assert layouts[-1] is True and not any(layouts[1:-1])


# ---- live updates ------------------------------------------------------------------------------------------


async def test_a_poll_answered_as_before_rebuilds_nothing_but_says_when(server) -> None:
    """The client gives back the last `RoomStatus` for an identical answer: the pane keeps its rows (no build,
    no grid diff) and only the time of the last good poll moves on."""
    moments = [NOW]
    async with dashboard(server, clock=lambda: moments[-1], rooms_poll_seconds=600.0) as (_app, pilot, pane):
        status, generation, rows = pane.status, pane._build_generation, pane.all_rows
        moments.append(NOW + timedelta(seconds=20))
        polls = pane.polls
        pane.poll_now()
        await wait_for(pilot, lambda: pane.polls > polls, "the second poll")
        assert pane.status is status and pane.all_rows is rows
        assert pane._build_generation == generation
        assert pane.poll.last_ok == moments[-1]
        assert f"updated {moments[-1].astimezone(JST):%H:%M:%S}" in label(pane, "rooms-age")


async def test_polls_pick_up_new_bookings_and_repaint_only_changed_rows(server) -> None:
    async with dashboard(server, rooms_poll_seconds=1.0) as (_app, pilot, pane):
        grid = pane.grid
        before_rows = grid.rows
        await next_poll(pilot, pane, "a timer poll")  # the timer is re-armed after each poll
        await pilot.pause()
        baseline = grid.render_count
        server.advance_simulation(steps=60)  # books a few ad-hoc meetings from 11:00
        await next_poll(pilot, pane, "the poll after the bookings")
        await pilot.pause()
        changed = [
            i
            for i, (a, b) in enumerate(zip(before_rows, grid.rows, strict=True))
            if a.render_key != b.render_key
        ]
        assert changed, "the simulation booked nothing today"
        ids = {r.id for row in grid.rows for slot in row.slot_reservations for r in slot}
        assert any(i.startswith("rsv-sim-") for i in ids)
        assert grid.render_count - baseline == len(changed) < len(grid.rows)


async def test_pause_stops_polling_and_resume_polls_at_once(server) -> None:
    async with dashboard(server, rooms_poll_seconds=1.0) as (app, pilot, pane):
        await pilot.press("p")
        assert pane.poll.paused and pane._timer is None
        assert "paused" in label(pane, "rooms-age")
        assert "rooms" in str(app.status_line.query_one("#status-panes").render())
        polls = pane.polls
        await pilot.pause(1.5)  # longer than the interval: no poll may happen
        assert pane.polls == polls
        await press_and_poll(pilot, pane, "p")
        assert not pane.poll.paused and pane._timer is not None
        assert "paused" not in label(pane, "rooms-age")


async def test_interval_changes_while_running(server) -> None:
    async with dashboard(server) as (app, pilot, pane):
        toasts = len(app._notifications)
        await pilot.press("plus")
        assert pane.poll.interval == 30
        assert "every 30 s" in label(pane, "rooms-age")
        await pilot.press("minus", "minus", "minus")
        assert pane.poll.interval == 5
        assert pane.poll.next_poll_at == NOW + timedelta(seconds=5)  # the pending poll moved
        # C1: ten quick presses, no pile of toasts: the bar is the feedback
        await pilot.press(*["plus"] * 10)
        await pilot.pause()
        assert pane.poll.interval == 600
        assert "every 10 min" in label(pane, "rooms-age")
        assert len(app._notifications) == toasts


# ---- errors ------------------------------------------------------------------------------------------------


def rooms_errors(app: CamApp) -> list[str]:
    return [r.title for r in app.error_log if r.source == "rooms"]


async def test_bad_token_stops_polling_until_refresh(server) -> None:
    async with dashboard(server, token="not-the-token") as (app, pilot, pane):
        assert any("805" in title for title in rooms_errors(app))
        assert pane.poll.auth_stopped and pane._timer is None
        assert "auth failed" in label(pane, "rooms-age")
        assert "auth failed" in pane.grid.empty_text
        assert app.auth_failed
        polls = pane.polls
        await press_and_poll(pilot, pane, "r")  # still the bad token: one more try, still stopped
        assert pane.poll.auth_stopped and pane._timer is None and pane.polls == polls + 1
        # the user fixes the token (the shell swaps the client), then refreshes
        good = CAMClient(server.url, server.admin_token, retry=RetryPolicy(max_attempts=1))
        try:
            app.client = good
            await pilot.press("r")
            await wait_for(pilot, lambda: pane.status is not None, "data with the good token")
            assert not pane.poll.auth_stopped and pane._timer is not None
            assert not app.auth_failed
            assert "updated 10:40:00" in label(pane, "rooms-age")
            await pilot.pause()
            assert len(pane.grid.rows) == 12
        finally:
            await good.aclose()


@pytest.mark.parametrize(
    ("fault", "code", "reason"),
    [("error_491", "491", "rate limited"), ("error_503", "503", "server unavailable")],
)
async def test_rate_limit_backs_off_and_recovers(server, fault: str, code: str, reason: str) -> None:
    async with dashboard(server) as (app, pilot, pane):
        rows = pane.grid.rows
        server.set_faults({fault: 1.0, "methods": ["getConferenceRoomStatus"]})
        await press_and_poll(pilot, pane, "r")
        assert any(code in title for title in rooms_errors(app))
        assert pane.poll.stale_reason == reason
        assert f"stale: {reason}" in label(pane, "rooms-age")
        assert app.connection == "retrying"
        assert pane.grid.rows == rows  # the old data stays, marked stale
        assert pane.poll.next_poll_at is not None
        assert pane.poll.next_poll_at - NOW > timedelta(seconds=pane.poll.interval)  # backed off
        server.clear_faults()
        await press_and_poll(pilot, pane, "r")
        assert pane.poll.stale_reason is None
        assert pane.poll.next_poll_at == NOW + timedelta(seconds=pane.poll.interval)
        assert "stale" not in label(pane, "rooms-age")


async def test_offline_then_back(server) -> None:
    async with dashboard(server) as (app, pilot, pane):
        server.set_faults({"reset_before": 1.0, "methods": ["getConferenceRoomStatus"]})
        await press_and_poll(pilot, pane, "r")
        assert pane.poll.stale_reason == "offline"
        assert "stale: offline" in label(pane, "rooms-age")
        assert any("not reachable" in title for title in rooms_errors(app))
        assert len(pane.grid.rows) == 12
        server.clear_faults()
        await press_and_poll(pilot, pane, "r")
        assert pane.poll.stale_reason is None
        assert app.connection == "connected"


async def test_garbage_answer_is_an_error_not_a_crash(server) -> None:
    async with dashboard(server) as (app, pilot, pane):
        server.set_faults({"garbage": 1.0, "methods": ["getConferenceRoomStatus"]})
        await press_and_poll(pilot, pane, "r")
        assert pane.poll.stale_reason is not None and "500" in pane.poll.stale_reason
        assert any("500" in title for title in rooms_errors(app))
        assert pane._timer is not None  # polling goes on
        assert len(pane.grid.rows) == 12


async def test_server_down_on_a_new_day_says_no_data(server) -> None:
    async with dashboard(server) as (_app, pilot, pane):
        server.stop()
        await press_and_poll(pilot, pane, "right_square_bracket")
        assert pane.grid.rows == ()
        assert pane.grid.empty_text == "no data (offline)"


# ---- month overview ----------------------------------------------------------------------------------------


async def test_month_overview_and_opening_a_day(server) -> None:
    async with dashboard(server) as (app, pilot, pane):
        await pilot.press("m")
        screen = app.screen
        assert isinstance(screen, MonthOverviewScreen)
        await wait_for(pilot, lambda: screen.loaded, "the month")
        grid = screen.query_one(MonthGrid)
        assert grid.summary is not None
        assert len(grid.summary.rows) == 12 and len(grid.summary.days) == 31
        assert grid.cursor_date == TODAY
        weekday_share = grid.summary.totals[TODAY.day - 1]
        assert 0 < weekday_share <= 1
        assert all(0 <= s <= 1 for row in grid.summary.rows for s in row.shares)
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.loaded, "June")
        assert grid.summary.month == 6 and len(grid.summary.days) == 30
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: screen.loaded, "May again")
        assert grid.cursor_date == TODAY  # the cursor keeps its day of the month across months
        await pilot.press("right", "right", "enter")
        assert not isinstance(app.screen, MonthOverviewScreen)
        await wait_for(pilot, lambda: pane.day == date(2026, 5, 14) and pane.status is not None, "May 14")


async def test_month_overview_respects_the_filter_and_escape(server) -> None:
    async with dashboard(server) as (app, pilot, pane):
        await pilot.press("slash", *"会議室", "enter")
        shown = len(pane.grid.rows)
        await pilot.press("m")
        screen = app.screen
        await wait_for(pilot, lambda: screen.loaded, "the month")
        assert len(screen.query_one(MonthGrid).summary.rows) == shown
        await pilot.press("escape")
        assert app.screen is not screen
        assert pane.day == TODAY


async def test_escape_in_a_maximised_pane_clears_the_filter_before_restoring(server) -> None:
    """Escape goes to the grid first (the shell sets ESCAPE_TO_MINIMIZE = False); a second escape restores."""
    async with dashboard(server) as (app, pilot, pane):
        grid = pane.grid
        await pilot.press("z", "slash", *"会議室", "enter")
        assert app.screen.maximized is pane and 0 < len(grid.rows) < 12
        await pilot.press("escape")
        assert pane.query_text == "" and len(grid.rows) == 12
        assert app.screen.maximized is pane
        await pilot.press("escape")
        assert app.screen.maximized is None


def grid_text(app: CamApp, grid: RoomsGrid) -> list[str]:
    """The grid's lines as painted on the screen (its own columns only, scrollbar excluded)."""
    area = grid.scrollable_content_region
    strips = app.screen._compositor.render_strips()[area.y : area.bottom]
    return [strip.crop(area.x, area.right).text for strip in strips]


async def test_the_grid_fills_the_pane_at_120_and_200_columns_and_refits_on_resize(server) -> None:
    async with dashboard(server, size=(120, 40)) as (app, pilot, pane):
        grid = pane.query_one(RoomsGrid)
        assert grid.axis is not None and len(grid.axis) == 26  # 08:00-21:00, 30-minute slots
        widest = max(cell_len(row.name) for row in grid.rows)
        # 118 cells inside the border, 12 rooms fit (no vertical scrollbar): 26 slots of 3 cells, and the name
        # column takes the 24 cells left over (before: 16, with 24 blank cells at the right edge).
        assert grid.scrollable_content_region.width == 118
        assert (grid._name_width, grid.slot_width) == (40, 3)
        assert grid.virtual_size.width == 118 and not grid.show_horizontal_scrollbar
        lines = grid_text(app, grid)
        assert lines[0].rstrip().endswith("20:00")
        assert all(cell_len(line) == 118 for line in lines)
        for line, row in zip(lines[1:], grid.rows, strict=False):
            assert cell_len(line.split("│", 1)[0]) == 39 and row.name in line
        assert widest + 3 <= grid._name_width

        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        # 198 cells: slots widen to 7 (26 × 7 + 16 = 198, flush; before: 6, leaving 26 blank cells).
        assert grid.scrollable_content_region.width == 198
        assert (grid._name_width, grid.slot_width) == (widest + 3, 7)
        assert grid._name_width + 26 * grid.slot_width == 198 and not grid.show_horizontal_scrollbar
        lines = grid_text(app, grid)
        assert lines[0].rstrip().endswith("20:00")
        assert all(cell_len(line) == 198 for line in lines)
        for line, row in zip(lines[1:], grid.rows, strict=False):
            assert (
                cell_len(line.split("│", 1)[0]) == widest + 2 and row.name in line
            )  # repainted at the new widths
