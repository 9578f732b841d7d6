"""Slot arithmetic of the rooms grid: axis, cell states, overlap, runs, filtering and row diffs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camtui.api.models import ConferenceRoom, Reservation
from camtui.tui.rooms.detail import format_span, relative_phrase
from camtui.tui.rooms.model import (
    Cell,
    DayAxis,
    build_row,
    build_rows,
    day_extent,
    diff_rows,
    filter_rows,
    matches,
    next_after,
    parse_hhmm,
    prepare,
    running_at,
)
from camtui.tui.rooms.month.model import merged_minutes, share_level, share_text, shift_month, summarise_month

TZ = "Asia/Tokyo"
DAY = date(2026, 5, 12)
JST = ZoneInfo(TZ)


def at(hh: int, mm: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=JST).astimezone(UTC)


def rsv(rid: str, start: datetime, end: datetime, title: str = "会議", room: str = "r1") -> Reservation:
    return Reservation(rid, room, title, start, end, "山田 太郎", "taro@example.co.jp")


def room(
    *reservations: Reservation, rid: str = "r1", name: str = "会議室A", location: str = "本社 3F"
) -> ConferenceRoom:
    return ConferenceRoom(rid, name, 8, location, 3, tuple(reservations))


AXIS = DayAxis.build(DAY, TZ, "08:00", "21:00", 30)


# ---- axis -------------------------------------------------------------------------------------------------


def test_default_axis_has_26_half_hour_slots_in_the_configured_zone() -> None:
    assert len(AXIS) == 26
    assert AXIS.starts[0] == datetime(2026, 5, 12, 8, 0, tzinfo=JST)
    assert AXIS.end == datetime(2026, 5, 12, 21, 0, tzinfo=JST)
    assert AXIS.slot_of(at(8, 0)) == 0
    assert AXIS.slot_of(at(8, 29)) == 0
    assert AXIS.slot_of(at(8, 30)) == 1
    assert AXIS.slot_of(at(20, 59)) == 25
    assert AXIS.slot_of(at(21, 0)) is None
    assert AXIS.slot_of(at(7, 59)) is None


def test_last_slot_is_shorter_when_hours_are_not_a_multiple_of_the_slot() -> None:
    axis = DayAxis.build(DAY, TZ, "08:00", "09:10", 30)
    assert len(axis) == 3
    assert axis.slot_bounds(2) == (
        datetime(2026, 5, 12, 9, 0, tzinfo=JST),
        datetime(2026, 5, 12, 9, 10, tzinfo=JST),
    )


def test_day_may_end_at_24_00() -> None:
    axis = DayAxis.build(DAY, TZ, "22:00", "24:00", 60)
    assert len(axis) == 2
    assert axis.end == datetime(2026, 5, 13, 0, 0, tzinfo=JST)


@pytest.mark.parametrize(
    ("start", "end", "slot"),
    [
        ("21:00", "08:00", 30),
        ("08:00", "08:00", 30),
        ("8", "21:00", 30),
        ("25:00", "26:00", 30),
        ("08:00", "21:00", 0),
    ],
)
def test_bad_hours_are_refused_with_a_message(start: str, end: str, slot: int) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        DayAxis.build(DAY, TZ, start, end, slot)


def test_parse_hhmm_accepts_24_only_when_asked() -> None:
    assert parse_hhmm("24:00", allow_24=True) is None
    with pytest.raises(ValueError):
        parse_hhmm("24:00")
    with pytest.raises(ValueError):
        parse_hhmm("9:5")


# ---- cells ------------------------------------------------------------------------------------------------


def test_booked_in_progress_and_free_cells() -> None:
    row = build_row(room(rsv("a", at(9), at(10)), rsv("b", at(10, 30), at(11))), AXIS, now=at(10, 40))
    assert row.cells[2:4] == (Cell.BOOKED, Cell.BOOKED)  # 09:00-10:00, finished
    assert row.cells[4] == Cell.FREE  # 10:00
    assert row.cells[5] == Cell.IN_PROGRESS  # 10:30, now 10:40
    assert row.cells[6] == Cell.FREE
    assert row.is_free_at(4) and not row.is_free_at(5) and not row.is_free_at(None)


def test_a_reservation_touching_part_of_a_slot_books_the_slot() -> None:
    row = build_row(room(rsv("a", at(9, 10), at(9, 20))), AXIS, now=at(7))
    assert row.cells[2] == Cell.BOOKED
    assert row.cells[1] == row.cells[3] == Cell.FREE


def test_overlap_is_marked_only_where_intervals_really_intersect() -> None:
    row = build_row(room(rsv("a", at(10), at(12)), rsv("b", at(11), at(12, 30))), AXIS, now=at(7))
    assert row.cells[4:6] == (Cell.BOOKED, Cell.BOOKED)  # 10:00-11:00 only "a"
    assert row.cells[6:8] == (Cell.OVERLAP, Cell.OVERLAP)  # 11:00-12:00 both
    assert row.cells[8] == Cell.BOOKED  # 12:00-12:30 only "b"
    assert [r.id for r in row.slot_reservations[6]] == ["a", "b"]


def test_back_to_back_reservations_in_one_slot_do_not_overlap() -> None:
    row = build_row(room(rsv("a", at(10), at(10, 15)), rsv("b", at(10, 15), at(10, 30))), AXIS, now=at(7))
    assert row.cells[4] == Cell.BOOKED
    assert len(row.slot_reservations[4]) == 2


def test_reservations_outside_the_hours_are_clipped_or_ignored() -> None:
    row = build_row(
        room(
            rsv("night", at(22), at(23)),
            rsv("overnight", at(23, day=DAY - timedelta(days=1)), at(8, 45)),
            rsv("empty", at(12), at(12)),
            rsv("backwards", at(14), at(13)),
        ),
        AXIS,
        now=at(21, 30),
    )
    assert row.cells[0:2] == (Cell.BOOKED, Cell.BOOKED)
    assert all(c == Cell.FREE for c in row.cells[2:])


def test_runs_group_slots_of_one_reservation_and_label_them() -> None:
    row = build_row(room(rsv("a", at(9), at(10), "週次定例")), AXIS, now=at(7))
    booked = [r for r in row.runs if r.state == Cell.BOOKED]
    assert [(r.start, r.stop, r.label) for r in booked] == [(2, 4, "週次定例")]
    overlap = build_row(room(rsv("a", at(10), at(11), "X"), rsv("b", at(10), at(11), "Y")), AXIS, now=at(7))
    assert [r.label for r in overlap.runs if r.state == Cell.OVERLAP] == ["⚠ X / Y"]


# ---- widened hours (meetings and now outside the configured hours) -------------------------------------------


def test_axis_widens_by_whole_slots_to_show_now_and_early_meetings() -> None:
    axis = DayAxis.build(DAY, TZ, "08:00", "21:00", 30, cover=[(at(6, 40), at(6, 40))])
    assert axis.starts[0] == datetime(2026, 5, 12, 6, 30, tzinfo=JST)  # now's slot, on the 08:00 grid
    assert axis.slot_of(at(6, 40)) == 0 and axis.widened
    assert axis.hours_ms == AXIS.hours_ms == AXIS.bounds_ms[:1] + AXIS.bounds_ms[-1:]
    early = DayAxis.build(DAY, TZ, cover=[(at(6, 40), at(6, 40)), (at(6), at(7, 30))])
    assert early.starts[0] == datetime(2026, 5, 12, 6, 0, tzinfo=JST) and len(early) == 30
    assert early.starts[4:] == AXIS.starts  # the configured slots keep their alignment
    assert early.end == AXIS.end
    row = build_row(room(rsv("live", at(6), at(7, 30), "品質会議")), early, now=at(6, 40))
    assert row.cells[:4] == (Cell.IN_PROGRESS, Cell.IN_PROGRESS, Cell.IN_PROGRESS, Cell.FREE)


def test_axis_widens_at_the_end_and_stops_at_midnight() -> None:
    late = DayAxis.build(DAY, TZ, cover=[(at(21, 10), at(22, 5))])
    assert late.starts[0] == AXIS.starts[0] and late.end == datetime(2026, 5, 12, 22, 30, tzinfo=JST)
    overnight = DayAxis.build(
        DAY,
        TZ,
        cover=[(at(23, day=DAY - timedelta(days=1)), at(0, 10)), (at(23, 50), at(2, day=DAY + timedelta(1)))],
    )
    assert overnight.starts[0] == datetime(2026, 5, 12, 0, 0, tzinfo=JST)
    assert overnight.end == datetime(2026, 5, 13, 0, 0, tzinfo=JST) and len(overnight) == 48
    # hours that are not on the slot grid: a short first slot from midnight, the grid kept after it
    odd = DayAxis.build(DAY, TZ, "08:15", "21:00", 30, cover=[(at(0, 5), at(0, 20))])
    assert odd.starts[:3] == (
        datetime(2026, 5, 12, 0, 0, tzinfo=JST),
        datetime(2026, 5, 12, 0, 15, tzinfo=JST),
        datetime(2026, 5, 12, 0, 45, tzinfo=JST),
    )
    assert odd.starts[-1] == datetime(2026, 5, 12, 20, 45, tzinfo=JST)


def test_cover_of_other_days_or_inside_the_hours_changes_nothing() -> None:
    same = DayAxis.build(
        DAY,
        TZ,
        cover=[
            (at(9), at(10)),
            (at(6, day=DAY + timedelta(days=1)), at(7, day=DAY + timedelta(days=1))),
            (at(22, day=DAY - timedelta(days=1)), at(23, day=DAY - timedelta(days=1))),
            (at(14), at(13)),
        ],
    )
    assert same.bounds_ms == AXIS.bounds_ms and not same.widened


def test_day_extent_spans_the_reservations_touching_the_day() -> None:
    rooms = [
        room(rsv("a", at(9), at(10)), rsv("night", at(23, day=DAY - timedelta(days=1)), at(0, 30)), rid="r1"),
        room(
            rsv("late", at(20), at(22, 15)),
            rsv("other day", at(5, day=DAY + timedelta(days=1)), at(6, day=DAY + timedelta(days=1))),
            rsv("empty", at(4), at(4)),
            rid="r2",
        ),
    ]
    assert day_extent(rooms, DAY, TZ) == (at(23, day=DAY - timedelta(days=1)), at(22, 15))
    assert day_extent([room(rid="r3")], DAY, TZ) is None
    assert day_extent(rooms[1:], DAY + timedelta(days=2), TZ) is None


def test_free_now_looks_at_the_instant_not_the_whole_slot() -> None:
    axis = DayAxis.build(DAY, TZ, cover=[(at(6), at(7))])
    ended = room(rsv("a", at(6), at(6, 45)), rid="r1")
    later = room(rsv("b", at(6, 55), at(7, 30)), rid="r2", name="B")
    busy = room(rsv("c", at(6), at(7, 30), "品質会議"), rid="r3", name="C")
    now = at(6, 50)
    slot = axis.slot_of(now)
    rows = build_rows([ended, later, busy], axis, now)
    assert [r.cells[slot] for r in rows] == [Cell.BOOKED, Cell.BOOKED, Cell.IN_PROGRESS]
    assert [r.is_free_now(slot, now) for r in rows] == [True, True, False]
    assert prepare((), rows, "", slot, now).free_now == 2
    assert prepare((), rows, "", slot).free_now == 0  # by cell state only (no instant given)
    assert not rows[0].is_free_now(None, now)
    assert [r.id for r in running_at(busy, now)] == ["c"]
    assert running_at(ended, now) == ()
    assert next_after(ended, now) is None
    assert next_after(later, now).id == "b"


# ---- diffs and filters --------------------------------------------------------------------------------------


def test_equal_data_gives_equal_render_keys_and_an_empty_diff() -> None:
    rooms = [room(rsv("a", at(9), at(10)), rid="r1"), room(rid="r2", name="B")]
    old = build_rows(rooms, AXIS, at(7))
    new = build_rows([room(rsv("a", at(9), at(10)), rid="r1"), room(rid="r2", name="B")], AXIS, at(7))
    assert diff_rows(old, new).changed == ()
    assert not diff_rows(old, new).structural


def test_diff_names_exactly_the_rows_that_changed() -> None:
    rooms = [room(rid=f"r{i}", name=f"R{i}") for i in range(5)]
    old = build_rows(rooms, AXIS, at(7))
    rooms[3] = room(rsv("x", at(15), at(16)), rid="r3", name="R3")
    new = build_rows(rooms, AXIS, at(7))
    assert diff_rows(old, new).changed == (3,)


def test_a_title_change_alone_changes_the_row() -> None:
    old = build_rows([room(rsv("a", at(9), at(10), "old"))], AXIS, at(7))
    new = build_rows([room(rsv("a", at(9), at(10), "new"))], AXIS, at(7))
    assert diff_rows(old, new).changed == (0,)


def test_added_removed_or_reordered_rooms_are_structural() -> None:
    a, b = room(rid="a"), room(rid="b")
    assert diff_rows(build_rows([a, b], AXIS, at(7)), build_rows([b, a], AXIS, at(7))).structural
    assert diff_rows(build_rows([a], AXIS, at(7)), build_rows([a, b], AXIS, at(7))).structural


def test_previous_rows_are_reused_only_for_unchanged_rooms() -> None:
    rooms = [room(rsv("a", at(9), at(10)), rid="r1"), room(rid="r2", name="B")]
    old = build_rows(rooms, AXIS, at(7))
    again = [room(rsv("a", at(9), at(10)), rid="r1"), room(rsv("b", at(13), at(14)), rid="r2", name="B")]
    new = build_rows(again, AXIS, at(7), {r.room_id: r for r in old})
    assert new[0] is old[0]  # equal room: the same row object, diffed by identity
    assert new[1] is not old[1] and new[1].cells[10] == Cell.BOOKED
    assert diff_rows(old, new).changed == (1,)


def test_prepare_filters_diffs_and_counts() -> None:
    rooms = [
        room(rsv("a", at(10), at(11)), rsv("b", at(10, 30), at(12)), rid="r1", name="会議室A"),
        room(rid="r2", name="Board Room", location="HQ"),
        room(rsv("c", at(10, 30), at(11)), rid="r3", name="会議室B"),
    ]
    rows = build_rows(rooms, AXIS, at(10, 40))
    ready = prepare((), rows, "", AXIS.slot_of(at(10, 40)))
    assert ready.rows == rows and ready.diff.structural
    assert (ready.free_now, ready.overlaps) == (1, 1)
    filtered = prepare(rows, rows, "会議室", 5)
    assert [r.room_id for r in filtered.rows] == ["r1", "r3"] and filtered.diff.structural
    assert (filtered.free_now, filtered.overlaps) == (0, 1)
    assert prepare(rows, rows, "", None).free_now == 0
    same = prepare(rows, rows, "", 5)
    assert not same.diff.structural and same.diff.changed == ()


def test_filter_matches_name_location_floor_case_and_width_insensitively() -> None:
    rooms = [
        room(rid="1", name="Board Room", location="HQ 10F"),
        room(rid="2", name="会議室A", location="本社 3F"),
        room(rid="3", name="ＡＢＣルーム", location="大阪"),
    ]
    rows = build_rows(rooms, AXIS, at(7))
    assert [r.room_id for r in filter_rows(rows, "board")] == ["1"]
    assert [r.room_id for r in filter_rows(rows, "本社")] == ["2"]
    assert [r.room_id for r in filter_rows(rows, "abc")] == ["3"]
    assert [r.room_id for r in filter_rows(rows, "hq 10f")] == ["1"]
    assert [r.room_id for r in filter_rows(rows, "  ")] == ["1", "2", "3"]
    assert filter_rows(rows, "nothing-like-this") == ()
    assert not matches(rooms[0], "board 5f")


# ---- property: cells agree with a brute-force reading of the reservations -----------------------------------

minutes = st.integers(min_value=6 * 60, max_value=22 * 60)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(minutes, st.integers(min_value=-30, max_value=240)), max_size=6), minutes)
def test_cells_match_brute_force(spans: list[tuple[int, int]], now_min: int) -> None:
    base = datetime(2026, 5, 12, tzinfo=JST)
    reservations = [
        rsv(f"r{i}", base + timedelta(minutes=s), base + timedelta(minutes=s + length))
        for i, (s, length) in enumerate(spans)
    ]
    now = base + timedelta(minutes=now_min)
    row = build_row(room(*reservations), AXIS, now)
    valid = [r for r in reservations if r.end > r.start]
    for k in range(len(AXIS)):
        lo, hi = AXIS.slot_bounds(k)
        touching = [r for r in valid if r.start < hi and r.end > lo]
        overlap = any(
            max(a.start, b.start) < min(a.end, b.end)
            and max(a.start, b.start) < hi
            and min(a.end, b.end) > lo
            for i, a in enumerate(valid)
            for b in valid[i + 1 :]
        )
        if overlap:
            expected = Cell.OVERLAP
        elif any(r.start <= now < r.end for r in touching):
            expected = Cell.IN_PROGRESS
        elif touching:
            expected = Cell.BOOKED
        else:
            expected = Cell.FREE
        assert row.cells[k] == expected, (k, spans, now_min)
        assert {r.id for r in row.slot_reservations[k]} == {r.id for r in touching}


# ---- month -------------------------------------------------------------------------------------------------


def test_overlapping_reservations_count_once_in_the_share() -> None:
    spans = [(at(9), at(11)), (at(10), at(12)), (at(20), at(23))]
    assert merged_minutes(spans, at(8), at(21)) == 3 * 60 + 60


def test_month_summary_shares_and_totals() -> None:
    rooms = [
        room(rsv("a", at(8), at(21)), rsv("b", at(8), at(14, 30)), rid="full"),
        room(rsv("c", at(8, day=date(2026, 5, 13)), at(14, 30, day=date(2026, 5, 13))), rid="half"),
        room(rid="empty"),
    ]
    summary = summarise_month(rooms, 2026, 5, TZ)
    assert len(summary.days) == 31
    full, half, empty = summary.rows
    assert full.shares[11] == 1.0
    assert half.shares[12] == pytest.approx(0.5)
    assert half.counts[12] == 1
    assert empty.average == 0
    assert summary.totals[11] == pytest.approx(1 / 3)
    assert share_text(0) == "  · " and share_text(0.5) == " 50 " and share_text(1) == "100 "
    assert share_text(0.001) == "  1 "
    assert [share_level(x) for x in (0, 0.2, 0.5, 0.9)] == [0, 1, 2, 3]


def test_shift_month_crosses_years() -> None:
    assert shift_month(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert shift_month(date(2026, 1, 15), -1) == date(2025, 12, 1)


# ---- detail wording -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "locale", "expected"),
    [
        (at(10, 18), "en", "starts in 12 minutes"),
        (at(10, 18), "ja", "12分後に開始"),
        (at(10, 35), "en", "started 5 minutes ago, ends in 55 minutes"),
        (at(10, 35), "ja", "5分前に開始・55分後に終了"),
        (at(13, 30), "en", "ended 2 hours ago"),
        (at(8, 30), "en", "starts in 2 hours"),
        (at(9), "en", "starts in an hour and 30 minutes"),
    ],
)
def test_relative_phrase(now: datetime, locale: str, expected: str) -> None:
    assert relative_phrase(rsv("a", at(10, 30), at(11, 30)), now, locale) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "started an hour ago, ends in 59 minutes"), ("ja", "1時間前に開始・59分後に終了")],
)
def test_an_hour_and_a_few_seconds_is_an_hour_not_an_hour_and_0_minutes(locale: str, expected: str) -> None:
    """A floored past instant (60 min 20 s → 61) read "started an hour and 0 minutes ago"."""
    now = at(11, 30) + timedelta(seconds=20)
    assert relative_phrase(rsv("a", at(10, 30), at(12, 30)), now, locale) == expected


def test_format_span_uses_the_axis_zone_and_adds_dates_when_needed() -> None:
    assert format_span(rsv("a", at(10, 30), at(11, 30)), AXIS) == "10:30–11:30 JST"
    overnight = rsv("b", at(23, day=DAY - timedelta(days=1)), at(9))
    assert format_span(overnight, AXIS) == "2026-05-11 23:00 – 2026-05-12 09:00 JST"
