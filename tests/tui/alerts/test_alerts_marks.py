"""Ghost and squatter marks in the rooms grid, from the engine fed by the panes' own polls, explained in the
reservation detail; and the calls pane's `l`, which links a call to a room (stored, so the marks follow)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from alerts_support import (
    NOW,
    MovableClock,
    build_app,
    calls_round,
    client_for,
    quick_call,
    rooms_poll,
    set_participants,
    until,
)
from textual.widgets import Input, OptionList, Static

from camtui.sandbox.link_cases import TOKYO
from camtui.store import Store
from camtui.tui.calls.detail import CallDetailScreen
from camtui.tui.calls.room_link import RoomPicker
from camtui.tui.rooms.detail import ReservationDetailScreen
from camtui.tui.rooms.grid import RoomsGrid

RULES = ({"name": "ghost meeting", "rooms": "all", "when": "ghost", "for": "10m"},)


async def _rooms(sb) -> tuple[str, str]:
    """A room booked from before NOW - 15 min until after NOW + 15 min, and one with no reservation then."""
    client = client_for(sb)
    try:
        status = await client.get_conference_room_status(NOW.date())
    finally:
        await client.aclose()
    span_end = NOW + timedelta(minutes=15)
    booked = next(
        r.id
        for r in status.rooms
        if any(x.start <= NOW - timedelta(minutes=15) and x.end > span_end for x in r.reservations)
    )
    free = next(
        r.id for r in status.rooms if not any(x.start < span_end and x.end > NOW for x in r.reservations)
    )
    return booked, free


def _line(grid: RoomsGrid, room_id: str) -> str:
    index = [r.room_id for r in grid.rows].index(room_id)
    return grid.render_line(index + 1 - int(grid.scroll_offset.y)).text


async def test_ghost_and_squatter_rooms_are_marked_and_explained(sandbox_factory, tmp_path: Path) -> None:
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    booked, free = await _rooms(sb)
    nobody = await quick_call(sb, clock, "誰も来ない")
    squat = await quick_call(sb, clock, "予約なし")
    set_participants(sb, squat.sid, 3)
    with Store.open(tmp_path / "store.db") as store:
        store.call_links.link(nobody.sid, booked)
        store.call_links.link(squat.sid, free)
    app = build_app(sb, tmp_path / "store.db", clock, RULES, watch=(nobody.sid, squat.sid))
    async with app.run_test(size=(160, 50)) as pilot:
        grid = app.query_one(RoomsGrid)
        await until(pilot, lambda: len(grid.rows) > 0, "the rooms")
        await calls_round(pilot)
        await rooms_poll(pilot)
        # booked since before 09:45 and the call empty at every poll: a ghost at once (past links.GHOST_AFTER)
        await until(pilot, lambda: grid.marks == {free: "⊕", booked: "∅"}, "the marks")
        assert "⊕" in _line(grid, free)
        assert "∅" in _line(grid, booked)
        others = [r.room_id for r in grid.rows if r.room_id not in (free, booked)]
        assert not any(ch in _line(grid, room) for room in others for ch in "∅⊕")

        # the detail view says what the mark means
        grid.focus()
        grid.move_cursor(row=[r.room_id for r in grid.rows].index(booked))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReservationDetailScreen), "the detail")
        words = str(app.screen.query_one("#detail-mark", Static).render())
        assert words.startswith("∅ ghost meeting") and "誰も来ない" in words and "nobody in it" in words
        await pilot.press("escape")

        # a failed rooms poll is unknown: the marks are not cleared as if the rooms were fine
        sb.set_faults({"error_503": 1.0, "methods": ["getConferenceRoomStatus"], "times": 5})
        await rooms_poll(pilot)
        assert grid.marks == {free: "⊕", booked: "∅"}


async def test_l_links_a_call_to_a_room_and_unlinks_it(sandbox_factory, tmp_path: Path) -> None:
    """No rules at all: the marks come from the links, and `l` is how a call gets one."""
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    _booked, free = await _rooms(sb)
    call = await quick_call(sb, clock, "リンクする会議")
    set_participants(sb, call.sid, 2)
    app = build_app(sb, tmp_path / "store.db", clock, watch=(call.sid,))
    async with app.run_test(size=(160, 50)) as pilot:
        grid = app.query_one(RoomsGrid)
        await until(pilot, lambda: len(grid.rows) > 0, "the rooms")
        await calls_round(pilot)
        assert grid.marks == {}
        name = next(r.name for r in grid.rows if r.room_id == free)
        await pilot.press("2")
        assert "Room            — (no booking today carries its link; l links it to a room)" in await _detail(
            pilot, app
        )
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, RoomPicker), "the room picker")
        picker = app.screen
        assert picker.query_one(OptionList).option_count == len(grid.rows)
        picker.query_one(Input).value = name
        await pilot.pause(0.1)
        assert picker.query_one(OptionList).option_count == 1
        await pilot.press("enter")
        await until(pilot, lambda: app.store.call_links.get(call.sid) == free, "the stored link")
        # the engine reads the new link at once: the call is in progress in a room with no reservation now
        await until(pilot, lambda: grid.marks == {free: "⊕"}, "the squatter mark")
        # the call detail says which room and why
        assert f"Room            {name}  (linked with l; no booking of that room now)" in await _detail(
            pilot, app
        )

        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, RoomPicker), "the room picker again")
        first = app.screen.query_one(OptionList).get_option_at_index(0)
        assert "unlink" in str(first.prompt)
        await pilot.press("enter")
        await until(pilot, lambda: app.store.call_links.get(call.sid) is None, "unlinked")
        await until(pilot, lambda: grid.marks == {}, "no mark")


async def _detail(pilot, app) -> str:
    """Open the selected call's detail, read its facts, close it."""
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, CallDetailScreen), "the call detail")
    text = str(app.screen.query_one("#calls-detail-facts", Static).render())
    await pilot.press("escape")
    await until(pilot, lambda: not isinstance(app.screen, CallDetailScreen), "the detail closed")
    return text


