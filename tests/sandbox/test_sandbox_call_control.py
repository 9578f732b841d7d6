"""`POST /_sandbox/call` and the demo's ghost and squatter bookings, read through the real client."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from camtui.alerts.links import classify_rooms
from camtui.alerts.runner import call_seen
from camtui.api import CAMClient
from camtui.common.clock import fixed_clock
from camtui.sandbox import link_cases


def test_set_call_holds_participants_through_the_simulation(sandbox, api):
    sid = api.sandbox.calls()[0]["sid"]
    held = sandbox.set_call(sid, 7)
    assert held["participants"] == 7 and held["inProgress"] is True and held["phase"] == "held"
    sandbox.advance_simulation(200)
    stats = api.ok("getCallStats", data={"roomName": sid})
    assert stats["participants"] == 7 and stats["inProgress"] is True
    sandbox.set_call(sid, 0)
    assert api.ok("getCallStats", data={"roomName": sid})["inProgress"] is False


def test_set_call_refuses_bad_input_and_the_user_token(sandbox, api):
    sid = api.sandbox.calls()[0]["sid"]
    bad = api.http.post("/_sandbox/call", json={"sid": sid, "participants": -1}, headers=api.headers("admin"))
    assert bad.json()["status"] == 520 and "participants" in bad.text
    missing = api.http.post(
        "/_sandbox/call", json={"sid": "nope1234", "participants": 1}, headers=api.headers("admin")
    )
    assert missing.status_code == 404
    user = api.http.post("/_sandbox/call", json={"sid": sid, "participants": 1}, headers=api.headers("user"))
    assert user.json()["errors"][0]["code"] == "800"


@pytest.mark.parametrize(
    "when",
    [
        datetime(2026, 3, 11, 1, 15, tzinfo=UTC),
        datetime(2026, 3, 10, 15, 10, tzinfo=UTC),
        datetime(2026, 3, 10, 21, 40, tzinfo=UTC),
    ],
)
def test_demo_world_has_a_ghost_and_a_squatter(sandbox_factory, when: datetime):
    """At 10:15, at 00:10 (the squatter's past booking would be yesterday's) and at 06:40 in Tokyo (it would
    start before the day's hours, 08:00: it is booked later instead, so it widens no grid)."""
    now = when
    sandbox = sandbox_factory(now=fixed_clock(now))

    async def look():
        async with CAMClient(sandbox.url, sandbox.user_token) as client:
            status = await client.get_conference_room_status(now.astimezone(link_cases.TOKYO).date())
            calls = {}
            for item in sandbox.calls():
                stats = await client.get_call_stats(item["sid"])
                calls[item["sid"]] = call_seen(item["sid"], stats, url=item["url"])
            return status.rooms, calls

    rooms, calls = asyncio.run(look())
    carrying = [r for room in rooms for r in room.reservations if "/share/" in r.title]
    assert len(carrying) >= 2 and all(r.title.count(sandbox.url + "/share/") == 1 for r in carrying)
    marks = classify_rooms(now, rooms, calls, {})
    assert sorted(m.kind for m in marks.values()) == ["ghost", "squatter"]
    ghost = next(m for m in marks.values() if m.kind == "ghost")
    assert ghost.reservation_title and ghost.call_sid in ghost.reservation_title
    squat = next(r for room in rooms for r in room.reservations if r.id.startswith("rsv-squat-"))
    local_start = squat.start.astimezone(link_cases.TOKYO)
    assert local_start.date() == now.astimezone(link_cases.TOKYO).date() and local_start.hour >= 8
