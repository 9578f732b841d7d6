"""Demo data and simulation: deterministic from the seed, relative to the injected clock, persisted."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import json
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from camtui.common.clock import fixed_clock
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
    rooms = json.loads(json.dumps(month["conferenceRooms"]).replace(api.sandbox.url, "BASE"))  # share URLs
    return users, rooms, calls


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


class SteppingClock:
    """A clock the test moves: the simulation's steps stand for real seconds only if the clock moves too."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def all_calls(api) -> list[dict]:
    reply = api.get("_sandbox/calls", "admin", params={"all": "1"})
    assert reply.status_code == 200, reply.text
    return [{k: v for k, v in call.items() if k != "url"} for call in reply.json()["calls"]]  # url: the port


def test_simulation_is_deterministic_and_lively(sandbox_factory, make_api):
    """Twenty minutes of a demo (a step every 2 s, looked at every 10 s like a poller): the same both times;
    people join and leave, calls fill up, empty and come back, and the call due to expire does, on time."""
    runs = []
    for _ in range(2):
        clock = SteppingClock(NOW)
        api = make_api(sandbox_factory(now=clock))
        history = []
        for _ in range(120):
            clock.now += timedelta(seconds=10)
            api.sandbox.advance_simulation(5)
            history.append((ms(clock.now), {c["sid"]: c for c in all_calls(api)}))
        runs.append(history)
    assert runs[0] == runs[1]
    history = runs[0]
    series: dict[str, list[tuple[int, str]]] = {}
    for _, calls in history:
        for sid, call in calls.items():
            series.setdefault(sid, []).append((call["participants"], call["phase"]))
    counts = {p for points in series.values() for p, _ in points}
    assert len(counts) > 8, "participants rise and fall"
    phases = {phase for points in series.values() for _, phase in points}
    assert {"live", "full", "ending", "empty", "expired"} <= phases
    came_back = [
        sid
        for sid, points in series.items()
        if any(a[1] == "empty" and b[1] == "live" for a, b in itertools.pairwise(points))
    ]
    assert came_back, "an emptied call fills again"
    for now, calls in history:
        for call in calls.values():
            if now < call["expiredDate"]:
                assert call["phase"] != "expired", "no call expires before its expiredDate"
            else:
                assert (call["phase"], call["participants"], call["inProgress"]) == ("expired", 0, False)
    for sid in series:
        assert len({calls[sid]["expiredDate"] for _, calls in history if sid in calls}) == 1
    first_sids = set(history[0][1])
    expired = [sid for sid in first_sids if history[-1][1][sid]["phase"] == "expired"]
    assert len(expired) == 2, "the demo's old call and its short one; the others last for hours"
    started = [sid for sid in history[-1][1] if sid not in first_sids]
    assert started and all(history[-1][1][sid]["origin"] == "sim" for sid in started), "new calls start"


def test_time_standing_still_expires_nothing(sandbox_factory):
    """Expiry is a fact of the call and the clock, not a roll of the dice: however many steps, no call ends early."""
    sandbox = sandbox_factory(now=fixed_clock(NOW))
    before = {c["sid"]: c["expiredDate"] for c in sandbox.calls()}
    sandbox.advance_simulation(600)
    after = {c["sid"]: c["expiredDate"] for c in sandbox.calls()}
    assert after == before


@pytest.mark.parametrize("seed", [1, 7, 12345])
def test_demo_calls_one_expires_within_minutes_the_rest_hours_later(seed):
    """A demo shows an expiry warning and a real expiry early on, with people in the call to the end, and stays
    live for hours; the calls the simulation adds expire an hour or more after they start, on a quarter hour."""
    clock = SteppingClock(NOW)
    state = build_state(
        db_path=None, seed=seed, rooms=2, users=10, simulation=False, admin_token="a", user_token="u",
        faults=None, rate_limit=None, now=clock,
    )  # fmt: skip
    rows = state.conn.execute(
        "SELECT sid, expired_ms, participants FROM calls WHERE expired_ms > ?", (ms(NOW),)
    )
    left = {sid: (expired - ms(NOW)) / 60_000 for sid, expired, _ in rows.fetchall()}
    short = [sid for sid, minutes in left.items() if minutes < 60]
    assert len(short) == 1 and 10 < left[short[0]] <= 15  # just past the pane's 10-minute warning window
    assert len(left) == 5 and all(minutes >= 120 for sid, minutes in left.items() if sid != short[0])
    in_it = []
    for _ in range(3 * 1800):  # three hours, a step every 2 s
        clock.now += timedelta(seconds=2)
        simulation.step(state)
        now = ms(clock.now)
        participants, phase = state.conn.execute(
            "SELECT participants, phase FROM calls WHERE sid = ?", (short[0],)
        ).fetchone()
        if now < ms(NOW) + left[short[0]] * 60_000:
            in_it.append(participants)
            assert phase != "expired"
        else:
            assert (participants, phase) == (0, "expired")
        early = state.conn.execute(
            "SELECT COUNT(*) FROM calls WHERE phase = 'expired' AND expired_ms > ?", (now,)
        ).fetchone()[0]
        assert early == 0
    assert min(in_it) > 0, "people stay in a call that is about to expire"
    made = state.conn.execute("SELECT creation_ms, expired_ms FROM calls WHERE origin = 'sim'").fetchall()
    assert made, "expiries make room for new calls"
    for created, expired in made:
        assert 60 <= (expired - created) / 60_000 <= 8 * 60 + 15
        assert expired % (15 * 60_000) == 0
    (live,) = state.conn.execute(
        "SELECT COUNT(*) FROM calls WHERE expired_ms > ?", (ms(clock.now),)
    ).fetchone()
    assert live >= simulation.TARGET_LIVE_CALLS - 1
    state.conn.close()


def test_simulation_step_changes_call_stats(sandbox, api):
    before = {c["sid"]: c["participants"] for c in sandbox.calls()}
    sandbox.advance_simulation(30)  # a minute: people join and leave over minutes, not at every step
    after = {sid: api.ok("getCallStats", data={"roomName": sid})["participants"] for sid in before}
    assert before != after
    assert sandbox.stats()["simulationSteps"] == 30


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
