"""Every condition form on a fake clock: call, room (free/busy/starts_in/ghost/squatter), server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from camtui.store import Store
from tests.alerts.helpers import OTHER, SID, T0, FakeClock, call, engine, room, step


def call_rule(when: str, for_: str = "0s") -> str:
    return f'[[alerts]]\nname = "r"\ncall = "{SID}"\nwhen = "{when}"\nfor = "{for_}"\n'


@pytest.mark.parametrize(
    ("when", "counts", "fired_at"),
    [
        ("participants == 0", [2, 1, 0], 2),
        ("participants >= 5", [2, 4, 5], 2),
        ("participants > 4", [4, 5], 1),
        ("participants <= 1", [3, 2, 1], 2),
        ("participants < 2", [3, 2, 1], 2),
        ("participants != 3", [3, 3, 4], 2),
        ("participants dropped by 3", [6, 5, 3], 2),
        ("in progress", [0, 0, 1], 2),
        ("ended", [2, 1, 0], 2),
    ],
)
def test_call_conditions(when: str, counts: list[int], fired_at: int):
    clock, e = FakeClock(), engine(call_rule(when))
    fired = [bool(step(e, clock, 5, call(participants=n))) for n in counts]
    assert fired.index(True) == fired_at and fired.count(True) == 1


def test_dropped_by_counts_within_its_window_only():
    clock, e = FakeClock(), engine(call_rule("participants dropped by 3 within 1m"))
    assert step(e, clock, 0, call(participants=8)) == []
    assert step(e, clock, 70, call(participants=6)) == []  # 8 → 6: dropped by 2
    assert step(e, clock, 70, call(participants=4)) == []  # the 8 left the window at 130 s: 6 → 4
    assert step(e, clock, 10, call(participants=3)) == ["r"]  # 6 … 3 within the minute


def test_dropped_by_fires_when_the_window_slides_without_a_new_poll_value():
    clock, e = FakeClock(), engine(call_rule("participants dropped by 3 within 1m"))
    step(e, clock, 0, call(participants=9))
    assert step(e, clock, 50, call(participants=5)) == ["r"]  # 9 → 5 within the minute
    assert step(e, clock, 5, call(participants=5)) == []  # the same episode
    assert step(e, clock, 10, call(participants=5)) == []  # 65 s: the 9 held at the window's start (5 s)
    assert e.views(clock.now)[0].state == "fired"
    assert step(e, clock, 50, call(participants=5)) == []  # 115 s: the 9 has left the window → re-armed
    assert e.views(clock.now)[0].state == "armed"


def test_expired_is_known_without_a_fresh_poll():
    clock, e = FakeClock(), engine(call_rule("expired"))
    assert step(e, clock, 0, call(participants=2, expires=T0 + timedelta(minutes=1))) == []
    assert step(e, clock, 120) == ["r"]  # no poll since: an expired call's data is final, never stale


def test_expiry_guard_condition_needs_people_in_the_call():
    text = f"""
