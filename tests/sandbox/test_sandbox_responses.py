"""`encode_sharing`: the same bytes' meaning as `json_response`, the shared value encoded once."""

from __future__ import annotations

import json

import pytest

from camtui.sandbox.responses import SHARED, encode_sharing, json_response

ROOMS = [{"id": "room-001", "name": "会議室A", "reservedSchedules": [{"title": "週次定例", "start": 1}]}]


@pytest.mark.parametrize(
    "rooms",
    [ROOMS, [], [{"id": "r", "name": "\x00shared\x00"}], [{"id": "r", "name": "lone \ud800 surrogate"}]],
    ids=["rooms", "empty", "marker-like text", "lone surrogate (ASCII fallback)"],
)
def test_sharing_answers_what_the_expanded_dict_answers(rooms):
    shared = encode_sharing(
        {
            "status": 200,
            "conferenceRooms": SHARED,
            "conferenceRoomStatus": {"conferenceRooms": SHARED, "p": "ü"},
        },
        rooms,
    )
    plain = json_response(
        {
            "status": 200,
            "conferenceRooms": rooms,
            "conferenceRoomStatus": {"conferenceRooms": rooms, "p": "ü"},
        }
    )
    assert shared == plain.body
    assert (
        json.loads(shared)["conferenceRoomStatus"]["conferenceRooms"]
        == json.loads(plain.body)["conferenceRooms"]
    )
