"""Where the spec's samples read a field, the client reads it there and in the other plausible place.

getConferenceRoomStatus: the spec's sample prints `response["conferenceRoomStatus"]` and says reservations are
in `conferenceRooms.reservedSchedules`; the sandbox puts the rooms inside `conferenceRoomStatus` and keeps a
top-level copy. A real server may use either placement (or a bare list), so the client reads all of them alike.
updateChatRoom: the sample reads `response["chatRoom"]`; a room answered at the top level is read the same.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from camtui.api import wire
from camtui.api.wire import MalformedBody

MS = 1_700_000_000_000
ROOM = {
    "id": "room-001",
    "name": "会議室A",
    "capacity": 8,
    "location": "本社 3F",
    "floor": 3,
    "reservedSchedules": [
        {"id": "rsv-1", "roomId": "room-001", "title": "週次定例", "start": MS, "end": MS + 3_600_000,
         "organizerName": "山田 太郎", "organizerEmail": "taro.yamada@example.co.jp"},
    ],
}  # fmt: skip
PERIOD = {"period": "20231115", "from": MS, "to": MS + 86_400_000, "timeZone": "Asia/Tokyo"}

PLACEMENTS = {
    "inside conferenceRoomStatus (the sandbox, as the spec's sample prints)": {
        "status": 200,
        "conferenceRoomStatus": {"conferenceRooms": [ROOM], **PERIOD},
    },
    "both (the sandbox's answer: inside plus the top-level copy)": {
        "status": 200,
        "conferenceRooms": [ROOM],
        "conferenceRoomStatus": {"conferenceRooms": [ROOM], **PERIOD},
    },
    "top level, period metadata inside (camtui's earlier shape)": {
        "status": 200,
        "conferenceRooms": [ROOM],
        "conferenceRoomStatus": PERIOD,
    },
    "everything at the top level": {"status": 200, "conferenceRooms": [ROOM], **PERIOD},
    "conferenceRoomStatus is the list of rooms": {"status": 200, "conferenceRoomStatus": [ROOM], **PERIOD},
}


@pytest.mark.parametrize("body", PLACEMENTS.values(), ids=PLACEMENTS.keys())
def test_room_status_read_from_every_placement(body):
    status = wire.parse_room_status(body)
    (room,) = status.rooms
    assert (room.id, room.name, room.capacity, room.floor) == ("room-001", "会議室A", 8, 3)
    (rsv,) = room.reservations
    assert rsv.title == "週次定例" and rsv.start == datetime.fromtimestamp(MS / 1000, UTC)
    assert (status.period, status.time_zone) == ("20231115", "Asia/Tokyo")
    assert status.start == datetime.fromtimestamp(MS / 1000, UTC)
    assert status.end == datetime.fromtimestamp((MS + 86_400_000) / 1000, UTC)


def test_inside_wins_when_the_two_placements_differ():
    stale = {**ROOM, "reservedSchedules": []}
    body = {"conferenceRooms": [stale], "conferenceRoomStatus": {"conferenceRooms": [ROOM], **PERIOD}}
    (room,) = wire.parse_room_status(body).rooms
    assert len(room.reservations) == 1


def test_chat_room_under_chat_room_or_at_the_top_level():
    room = {"id": "1564831284702237059", "name": "秘密会議", "createUserId": "u1", "adminUserId": "u1",
            "isPublic": False, "memberUids": {"u1": True, "u2": True}}  # fmt: skip
    wrapped = wire.parse_update_chat_room({"status": 200, "chatRoom": room})
    flat = wire.parse_update_chat_room({"status": 200, **room})
    assert wrapped == flat
    assert (flat.id, flat.name, flat.member_uids) == ("1564831284702237059", "秘密会議", ("u1", "u2"))


def test_a_body_without_any_room_is_still_malformed():
    with pytest.raises(MalformedBody):
        wire.parse_update_chat_room({"status": 200})
    with pytest.raises(MalformedBody):
        wire.parse_update_chat_room({"status": 200, "name": "no id"})


async def test_the_sandboxs_answer_has_the_rooms_in_both_places_and_the_client_reads_it(sandbox, client):
    with httpx.Client(base_url=sandbox.url, trust_env=False) as http:
        raw = http.post(
            "/getConferenceRoomStatus",
            headers={"x-cam-apiToken": sandbox.user_token},
            data={"yyyyMMdd": datetime.now(UTC).strftime("%Y%m")},
        ).json()
    inside = raw["conferenceRoomStatus"]["conferenceRooms"]
    assert inside == raw["conferenceRooms"] and any(r["reservedSchedules"] for r in inside)
    status = await client.get_conference_room_status(datetime.now(UTC).strftime("%Y%m"))
    assert [len(r.reservations) for r in status.rooms] == [len(r["reservedSchedules"]) for r in inside]
