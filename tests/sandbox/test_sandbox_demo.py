"""Demo data and simulation: deterministic from the seed, relative to the injected clock, persisted."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from camtui.clock import fixed_clock
from camtui.sandbox import db, demo, reservations, simulation
from camtui.sandbox.runner import build_state

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 3, 11, 1, 15, tzinfo=UTC)  # 10:15 in Tokyo on a Wednesday


def ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def snapshot(api) -> tuple:
    users = api.post("exportUsers", "admin").content
    month = api.ok("getConferenceRoomStatus", data={"yyyyMMdd": "202603"})
    calls = [{k: v for k, v in call.items() if k != "url"} for call in api.sandbox.calls()]
    return users, month["conferenceRooms"], calls


def test_same_seed_same_world(sandbox_factory, make_api):
    first = snapshot(make_api(sandbox_factory(now=fixed_clock(NOW))))
    second = snapshot(make_api(sandbox_factory(now=fixed_clock(NOW))))
    assert first == second
    other = snapshot(make_api(sandbox_factory(seed=8, now=fixed_clock(NOW))))
    assert other[0] != first[0] and other[1] != first[1]


def test_people_are_japanese_with_romaji_and_departments(sandbox, api):
    rows = list(csv.DictReader(io.StringIO(api.post("exportUsers", "admin").content.decode("utf-8-sig"))))
    assert len(rows) == 300
    assert len({r["email"] for r in rows}) == 300 and len({r["uid"] for r in rows}) == 300
    generated = rows[5:]
    assert all(" " in r["name"] and not r["name"].isascii() for r in generated)
    assert all(r["romaji"].isascii() and r["romaji"].istitle() for r in generated)
    assert len({r["department"] for r in generated}) >= 8
    assert {r["email"].split("@")[1] for r in rows} == {"example.co.jp", "xxx.com", "test.com"}


def test_spec_people_and_rooms_always_exist(sandbox_factory, make_api):
    api = make_api(sandbox_factory(rooms=0, users=0, seed=99))
    emails = api.post("exportUsers", "admin").text
    for email in ("user1@xxx.com", "user2@xxx.com", "user1@test.com", "user2@test.com"):
        assert email in emails
    names = {room["name"] for room in api.sandbox.chat_rooms()}
    assert {"ルーム名", "test", "秘密会議"} <= names
    assert api.ok("getConferenceMaster")["conferenceRooms"] == []


def test_reservations_cover_the_month_in_tokyo(sandbox_factory, make_api):
    api = make_api(sandbox_factory(now=fixed_clock(NOW)))
    body = api.ok("getConferenceRoomStatus", data={"yyyyMMdd": "202603"})
    reservations = [r for room in body["conferenceRooms"] for r in room["reservedSchedules"]]
    days = {datetime.fromtimestamp(r["start"] / 1000, TOKYO).day for r in reservations}
    assert len(days) >= 20  # weekdays at least
    for r in reservations:
        start = datetime.fromtimestamp(r["start"] / 1000, TOKYO)
        assert (start.year, start.month) == (2026, 3)
        assert r["organizerEmail"].count("@") == 1 and r["organizerName"]
    by_room: dict[str, list] = {}
    for r in reservations:
        by_room.setdefault(r["roomId"], []).append(r)
    overlapping = []
    for items in by_room.values():
        ordered = sorted(items, key=lambda r: r["start"])
        if any(a["end"] > b["start"] for a, b in itertools.pairwise(ordered)):
            overlapping.append(items)
    assert overlapping, "some rooms are double-booked"
    in_progress = [r for r in reservations if r["start"] <= ms(NOW) < r["end"]]
    assert len(in_progress) >= 3


def test_day_query_returns_that_days_meetings(sandbox_factory, make_api):
    api = make_api(sandbox_factory(now=fixed_clock(NOW)))
    day = api.ok("getConferenceRoomStatus", data={"yyyyMMdd": "20260311"})
    start = ms(datetime(2026, 3, 11, tzinfo=TOKYO))
    items = [r for room in day["conferenceRooms"] for r in room["reservedSchedules"]]
    assert items and all(r["end"] > start and r["start"] < start + 86_400_000 for r in items)


def test_simulation_is_deterministic_and_lively(sandbox_factory):
    runs = []
    for _ in range(2):
        sandbox = sandbox_factory(now=fixed_clock(NOW))
        history = []
        for _ in range(40):
            sandbox.advance_simulation(1)
            history.append({c["sid"]: (c["participants"], c["phase"]) for c in sandbox.calls()})
        runs.append(history)
    assert runs[0] == runs[1]
    history = runs[0]
    counts = [p for step in history for p, _ in step.values()]
    assert len(set(counts)) > 4, "participants rise and fall"
    phases = {phase for step in history for _, phase in step.values()}
    assert {"live", "full"} <= phases
    seen = set().union(*history)
    assert len(seen) > len(history[0]), "new calls start"
    assert any(sid not in step for step in history[-1:] for sid in seen), "calls expire"


def test_simulation_step_changes_call_stats(sandbox, api):
    before = {c["sid"]: c["participants"] for c in sandbox.calls()}
    sandbox.advance_simulation(5)
    after = {sid: api.ok("getCallStats", data={"roomName": sid})["participants"] for sid in before}
    assert before != after
    assert sandbox.stats()["simulationSteps"] == 5


def test_expired_call_reports_no_participants():
    clock_at = [NOW]
    state = build_state(
        db_path=None, seed=7, rooms=2, users=10, simulation=False, admin_token="a", user_token="u",
        faults=None, rate_limit=None, now=lambda: clock_at[0],
    )  # fmt: skip
    live = state.conn.execute(
        "SELECT sid, expired_ms FROM calls WHERE participants > 0 ORDER BY sid"
    ).fetchone()
    clock_at[0] = datetime.fromtimestamp(live[1] / 1000, UTC) + timedelta(seconds=1)
    simulation.step(state)
    participants, phase = state.conn.execute(
        "SELECT participants, phase FROM calls WHERE sid = ?", (live[0],)
    ).fetchone()
    assert (participants, phase) == (0, "expired")
    state.conn.close()


async def test_live_simulation_task_steps_by_itself(sandbox_factory):
    sandbox = sandbox_factory(simulation=True, simulation_interval=0.01)
    for _ in range(500):
        if sandbox.stats()["simulationSteps"] >= 3:
            break
        await asyncio.sleep(0.01)
    assert sandbox.stats()["simulationSteps"] >= 3
    assert sandbox.stats()["simulationRunning"] is True


def test_database_persists_across_restarts(sandbox_factory, make_api, tmp_path):
    path = tmp_path / "keep.db"
    first = sandbox_factory(db_path=path, now=fixed_clock(NOW))
    make_api(first).send("messenger", "残る", "user1@xxx.com")
    users_before = make_api(first).post("exportUsers", "admin").content
    first.stop()
    second = sandbox_factory(db_path=path, now=fixed_clock(NOW))
    assert [m["text"] for m in second.delivered_messages()] == ["残る"]
    assert make_api(second).post("exportUsers", "admin").content == users_before


def test_a_restart_in_another_month_keeps_what_exists_and_adds_that_month(tmp_path):
    conn = db.connect(tmp_path / "m.db")
    assert demo.ensure(conn, seed=1, rooms=3, users=20, now=NOW) is True
    march = conn.execute("SELECT COUNT(*) FROM reservations WHERE id LIKE 'rsv-202603%'").fetchone()[0]
    assert march > 0
    assert demo.ensure(conn, seed=1, rooms=3, users=20, now=NOW) is False
    april = NOW + timedelta(days=30)
    assert demo.ensure(conn, seed=1, rooms=3, users=20, now=april) is False
    assert (
        conn.execute("SELECT COUNT(*) FROM reservations WHERE id LIKE 'rsv-202603%'").fetchone()[0] == march
    )
    assert conn.execute("SELECT COUNT(*) FROM reservations WHERE id LIKE 'rsv-202604%'").fetchone()[0] > 0
    assert demo.ensure(conn, seed=2, rooms=3, users=20, now=april) is True  # another world: regenerated
    assert conn.execute("SELECT COUNT(*) FROM reservations WHERE id LIKE 'rsv-202603%'").fetchone()[0] == 0
    conn.close()


@pytest.mark.parametrize(("rooms", "users"), [(1000, 100_000)])
def test_large_worlds_generate_quickly_enough_to_use(rooms, users):
    """Behaviour at benchmark scale (unique ids and names, every room booked); timings reported, not asserted."""
    conn = db.connect(None)
    started = time.perf_counter()
    demo.generate(conn, seed=3, rooms=rooms, users=users, now=NOW)
    world = time.perf_counter() - started
    started = time.perf_counter()
    assert reservations.ensure_current_month(conn, 3, NOW) == 1
    month = time.perf_counter() - started
    assert reservations.ensure_current_month(conn, 3, NOW) == 0  # made once
    assert conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT email), COUNT(DISTINCT uid) FROM users"
    ).fetchone() == (
        users,
        users,
        users,
    )
    assert conn.execute("SELECT COUNT(DISTINCT name) FROM rooms").fetchone()[0] == rooms
    booked, count = conn.execute("SELECT COUNT(DISTINCT room_id), COUNT(*) FROM reservations").fetchone()
    assert booked == rooms
    print(
        f"generated {rooms} rooms / {users} users in {world:.2f} s; a month of reservations in {month:.2f} s"
        f" ({count} reservations)"
    )
    conn.close()