async def test_read_only_dashboard_has_no_link_key(sandbox_factory, tmp_path: Path) -> None:
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    call = await quick_call(sb, clock, "壁")
    app = build_app(sb, tmp_path / "store.db", clock, watch=(call.sid,), read_only=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await calls_round(pilot)
        await pilot.press("2", "l")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, RoomPicker)
        assert app.store.call_links.all() == {}


async def test_another_day_shows_no_marks(sandbox_factory, tmp_path: Path) -> None:
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    _booked, free = await _rooms(sb)
    call = await quick_call(sb, clock, "今日だけ")
    set_participants(sb, call.sid, 2)
    with Store.open(tmp_path / "store.db") as store:
        store.call_links.link(call.sid, free)
    app = build_app(sb, tmp_path / "store.db", clock, watch=(call.sid,))
    async with app.run_test(size=(160, 50)) as pilot:
        grid = app.query_one(RoomsGrid)
        await calls_round(pilot)
        await rooms_poll(pilot)
        await until(pilot, lambda: grid.marks == {free: "⊕"}, "today's mark")
        await pilot.press("1", "right_square_bracket")
        await until(pilot, lambda: grid.marks == {}, "no marks on tomorrow's grid")
        await pilot.press("t")
        await until(pilot, lambda: grid.marks == {free: "⊕"}, "today's mark again")


async def test_call_detail_names_the_booking_that_carries_its_link(sandbox_factory, tmp_path: Path) -> None:
    """The demo's ghost meeting: a booking whose text carries a quick call's share URL; no `l` needed."""
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    client = client_for(sb)
    try:
        status = await client.get_conference_room_status(NOW.date())
    finally:
        await client.aclose()
    room, booking = next(
        (room, r) for room in status.rooms for r in room.reservations if r.id.startswith("rsv-ghost-")
    )
    sid = booking.title.rstrip(")").rsplit("/", 1)[1]
    app = build_app(sb, tmp_path / "store.db", clock, watch=(sid,))
    async with app.run_test(size=(160, 50)) as pilot:
        grid = app.query_one(RoomsGrid)
        await until(pilot, lambda: len(grid.rows) > 0, "the rooms")
        await calls_round(pilot)
        await pilot.press("2")
        span = f"{booking.start.astimezone(TOKYO):%H:%M}–{booking.end.astimezone(TOKYO):%H:%M}"
        facts = await _detail(pilot, app)
        assert f"Room            {room.name}  (its link is in a booking: “{booking.title}” {span})" in facts
        assert app.store.call_links.all() == {}
