"""The rooms grid widget alone, on synthetic data, in a headless app (Pilot)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Offset
from textual.strip import Strip

from camtui.api.models import ConferenceRoom, Reservation
from camtui.tui.rooms.grid import NAME_MAX, NAME_WIDE_MAX, RoomsGrid, fit_columns, now_position, snap_cut
from camtui.tui.rooms.model import Cell, DayAxis, build_rows, prepare
from camtui.tui.rooms.synthetic import SAMPLE_NOW, GridPreviewApp, sample_rooms

JST = ZoneInfo("Asia/Tokyo")


def screen_lines(app: GridPreviewApp) -> list[Strip]:
    return app.screen._compositor.render_strips()


def text_lines(app: GridPreviewApp) -> list[str]:
    return [s.text for s in screen_lines(app)]


def style_at(strip: Strip, x: int):
    """The rich style of the cell at column x of a rendered line."""
    pos = 0
    for seg in strip:
        width = cell_len(seg.text)
        if pos <= x < pos + width:
            return seg.style
        pos += width
    raise IndexError(x)


async def test_wide_names_keep_the_slot_columns_aligned() -> None:
    app = GridPreviewApp()
    async with app.run_test(size=(120, 14)) as pilot:
        await pilot.pause()
        lines = text_lines(app)[1:9]
        grid = app.query_one(RoomsGrid)
        columns = {cell_len(line.split("│", 1)[0]) for line in lines}
        assert columns == {grid._name_width - 1}
        assert "大会議室（東京本社）" in lines[2]
        assert all(cell_len(line) == 120 for line in text_lines(app))


async def test_header_shows_hours_and_marks_the_now_slot() -> None:
    app = GridPreviewApp()
    async with app.run_test(size=(120, 14)) as pilot:
        await pilot.pause()
        grid = app.query_one(RoomsGrid)
        header = screen_lines(app)[0]
        assert "08:00 09:00 10:00" in header.text
        slot, fraction = now_position(app.axis, SAMPLE_NOW)
        assert (slot, round(fraction, 2)) == (5, 0.33)  # 10:40 is a third into the 10:30 slot
        SLOT_WIDTH = grid.slot_width
        assert grid.now_offset == 1
        x_now = grid._name_width + slot * SLOT_WIDTH
        assert style_at(header, x_now) == grid.get_component_rich_style("rooms-grid--header-now")
        assert style_at(header, x_now - SLOT_WIDTH) == grid.get_component_rich_style("rooms-grid--header")
        # the now-line is drawn in free cells of the now column
        huddle2 = text_lines(app)[6]
        assert huddle2[x_now : x_now + SLOT_WIDTH] == " │ "


async def test_cell_states_use_their_component_styles() -> None:
    app = GridPreviewApp()
    async with app.run_test(size=(120, 14)) as pilot:
        await pilot.pause()
        grid = app.query_one(RoomsGrid)
        await pilot.press("down", "down", "down")  # cursor away from the rows we inspect
        await pilot.pause()
        lines = screen_lines(app)
        x = grid._name_width
        SLOT_WIDTH = grid.slot_width

        def cell(row: int, slot: int):
            return style_at(lines[1 + row], x + slot * SLOT_WIDTH + 1)

        get = grid.get_component_rich_style
        assert cell(0, 2) == get("rooms-grid--booked")  # 会議室A 09:00 週次定例 (over)
        assert cell(0, 5) == get("rooms-grid--in-progress")  # 会議室A 10:30 1on1 (now)
        assert cell(2, 6) == get("rooms-grid--overlap")  # 大会議室 11:00 double booking
        assert cell(1, 0) == get("rooms-grid--free")
        assert get("rooms-grid--overlap").bgcolor != get("rooms-grid--booked").bgcolor
        assert "⚠" in lines[3].text


async def test_arrow_keys_move_the_cursor_and_enter_selects_the_cell() -> None:
    app = GridPreviewApp()
    async with app.run_test(size=(120, 14)) as pilot:
        grid = app.query_one(RoomsGrid)
        await pilot.pause()
        assert (grid.cursor_row, grid.cursor_col) == (0, grid.now_slot) == (0, 5)  # it starts on now
        await pilot.press(
            "home", "down", "down", "right", "right", "right", "right", "right", "right", "enter"
        )
        assert (grid.cursor_row, grid.cursor_col) == (2, 6)
        assert app.selected == [("room-003", 6)]
        await pilot.press("up", "up", "up", "left", "home")
        assert (grid.cursor_row, grid.cursor_col) == (0, 0)  # clamped at the top-left
        await pilot.press("end")
        assert grid.cursor_col == len(app.axis) - 1
        await pilot.press("right")
        assert grid.cursor_col == len(app.axis) - 1


async def test_cursor_cell_is_highlighted() -> None:
    app = GridPreviewApp()
    async with app.run_test(size=(120, 14)) as pilot:
        grid = app.query_one(RoomsGrid)
        await pilot.press("home", "down", "right")
        await pilot.pause()
        line = screen_lines(app)[2]
        SLOT_WIDTH = grid.slot_width
        x = grid._name_width + SLOT_WIDTH
        cursor_bg = grid.get_component_rich_style("rooms-grid--cursor", partial=True).bgcolor
        assert style_at(line, x).bgcolor == cursor_bg
        assert style_at(line, x + SLOT_WIDTH).bgcolor != cursor_bg


async def test_click_moves_the_cursor_and_double_click_opens() -> None:
    app = GridPreviewApp()
    async with app.run_test(size=(120, 14)) as pilot:
        grid = app.query_one(RoomsGrid)
        target = Offset(
            grid._name_width + 4 * grid.slot_width + 1, 1 + 4
        )  # Huddle 1 (row 4) at 10:00 (slot 4)
        await pilot.click(RoomsGrid, offset=target)
        assert (grid.cursor_row, grid.cursor_col) == (4, 4)
        assert app.selected == []
        await pilot.click(RoomsGrid, offset=target, times=2)
        assert app.selected[-1] == ("room-005", 4)
        await pilot.click(RoomsGrid, offset=Offset(3, 0))  # the header: nothing happens
        assert (grid.cursor_row, grid.cursor_col) == (4, 4)


async def test_room_column_and_header_stay_while_scrolling_horizontally() -> None:
    app = GridPreviewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        grid = app.query_one(RoomsGrid)
        await pilot.press("end")
        await pilot.pause()
        assert grid.scroll_x > 0
        lines = text_lines(app)
        assert lines[0].startswith(" Room")
        assert "20:00" in lines[0] and "08:00" not in lines[0]
        assert lines[1].startswith(" 会議室A")
        assert lines[8].startswith(" Focus Pod")
        await pilot.press("home")
        await pilot.pause()
        assert grid.scroll_x == 0
        assert "08:00" in text_lines(app)[0]


async def test_cursor_scrolls_rows_into_view_below_the_fixed_header() -> None:
    rooms = [ConferenceRoom(f"r{i:02d}", f"Room {i:02d}", 4, "HQ", 1) for i in range(40)]
    app = GridPreviewApp(rooms)
    async with app.run_test(size=(120, 10)) as pilot:
        grid = app.query_one(RoomsGrid)
        for _ in range(20):
            await pilot.press("down")
        await pilot.pause()
        assert grid.cursor_row == 20
        lines = text_lines(app)
        assert lines[0].startswith(" Room ")  # header still on top
        assert any(line.startswith(" Room 20") for line in lines[1:])
        await pilot.press("pagedown", "pagedown", "pagedown", "pagedown")
        assert grid.cursor_row == 39


async def test_only_changed_rows_are_rendered_again() -> None:
    rooms = [ConferenceRoom(f"r{i:02d}", f"Room {i:02d}", 4, "HQ", 1) for i in range(8)]
    app = GridPreviewApp(rooms)
    async with app.run_test(size=(120, 14)) as pilot:
        await pilot.pause()
        grid = app.query_one(RoomsGrid)
        before = grid.render_count
        assert before >= 8  # every row at least once for the first paint (again if the slot width was fitted)
        start, end = app.axis.slot_bounds(10)[0], app.axis.slot_bounds(12)[1]
        booking = Reservation(
            "new", "r03", "Pop-up", start.astimezone(UTC), end.astimezone(UTC), "A", "a@xxx.com"
        )
        rooms[3] = replace(rooms[3], reservations=(booking,))
        slot, fraction = now_position(app.axis, app.now)
        diff = grid.set_data(app.axis, build_rows(rooms, app.axis, app.now), slot, fraction)
        assert diff.changed == (3,) and not diff.structural
        await pilot.pause()
        assert grid.render_count == before + 1
        assert "Pop-up" in text_lines(app)[4]
        # the same data again: nothing to render
        grid.set_data(app.axis, build_rows(rooms, app.axis, app.now), slot, fraction)
        await pilot.pause()
        assert grid.render_count == before + 1


async def test_moving_now_line_repaints_every_row() -> None:
    app = GridPreviewApp()
    async with app.run_test(size=(120, 14)) as pilot:
        await pilot.pause()
        grid = app.query_one(RoomsGrid)
        before = grid.render_count
        rows = grid.rows
        grid.set_data(app.axis, rows, 6, 0.0)
        await pilot.pause()
        assert grid.render_count == before + len(rows)
        assert grid.now_slot == 6


async def test_free_now_highlight_marks_rooms_free_at_the_now_slot() -> None:
    app = GridPreviewApp()
    async with app.run_test(size=(120, 14)) as pilot:
        grid = app.query_one(RoomsGrid)
        await pilot.press("down", "down", "down")
        grid.set_free_now_highlight(True)
        await pilot.pause()
        lines = screen_lines(app)
        free_now = grid.get_component_rich_style("rooms-grid--free-now")
        name = grid.get_component_rich_style("rooms-grid--name")
        free_rows = [i for i, r in enumerate(grid.rows) if r.is_free_at(grid.now_slot)]
        assert [r.name for r in (grid.rows[i] for i in free_rows)] == [
            "会議室B",
            "Board Room",
            "Huddle 2",
            "Focus Pod",
        ]
        for i, row in enumerate(grid.rows):
            if i == grid.cursor_row:
                continue
            expected = free_now if i in free_rows else name
            assert style_at(lines[1 + i], 2) == expected, row.name
        grid.set_free_now_highlight(False)
        await pilot.pause()
        assert style_at(screen_lines(app)[2], 2) == name


async def test_theme_change_recolours_cached_rows() -> None:
    app = GridPreviewApp()
    async with app.run_test(size=(120, 14)) as pilot:
        await pilot.pause()
        grid = app.query_one(RoomsGrid)
        x = grid._name_width + 2 * grid.slot_width + 1
        dark = style_at(screen_lines(app)[1], x).bgcolor
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        light = style_at(screen_lines(app)[1], x).bgcolor
        assert light != dark
        assert light == grid.get_component_rich_style("rooms-grid--booked").bgcolor


async def test_long_and_wide_names_are_cropped_on_a_cell_boundary() -> None:
    rooms = [
        ConferenceRoom("r1", "とても長い名前の会議室とても長い名前の会議室", 4, "HQ", 1),
        ConferenceRoom("r2", "A", 4, "HQ", 1),
    ]
    app = GridPreviewApp(rooms)
    async with app.run_test(size=(120, 8)) as pilot:
        await pilot.pause()
        lines = text_lines(app)
        grid = app.query_one(RoomsGrid)
        assert (
            cell_len(lines[1].split("│", 1)[0]) == cell_len(lines[2].split("│", 1)[0]) == grid._name_width - 1
        )


async def test_empty_grid_says_why() -> None:
    app = GridPreviewApp(rooms=[])
    async with app.run_test(size=(60, 6)) as pilot:
        await pilot.pause()
        grid = app.query_one(RoomsGrid)
        assert "no rooms" in text_lines(app)[1]
        grid.set_empty_text("loading…")
        await pilot.pause()
        assert "loading…" in text_lines(app)[1]
        await pilot.press("enter", "down", "right")  # nothing to select, nothing breaks
        assert grid.cursor_room is None


async def test_day_outside_hours_has_no_now_line() -> None:
    early = datetime(2026, 5, 12, 6, 0, tzinfo=SAMPLE_NOW.tzinfo)
    app = GridPreviewApp(sample_rooms(), now=early)
    async with app.run_test(size=(120, 12)) as pilot:
        await pilot.pause()
        grid = app.query_one(RoomsGrid)
        assert grid.now_slot is None
        assert "│" not in "".join(line.split("│", 1)[1] for line in text_lines(app)[1:9])
        assert all(c != Cell.IN_PROGRESS for r in grid.rows for c in r.cells)


async def test_a_precomputed_diff_is_used_only_against_its_own_base() -> None:
    rooms = [ConferenceRoom(f"r{i:02d}", f"Room {i:02d}", 4, "HQ", 1) for i in range(6)]
    app = GridPreviewApp(rooms)
    async with app.run_test(size=(120, 12)) as pilot:
        await pilot.pause()
        grid = app.query_one(RoomsGrid)
        shown = grid.rows
        start, end = app.axis.slot_bounds(10)[0], app.axis.slot_bounds(12)[1]
        booking = Reservation(
            "new", "r02", "Pop-up", start.astimezone(UTC), end.astimezone(UTC), "A", "a@xxx.com"
        )
        rooms[2] = replace(rooms[2], reservations=(booking,))
        new = build_rows(rooms, app.axis, app.now, {r.room_id: r for r in shown})
        slot, fraction = now_position(app.axis, app.now)
        ready = prepare(shown, new, "", slot)
        assert ready.diff.changed == (2,)
        # a stale base (not what the grid shows) is ignored: the grid diffs by itself
        stale = prepare((), new, "", slot)
        diff = grid.set_data(app.axis, new, slot, fraction, diff=stale.diff, base=stale.base)
        assert diff.changed == (2,) and not diff.structural
        await pilot.pause()
        assert "Pop-up" in text_lines(app)[3]
        back = build_rows([*rooms[:2], replace(rooms[2], reservations=()), *rooms[3:]], app.axis, app.now)
        ready = prepare(grid.rows, back, "", slot)
        assert grid.set_data(app.axis, back, slot, fraction, diff=ready.diff, base=ready.base) == ready.diff
        await pilot.pause()
        assert "Pop-up" not in text_lines(app)[3]


def test_snap_cut_keeps_a_wide_character_in_the_cell_it_starts_in() -> None:
    line = [Segment(" 予算", Style()), Segment("会議 ", Style())]  # columns: " "0 予1-2 算3-4 会5-6 議7-8
    assert [snap_cut(line, x) for x in range(10)] == [0, 1, 3, 3, 5, 5, 7, 7, 9, 9]
    assert snap_cut(line, 12) == 12  # past the end: unchanged
    assert snap_cut([], 3) == 3


async def test_cursor_keeps_every_character_of_a_wide_label() -> None:
    """K1: the cursor cell must not blank a double-width character split across a slot edge."""
    start, end = datetime(2026, 5, 12, 14, 0, tzinfo=JST), datetime(2026, 5, 12, 16, 0, tzinfo=JST)
    booking = Reservation("b", "r1", "予算会議", start.astimezone(UTC), end.astimezone(UTC), "A", "a@xxx.com")
    rooms = [ConferenceRoom("r1", "会議室A", 8, "HQ", 3, (booking,)), ConferenceRoom("r2", "B", 4, "HQ", 1)]
    app = GridPreviewApp(rooms)
    async with app.run_test(size=(120, 8)) as pilot:
        await pilot.pause()
        grid = app.query_one(RoomsGrid)
        sw = grid.slot_width
        assert sw % 2 == 0  # even slots: " 予算会議" has a wide char across every slot edge it spans
        first = app.axis.slot_of(start)
        cursor_bg = grid.get_component_rich_style("rooms-grid--cursor", partial=True).bgcolor
        for col in range(first, first + 3):
            grid.move_cursor(0, col)
            await pilot.pause()
            strip = grid._compose_line(0, grid._paint_context(), cursor=True)
            assert "予算会議" in strip.text, (col, strip.text)
            assert strip.cell_length == grid.size.width
            on_screen = text_lines(app)[1]
            assert "予算会議" in on_screen
            # the cursor still covers (most of) its slot: a wide char moved in or out, never more
            x = grid._name_width + col * sw
            covered = [i for i in range(x - 1, x + sw + 1) if style_at(strip, i).bgcolor == cursor_bg]
            assert sw - 1 <= len(covered) <= sw + 1, (col, covered)


async def test_cursor_keeps_its_time_of_day_when_the_hours_widen() -> None:
    app = GridPreviewApp()
    async with app.run_test(size=(120, 14)) as pilot:
        await pilot.pause()
        grid = app.query_one(RoomsGrid)
        grid.move_cursor(1, 4)  # 10:00
        width = grid.slot_width
        early = datetime(2026, 5, 12, 6, 0, tzinfo=JST)
        wide = DayAxis.build(app.axis.day, app.axis.tz, cover=[(early, early)])
        assert len(wide) == len(app.axis) + 4
        grid.set_data(wide, build_rows(app.rooms, wide, app.now), *now_position(wide, app.now))
        await pilot.pause()
        assert grid.cursor_col == 8 and wide.starts[8].hour == 10
        # The scale holds (no jump): the four early slots took the names' leftover cells, so all of it shows.
        assert grid.slot_width == width
        assert text_lines(app)[0][grid._name_width :].startswith("06:00")


def test_fit_columns_gives_the_left_over_cells_to_the_names_up_to_a_cap() -> None:
    assert fit_columns(118, 26, 13) == (40, 3)  # 16 + 26 × 3 = 94: the 24 cells left go to the names
    assert fit_columns(198, 26, 13) == (16, 7)  # 16 + 26 × 7 = 198: nothing left over
    assert fit_columns(60, 26, 40) == (NAME_MAX, 3)  # too narrow: the slots scroll, names keep NAME_MAX
    assert fit_columns(200, 10, 13) == (NAME_WIDE_MAX, 8)  # slots at their widest: names capped
    assert fit_columns(80, 0, 5) == (10, 3)


async def test_a_long_room_name_uses_the_width_the_slots_leave() -> None:
    long_name = "大会議室（東京本社）セミナールーム併設"  # 36 cells: cut at 22 with a 26-cell name column
    rooms = [ConferenceRoom("r1", long_name, 40, "HQ", 5), *sample_rooms()[:3]]
    for size in ((120, 12), (200, 12)):
        app = GridPreviewApp(rooms)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            grid = app.query_one(RoomsGrid)
            assert grid._name_width + len(app.axis) * grid.slot_width == size[0]
            assert long_name in text_lines(app)[1]


def test_a_widened_day_keeps_the_slot_width_and_takes_cells_from_the_names_first() -> None:
    from camtui.tui.rooms.layout import fit_day_columns

    widths = (3, 8)
    plain = fit_day_columns(158, 26, 26, 14, widths=widths)
    assert plain == fit_columns(158, 26, 14)
    one_more = fit_day_columns(158, 26, 27, 14, widths=widths)
    assert one_more[1] == plain[1]  # the same cells per slot: no jump between days
    assert one_more[0] + 27 * one_more[1] <= 158  # the late slot fits: the names gave their leftover
    assert one_more[0] >= 14 + 3  # but never below the names' own width
    many = fit_day_columns(158, 26, 40, 14, widths=widths)
    assert many == (17, plain[1])  # too many to fit: names at their width, the slots scroll