[[alerts]]
name = "expiry guard"
call = "{SID}"
when = "expires_within 10m and participants > 0"
successor = {{ expires_in = "2h", send = {{ users = ["user1@xxx.com"], text = "new link: {{successor.url}}" }} }}
"""
    clock, e = FakeClock(), engine(text)
    expires = T0 + timedelta(minutes=15)
    assert step(e, clock, 0, call(participants=3, expires=expires)) == []  # 15 min left
    assert step(e, clock, 240, call(participants=0, expires=expires)) == []  # 11 min left, empty
    assert step(e, clock, 120, call(participants=0, expires=expires)) == []  # 9 min left, still empty
    firings = (clock.tick(5), e.observe_calls(clock.now, [call(participants=2, expires=expires)]))
    (firing,) = e.evaluate(firings[0])
    kinds = [a.kind for a in firing.actions]
    assert kinds == ["successor", "successor_send"]
    assert firing.actions[0].expires_in_s == 7200 and firing.actions[0].title == "定例"
    assert firing.actions[1].text == "new link: {successor.url}"  # filled once the call exists
    assert step(e, clock, 5, call(participants=2, expires=expires)) == []


def room_rule(when: str, for_: str = "0s", rooms: str = 'rooms = "all"') -> str:
    toast = 'toast = "{room.name}: {reservation.title} {call.url}"'
    return f'[[alerts]]\nname = "r"\n{rooms}\nwhen = "{when}"\nfor = "{for_}"\n{toast}\n'


def test_room_becomes_busy_then_free():
    start, end = T0 + timedelta(minutes=10), T0 + timedelta(minutes=40)
    rooms = [room("r1", "会議室A", ("定例", start, end))]
    busy, free = engine(room_rule("busy")), engine(room_rule("becomes free"))
    out: dict[str, list[str]] = {"busy": [], "free": []}
    for minute in range(0, 50, 5):
        now = T0 + timedelta(minutes=minute)
        for name, e in (("busy", busy), ("free", free)):
            e.observe_rooms(now, rooms)
            if e.evaluate(now):
                out[name].append(f"{now - T0}")
    assert out == {"busy": ["0:10:00"], "free": ["0:00:00", "0:40:00"]}


def test_room_by_name_and_reservation_starts_in():
    clock, e = FakeClock(), engine(room_rule("reservation starts_in 10m", rooms='room = "会議室A"'))
    rooms = [room("r1", "会議室A", ("定例", T0 + timedelta(minutes=25), T0 + timedelta(hours=1)))]
    fired = []
    for minute in range(0, 30, 5):
        now = T0 + timedelta(minutes=minute)
        e.observe_rooms(now, rooms)
        fired += [(minute, f.label) for f in e.evaluate(now)]
    assert fired == [(15, "room 会議室A")]
    del clock


def test_room_stale_when_the_rooms_poll_failed():
    e = engine(room_rule("free"))
    e.observe_rooms(T0, None)
    assert e.evaluate(T0) == []
    e.observe_rooms(T0, [room("r1", "A")])
    assert [f.subject for f in e.evaluate(T0)] == ["room:r1"]


def test_ghost_meeting_from_the_reservation_text():
    url = f"http://x/share/{SID}"
    rooms = [room("r1", "会議室A", (f"定例 {url}", T0 - timedelta(minutes=5), T0 + timedelta(hours=1)))]
    e = engine(room_rule("ghost", for_="10m"))
    fired = []
    for minute in range(0, 20, 5):
        now = T0 + timedelta(minutes=minute)
        e.observe_rooms(now, rooms)
        e.observe_calls(now, [call(SID, 0)])
        fired += [(minute, f.context["reservation.title"], f.context["call.url"]) for f in e.evaluate(now)]
    assert fired == [(10, f"定例 {url}", url)]
    marks = e.room_marks(T0 + timedelta(minutes=15))
    assert marks["r1"].kind == "ghost" and marks["r1"].call_sid == SID and "nobody" in marks["r1"].reason


def test_no_ghost_when_someone_joined_or_the_call_is_unknown():
    rooms = [room("r1", "会議室A", (f"定例 {SID}", T0 - timedelta(minutes=30), T0 + timedelta(hours=1)))]
    e = engine(room_rule("ghost"))
    e.observe_rooms(T0, rooms)
    e.observe_calls(T0, [call(SID, 2)])
    assert e.evaluate(T0) == [] and e.room_marks(T0) == {}
    e.observe_calls(T0, [call(SID, None)])  # failed poll: unknown, no ghost
    assert e.evaluate(T0) == [] and e.room_marks(T0) == {}
    assert e.views(T0)[0].state == "stale"


def test_squatter_by_a_stored_link():
    store = Store.open(":memory:")
    store.call_links.link(OTHER, "r2")
    rooms = [room("r2", "会議室B", ("朝会", T0 - timedelta(hours=2), T0 - timedelta(hours=1)))]
    e = engine(room_rule("squatter"), store)
    e.observe_rooms(T0, rooms)
    e.observe_calls(T0, [call(OTHER, 3)])
    (firing,) = e.evaluate(T0)
    assert firing.subject == "room:r2" and firing.context["room.name"] == "会議室B"
    mark = e.room_marks(T0)["r2"]
    assert mark.kind == "squatter" and mark.reservation_title is None and "no reservation" in mark.reason
    store.call_links.unlink(OTHER)
    e.set_links(store.call_links.all())
    assert e.room_marks(T0) == {}  # the reservation's text does not carry it


def test_squatter_by_a_past_reservation_carrying_the_call():
    rooms = [
        room(
            "r3",
            "会議室C",
            (f"営業 http://x/share/{SID}", T0 - timedelta(hours=1), T0 - timedelta(minutes=20)),
        )
    ]
    e = engine(room_rule("squatter"))
    e.observe_rooms(T0, rooms)
    e.observe_calls(T0, [call(SID, 2)])
    assert [f.subject for f in e.evaluate(T0)] == ["room:r3"]


SERVER = '[[alerts]]\nname = "s"\nwhen = "{when}"\nfor = "{for_}"\n'


def test_server_unreachable_for_a_while():
    clock, e = FakeClock(), engine(SERVER.format(when="server unreachable", for_="2m"))
    fired = []
    for i, outcome in enumerate(["ok", "unreachable", "unreachable", "unreachable", "ok", "unreachable"]):
        e.observe_server(clock.now, outcome)
        fired += [i for _f in e.evaluate(clock.now)]
        clock.tick(60)
    assert fired == [3]


def test_server_error_code_seen():
    clock, e = FakeClock(), engine(SERVER.format(when="server error 491, 503, 805", for_="0s"))
    fired = []
    for i, outcome in enumerate(["ok", "452", "503", "503", "ok", "805"]):
        e.observe_server(clock.now, outcome)
        fired += [(i, f.context["server.error"]) for f in e.evaluate(clock.now)]
    assert fired == [(2, "503"), (5, "805")]


def test_ghost_in_the_afternoon_booking_of_a_call_also_booked_in_the_morning():
    """The call's link is worked out again when a booking starts or ends (it is cached in between)."""
    text = f"定例 https://x/share/{SID}"
    morning = (text, T0 - timedelta(hours=2), T0 - timedelta(hours=1))
    afternoon = (text, T0 + timedelta(hours=3), T0 + timedelta(hours=4))
    rooms = [room("r1", "会議室A", morning, afternoon)]
    e = engine(room_rule("ghost"))
    fired = []
    for minutes in range(0, 240, 10):
        now = T0 + timedelta(minutes=minutes)
        e.observe_rooms(now, rooms)
        e.observe_calls(now, [call(SID, 0)])
        fired += [minutes for _f in e.evaluate(now)]
    assert fired == [180]


