"""The chat room editor's decisions and the store of recorded rooms."""

from __future__ import annotations

import pytest

from camtui.admin.room_form import (
    RoomForm,
    RoomTextError,
    explain_error,
    form_from_wire,
    parse_room_text,
    room_wire,
)
from camtui.api.models import ChatRoom, User
from camtui.compose.matcher import RecipientMatcher
from camtui.store import Store

USERS = [
    User("uA", "taro@example.com", "山田太郎", "Yamada Taro", "営業", "", False),
    User("uB", "hana@example.com", "佐藤花子", "Sato Hanako", "開発", "", False),
]
SPEC = """let chatRoom = {
   "id":"1564831284702237059",
   "name":"営業部",
   "isPublic":false,
   "adminUserId":"uA",
   "memberUids":{"uA":true,"uB":true},
};
"""


def test_the_specs_js_form_and_json_with_the_line_of_an_error():
    room = parse_room_text(SPEC)
    assert room["name"] == "営業部" and room["memberUids"] == {"uA": True, "uB": True}
    assert parse_room_text('{"chatRoom": {"name": "x"}}') == {"name": "x"}
    with pytest.raises(RoomTextError) as info:
        parse_room_text('let chatRoom = {\n  "name": "x"\n  "isPublic": true\n}')
    assert info.value.line == 3
    with pytest.raises(RoomTextError):
        parse_room_text("[1, 2]")


def test_form_round_trip_members_as_emails_and_back_to_uids():
    email_of = {u.uid: u.email for u in USERS}
    form = form_from_wire(parse_room_text(SPEC), email_of)
    assert (form.id, form.admin_user, form.members) == (
        "1564831284702237059",
        "taro@example.com",
        "taro@example.com, hana@example.com",
    )
    matcher = RecipientMatcher(USERS)
    assert room_wire(form, matcher) == {
        "id": "1564831284702237059",
        "name": "営業部",
        "isPublic": False,
        "adminUserId": "uA",
        "memberUids": {"uA": True, "uB": True},
    }
    bad = RoomForm(name="", members="nobody@example.com")
    assert room_wire(bad, matcher) == {}
    assert set(bad.problems) == {"name", "members"}


def test_405_and_406_land_next_to_their_field():
    assert explain_error("405", "id", "id 9")[0] == "id"
    assert explain_error("406", "name", "same name")[0] == "name"
    assert explain_error("406", "createUserId", "")[0] == "admin"
    field, text = explain_error("406", "memberUids", "")
    assert field == "members" and "last one" in text


def test_recorded_rooms_feed_the_composers_known_rooms():
    from camtui.compose.send_plan import known_rooms

    store = Store.open(":memory:")
    store.chat_rooms.record(ChatRoom("r1", "営業部", "uA", "uA", False, ("uA", "uB")))
    store.chat_rooms.record(ChatRoom("r1", "営業部2", "uA", "uA", True, ("uA",)))
    assert [r.name for r in store.chat_rooms.rooms()] == ["営業部2"]
    assert known_rooms(recorded=store.chat_rooms.names()) == {"営業部2"}
    store.close()


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        (
            'let chatRoom = {\n  "name": "r",\n  "memberUids": ' + "[" * 200_000,
            3,
            80,
            "nested deeper than 64",
        ),
        ('{\n  "name": NaN\n}', 2, 11, "NaN is not a JSON number"),
        ('{"name": "r", "id": ' + "9" * 100_000 + "}", 1, 21, "an integer of 100,000 digits"),
        ('{"name": "r", "id": 1e999999}', 1, 21, "the number 1e999999 is too large"),
    ],
    ids=["deep", "nan", "long-int", "1e999999"],
)
def test_hostile_room_text_is_an_error_at_its_place(text: str, line: int, column: int, words: str) -> None:
    """The admin screen's paste / file box: the error lands where the problem is (the cursor goes there)."""
    with pytest.raises(RoomTextError) as info:
        parse_room_text(text)
    assert (info.value.line, info.value.column) == (line, column) and words in str(info.value)
