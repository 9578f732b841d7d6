"""Reservations exist for any day near now, made on first request, deterministic from the seed, persisted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from camtui.common.clock import fixed_clock
from camtui.sandbox import db, demo, reservations, simulation
from camtui.sandbox.runner import build_state

TOKYO = ZoneInfo("Asia/Tokyo")
LAST_DAY = datetime(2026, 3, 31, 5, 0, tzinfo=UTC)  # 14:00 Tokyo on Tuesday 31 March


def booked(api, period: str) -> list[dict]:
    body = api.ok("getConferenceRoomStatus", data={"yyyyMMdd": period})
    return [r for room in body["conferenceRooms"] for r in room["reservedSchedules"]]


def demo_only(items: list[dict]) -> list[dict]:
    """Without the few start-up "in progress now" bookings, which depend on when a sandbox started."""
    return [r for r in items if not r["id"].startswith("rsv-live-")]


def tokyo_day(r: dict) -> datetime:
    return datetime.fromtimestamp(r["start"] / 1000, TOKYO)


def test_tomorrow_on_the_last_day_of_a_month_has_meetings(sandbox_factory, make_api):
    api = make_api(sandbox_factory(now=fixed_clock(LAST_DAY)))
    tomorrow = booked(api, "20260401")  # a Wednesday
    assert len(tomorrow) >= 12
    assert {tokyo_day(r).date() for r in tomorrow} == {datetime(2026, 4, 1).date()}
    assert all(8 <= tokyo_day(r).hour < 21 for r in tomorrow)
    april = booked(api, "202604")
    assert {tokyo_day(r).day for r in april} >= set(range(1, 31)) - {4, 5, 11, 12, 18, 19, 25, 26}
    assert [r for r in april if tokyo_day(r).day == 1] == tomorrow


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("202802", True),  # 23 months ahead
        ("202803", True),  # 24 months ahead: the edge of the window
        ("202804", False),  # 25 months ahead: not made
        ("202403", True),  # 24 months back
        ("202402", False),
        ("20280415", False),
        ("201908", False),  # the spec's example month
    ],
)
def test_months_within_two_years_of_now_are_made_farther_ones_stay_empty(
    sandbox_factory, make_api, period, expected
):
    sandbox = sandbox_factory(now=fixed_clock(LAST_DAY))
    api = make_api(sandbox)
    before = sandbox.stats()["counts"]["reservations"]
    assert bool(booked(api, period)) is expected
    assert (sandbox.stats()["counts"]["reservations"] > before) is expected
    assert (period[:6] in sandbox.stats()["reservationMonths"]) is expected


def test_months_are_the_same_whenever_and_in_whatever_order_they_are_first_asked(
    sandbox_factory, make_api, tmp_path
):
    path = tmp_path / "kept.db"
    first = sandbox_factory(db_path=path, now=fixed_clock(LAST_DAY))
    api = make_api(first)
    day = booked(api, "20260515")  # a day first, then its month
    may = booked(api, "202605")
    assert day and [r for r in may if tokyo_day(r).day == 15] == day
    count = first.stats()["counts"]["reservations"]
    first.stop()

    again = sandbox_factory(db_path=path, now=fixed_clock(LAST_DAY))
    assert again.stats()["counts"]["reservations"] == count  # kept, nothing remade
    assert booked(make_api(again), "202605") == may
    assert again.stats()["counts"]["reservations"] == count

    later = fixed_clock(LAST_DAY + timedelta(days=70))  # a fresh database started in June
    fresh = make_api(sandbox_factory(now=later))
    assert demo_only(booked(fresh, "202605")) == demo_only(may)
    other_seed = make_api(sandbox_factory(seed=8, now=later))
    assert demo_only(booked(other_seed, "202605")) != demo_only(may)


def test_a_day_is_made_once_even_when_asked_for_repeatedly(sandbox, api):
    before = sandbox.stats()["counts"]["reservations"]
    next_month = (datetime.now(TOKYO).replace(day=1) + timedelta(days=40)).strftime("%Y%m")
    first = booked(api, next_month)
    grown = sandbox.stats()["counts"]["reservations"]
    assert grown == before + len(demo_only(first))
    assert booked(api, next_month) == first
    assert booked(api, next_month + "10") == [r for r in first if tokyo_day(r).day == 10]
    assert sandbox.stats()["counts"]["reservations"] == grown


def test_simulated_bookings_show_up_and_do_not_bury_the_next_half_hour(sandbox_factory, make_api):
    sandbox = sandbox_factory(rooms=24, now=fixed_clock(LAST_DAY))
    api = make_api(sandbox)
    sandbox.advance_simulation(150)  # ~22 bookings drawn, all for the same half hour as the clock is fixed
    ad_hoc = [r for r in booked(api, "20260331") if r["id"].startswith("rsv-sim-")]
    assert len(ad_hoc) == simulation.ad_hoc_cap(24) == 3
    assert {r["start"] for r in ad_hoc} == {reservations.ms(LAST_DAY) + 30 * 60_000}
    assert all(r["end"] - r["start"] in (30 * 60_000, 60 * 60_000) for r in ad_hoc)


def test_simulated_bookings_continue_after_a_restart(sandbox_factory, make_api, tmp_path):
    path = tmp_path / "sim.db"
    first = sandbox_factory(db_path=path, now=fixed_clock(LAST_DAY))
    first.advance_simulation(60)
    before = len([r for r in booked(make_api(first), "20260331") if r["id"].startswith("rsv-sim-")])
    first.stop()
    later = LAST_DAY + timedelta(hours=2)
    second = sandbox_factory(db_path=path, now=fixed_clock(later))
    second.advance_simulation(60)  # step numbers start again at 1
    after = [r for r in booked(make_api(second), "20260331") if r["id"].startswith("rsv-sim-")]
    assert before > 0 and len(after) > before


def test_a_database_from_before_per_day_reservations_is_migrated(tmp_path):
    path = tmp_path / "old.db"
    conn = db.connect(path)
    demo.ensure(conn, seed=5, rooms=4, users=30, now=LAST_DAY)
    with db.transaction(conn):  # what the month-at-once version left behind
        conn.execute("DELETE FROM reservations WHERE origin = 'demo'")
        conn.execute("DELETE FROM reservation_months")
        conn.execute("DELETE FROM meta WHERE key = 'reservations'")
        conn.execute(
            "INSERT INTO reservations VALUES ('rsv-000001', 'room-001', 'old', 1, 2, 'n', 'e@x.com', 'demo')"
        )
        conn.execute(
            "INSERT INTO reservations VALUES ('rsv-sim-000001', 'room-001', 'x', 3, 4, 'n', 'e@x.com', 'sim')"
        )
    conn.close()
    state = build_state(
        db_path=path, seed=5, rooms=4, users=30, simulation=False, admin_token="a", user_token="u",
        faults=None, rate_limit=None, now=fixed_clock(LAST_DAY),
    )  # fmt: skip
    ids = {r[0] for r in state.conn.execute("SELECT id FROM reservations")}
    assert "rsv-000001" not in ids and "rsv-sim-000001" in ids
    assert any(i.startswith("rsv-202603-") for i in ids)
    assert state.conn.execute("SELECT value FROM meta WHERE key = 'reservations'").fetchone()[0] == (
        reservations.SCHEME
    )
    state.conn.close()


def test_a_month_at_one_thousand_rooms_is_made_on_request(sandbox_factory, make_api):
    """Behaviour at benchmark scale: the first request for a day of next month makes that month; nearly
    every room has meetings on a weekday."""
    sandbox = sandbox_factory(rooms=1000, users=2000, now=fixed_clock(LAST_DAY))
    api = make_api(sandbox)
    body = api.ok("getConferenceRoomStatus", data={"yyyyMMdd": "20260401"})
    assert sum(1 for room in body["conferenceRooms"] if room["reservedSchedules"]) > 900