def test_a_room_name_that_is_not_there_says_so():
    e = engine(room_rule("free", rooms='room = "会議室Z"'))
    e.observe_rooms(T0, [room("r1", "会議室A")])
    assert e.evaluate(T0) == []
    (view,) = e.views(T0)
    assert view.state == "stale" and "no room '会議室Z'" in (view.stale_reason or "")


def test_expiry_guard_sends_the_successor_link_to_the_linked_bookings_organizer():
    text = f"""
[[alerts]]
name = "guard"
call = "{SID}"
when = "expires_within 10m and participants > 0"
successor = {{ expires_in = "2h", send = {{ organizer = true, users = ["boss@xxx.com"], text = "{{successor.url}}" }} }}
"""
    e = engine(text)
    rooms = [room("r1", "会議室A", (f"定例 {SID}", T0 - timedelta(minutes=30), T0 + timedelta(minutes=30)))]
    e.observe_rooms(T0, rooms)
    e.observe_calls(T0, [call(SID, 3, expires=T0 + timedelta(minutes=5))])
    (firing,) = e.evaluate(T0)
    assert firing.actions[1].users == ("boss@xxx.com", "user1@xxx.com")  # the booking's organizer added
    lonely = engine(text)
    lonely.observe_calls(T0, [call(SID, 3, expires=T0 + timedelta(minutes=5))])
    (firing,) = lonely.evaluate(T0)
    assert firing.actions[1].users == ("boss@xxx.com",)  # no linked reservation: the named people only
