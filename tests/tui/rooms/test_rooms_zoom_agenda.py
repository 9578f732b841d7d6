"""Reading the rooms grid: zoom (> <), the agenda (a, A) that never cuts, a steady scale across days, and
the cursor starting on now — in the real app against the sandbox over loopback."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable

from camtui.common.clock import fixed_clock
from camtui.tui.rooms.agenda import AgendaScreen, agenda_entries
from camtui.tui.rooms.detail import ReservationDetailScreen
from camtui.tui.rooms.layout import ZOOM_HOURS
from camtui.tui.shell.help import HelpScreen
from tests.tui.rooms.test_rooms_pane import EARLY, JST, NOW, dashboard, label, press_and_poll


@pytest.fixture
def server(sandbox_factory):
    return sandbox_factory(now=fixed_clock(NOW))


@pytest.fixture
def early_server(sandbox_factory):
    return sandbox_factory(now=fixed_clock(EARLY))


def grid_text(pane) -> list[str]:
    grid = pane.grid
    return [grid.render_line(y).text for y in range(grid.size.height)]


async def test_the_cursor_starts_on_now(server) -> None:
    async with dashboard(server) as (_app, _pilot, pane):
        grid = pane.grid
        assert grid.now_slot is not None
        assert grid.cursor_col == grid.now_slot  # 10:40 → the 10:30 slot, not 08:00
        assert grid.axis.starts[grid.cursor_col] == datetime(2026, 5, 12, 10, 30, tzinfo=JST)


async def test_zoom_shows_fewer_hours_with_wider_slots_and_back(server) -> None:
    async with dashboard(server, size=(200, 50)) as (_app, pilot, pane):
        grid = pane.grid
        widths = [grid.slot_width]
        for _ in ZOOM_HOURS[1:]:
            await pilot.press("greater_than_sign")
            await pilot.pause()
            widths.append(grid.slot_width)
        assert widths == sorted(widths) and widths[-1] >= 4 * widths[0]
        assert grid.zoom_hours == ZOOM_HOURS[-1] and f"zoom {ZOOM_HOURS[-1]} h" in label(pane, "rooms-info")
        # the cursor (now) stays in view while zooming
        x = grid.cursor_col * grid.slot_width - round(grid.scroll_offset.x)
        assert 0 <= x < grid.size.width - grid._name_width
        # at 4 hours per screen a booked hour shows its whole title (it was 2–6 cells)
        await pilot.press("less_than_sign")
        await pilot.pause()
        assert grid.zoom_hours == 4
        shown = "\n".join(grid_text(pane))
        visible = [
            r.title
            for row in grid.rows
            for r in row.room.reservations
            if r.end - r.start >= timedelta(hours=1) and r.title and r.title in shown
        ]
        assert visible, "no whole title on screen at 4 hours per screen"
        for _ in ZOOM_HOURS:
            await pilot.press("less_than_sign")
        await pilot.pause()
        assert grid.zoom_hours is None and grid.slot_width == widths[0]
        assert "zoom" not in label(pane, "rooms-info")


async def test_the_scale_holds_between_a_widened_day_and_the_next(early_server) -> None:
    """Today is widened to 06:00 by meetings before the hours; tomorrow is not: same cells per slot."""
    async with dashboard(early_server, now=EARLY) as (_app, pilot, pane):
        grid = pane.grid
        assert grid.axis.widened
        today = grid.slot_width
        await press_and_poll(pilot, pane, "right_square_bracket")
        assert not grid.axis.widened and grid.slot_width == today
        await press_and_poll(pilot, pane, "left_square_bracket")
        assert grid.axis.widened and grid.slot_width == today
        await pilot.press("greater_than_sign")
        zoomed = grid.slot_width
        await press_and_poll(pilot, pane, "right_square_bracket")
        assert grid.slot_width == zoomed  # zoomed too


async def test_agenda_of_one_room_lists_its_reservations_uncut_and_opens_the_detail(server) -> None:
    async with dashboard(server, size=(80, 24)) as (app, pilot, pane):
        grid = pane.grid
        index = max(range(len(grid.rows)), key=lambda i: len(grid.rows[i].room.reservations))
        grid.move_cursor(row=index)
        room = grid.rows[index]
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AgendaScreen)
        table = screen.query_one(DataTable)
        expected = agenda_entries((room,), pane.day, pane.tz, NOW)
        assert expected and table.row_count == len(expected)
        for i, entry in enumerate(expected):
            when, name, title, organiser = (str(c) for c in table.get_row_at(i))
            assert (
                name == room.name
                and title.endswith(entry.res.title)
                and entry.res.organizer_name in organiser
            )
            assert when.startswith(entry.res.start.astimezone(JST).strftime("%H:%M"))
        # never cut: the table is as wide as its longest line and scrolls (80 columns are fewer)
        longest = max(cell_len(str(c)) for i in range(table.row_count) for c in table.get_row_at(i))
        assert table.virtual_size.width >= longest
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReservationDetailScreen)
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen and not isinstance(app.screen, AgendaScreen)


async def test_agenda_of_all_rooms_is_every_reservation_of_the_day_by_start(server) -> None:
    async with dashboard(server, size=(160, 44)) as (app, pilot, pane):
        await pilot.press("A")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AgendaScreen)
        day = [
            r
            for row in pane.grid.rows
            for r in row.room.reservations
            if r.start.astimezone(JST).date() == NOW.date()
        ]
        assert screen.query_one(DataTable).row_count == len(day) == len(screen.entries)
        starts = [e.res.start for e in screen.entries]
        assert starts == sorted(starts)
        assert f"{len(pane.grid.rows)} rooms · {len(day)} reservations" in screen.heading
        # the cursor starts at the first meeting not over yet
        table = screen.query_one(DataTable)
        assert screen.entries[table.cursor_row].res.end > NOW
        assert all(e.res.end <= NOW for e in screen.entries[: table.cursor_row])


async def test_help_lists_the_zoom_and_agenda_keys(server) -> None:
    async with dashboard(server) as (app, pilot, _pane):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(w.render()) for w in app.screen.query("*") if hasattr(w, "render"))
        for key, words in (
            (">", "Zoom in"),
            ("<", "Zoom out"),
            ("a", "Agenda of this room"),
            ("A", "Agenda of all"),
        ):
            assert words in text, words
            assert any(line.strip().startswith(key) and words in line for line in text.splitlines()), key


def test_zoom_and_agenda_keys_are_declared_once_and_can_be_rebound(tmp_path) -> None:
    from camtui.tui.rooms.pane import RoomsPane
    from camtui.tui.shell import keys

    ids = {b.id for b in RoomsPane.BINDINGS if getattr(b, "id", None)}
    assert {"zoom-in", "zoom-out", "agenda-room", "agenda-all"} <= ids <= keys.SHARED_IDS
    assert keys.key_of(None, keys.ZOOM_IN) == ">" and keys.key_of(None, keys.ZOOM_OUT) == "<"
    path = tmp_path / "keymap.toml"
    path.write_text('zoom-in = "Z"\nagenda-all = "ctrl+a"\n', encoding="utf-8")
    keymap, problems = keys.load_keymap(path)
    assert problems == [] and keymap == {"zoom-in": "Z", "agenda-all": "ctrl+a"}
