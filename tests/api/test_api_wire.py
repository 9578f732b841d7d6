"""The wire format on its own: encoders produce the README's shapes; lenient decoders take what servers send."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from camtui.api import BatchItem, ChatRoom, QuickCall, User, wire
from camtui.api.wire import MalformedBody

emails = st.from_regex(r"[a-z0-9]{1,8}@[a-z]{1,6}\.(com|co\.jp)", fullmatch=True)
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


def form_round_trip(fields: dict[str, str]) -> dict[str, str]:
    """What a server's form parser gets back from the body httpx sends (UTF-8 percent-encoding)."""
    parsed = parse_qs(urlencode(fields), keep_blank_values=True, encoding="utf-8")
    return {k: v[0] for k, v in parsed.items()}


def test_send_message_is_the_spec_curl_shape():
    fields = wire.encode_send_message("messenger", "Hello", False, ["user1@xxx.com", "user2@xxx.com"])
    assert list(fields) == ["message"]
    assert json.loads(fields["message"]) == {
        "panelName": "messenger",
        "message": "Hello",
        "isOpened": False,
        "generalPurposes": {"users": "user1@xxx.com,user2@xxx.com"},
    }


def test_send_message_without_users_has_no_general_purposes():
    payload = json.loads(wire.encode_send_message("ルーム名", "hi", True, [])["message"])
    assert payload == {"panelName": "ルーム名", "message": "hi", "isOpened": True}


@pytest.mark.parametrize("send", ["", "   "])
def test_send_message_needs_a_destination(send):
    with pytest.raises(ValueError, match="send must be"):
        wire.encode_send_message(send, "x", False, [])


@given(send=st.one_of(st.just("messenger"), texts.filter(str.strip)), message=texts, seal=st.booleans(),
       users=st.lists(emails, max_size=5))  # fmt: skip
def test_send_message_survives_form_encoding(send, message, seal, users):
    payload = json.loads(form_round_trip(wire.encode_send_message(send, message, seal, users))["message"])
    assert payload["panelName"] == send
    assert payload["message"] == message
    assert payload["isOpened"] is seal
    assert payload.get("generalPurposes", {}).get("users", "") == ",".join(users)


@given(st.lists(st.tuples(texts, st.one_of(st.none(), st.just("messenger"), texts.filter(str.strip)),
                          st.lists(emails, max_size=3)), min_size=1, max_size=8))  # fmt: skip
def test_send_messages_items(items):
    batch = [BatchItem(message=m, send=s, users=tuple(u)) for m, s, u in items]
    decoded = json.loads(form_round_trip(wire.encode_send_messages(batch))["messages"])
    assert len(decoded) == len(batch)
    for got, item in zip(decoded, batch, strict=True):
        assert got["message"] == item.message
        if item.send in (None, "messenger"):
            assert "send" not in got  # the spec: absent `send` means the messenger
        else:
            assert got["send"] == item.send
        assert got.get("property", {}).get("users", "") == ",".join(item.users)


def test_send_messages_spec_sample_shape():
    fields = wire.encode_send_messages(
        [BatchItem("こんにちは 1", users=("user1@test.com", "user2@test.com"))]
    )
    assert (
        fields["messages"]
        == '[{"message":"こんにちは 1","property":{"users":"user1@test.com,user2@test.com"}}]'
    )


def test_empty_batch_is_refused():
    with pytest.raises(ValueError):
        wire.encode_send_messages([])


def test_expired_date_conversion():
    when = datetime(2021, 6, 22, 13, 34, 28, 714000, tzinfo=UTC)
    assert wire.to_unix_ms(when) == 1624368868714
    assert wire.to_unix_ms(1624368868714) == 1624368868714
    with pytest.raises(ValueError, match="timezone-aware"):
        wire.to_unix_ms(datetime(2021, 6, 22))
    with pytest.raises(TypeError):
        wire.to_unix_ms(True)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        wire.to_unix_ms("tomorrow")  # type: ignore[arg-type]


def test_chat_room_wire_is_the_spec_sample_shape():
    room = ChatRoom(None, "秘密会議", "u1", "u1", False, ("u1", "u2"))
    assert room.to_wire() == {
        "name": "秘密会議",
        "createUserId": "u1",
        "adminUserId": "u1",
        "isPublic": False,
        "memberUids": {"u1": True, "u2": True},
    }
    assert ChatRoom("42", "x", "a", "a", True, ()).to_wire()["id"] == "42"
    assert wire.chat_room_to_wire({"name": "x", "memberUids": ["a", "b"]})["memberUids"] == {
        "a": True,
        "b": True,
    }
    with pytest.raises(TypeError):
        wire.chat_room_to_wire(["not", "a", "room"])  # type: ignore[arg-type]


@given(st.builds(ChatRoom, id=st.one_of(st.none(), st.from_regex(r"[0-9]{1,19}", fullmatch=True)), name=texts,
                 create_user_id=texts, admin_user_id=texts, is_public=st.booleans(),
                 member_uids=st.lists(st.from_regex(r"[a-z0-9]{20}", fullmatch=True), unique=True).map(tuple)))  # fmt: skip
def test_chat_room_round_trips_through_the_wire(room):
    encoded = form_round_trip(wire.encode_update_chat_room(room))["chatRoom"]
    assert wire.parse_chat_room(json.loads(encoded)) == room


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, {}),
        ("201908", {"yyyyMMdd": "201908"}),
        ("20190801", {"yyyyMMdd": "20190801"}),
        ("2019-08-01", {"yyyyMMdd": "20190801"}),
        ("2019/08", {"yyyyMMdd": "201908"}),
        (date(2019, 8, 1), {"yyyyMMdd": "20190801"}),
        (datetime(2019, 8, 1, 12, tzinfo=UTC), {"yyyyMMdd": "20190801"}),
    ],
)
def test_period_encoding(value, expected):
    assert wire.encode_period(value) == expected


@pytest.mark.parametrize("bad", ["2019", "aug", "2019080", "201908011"])
def test_period_rejects(bad):
    with pytest.raises(ValueError, match="yyyyMM"):
        wire.encode_period(bad)


# ------------------------------------------------------------------------------------------ lenient parsing

MS = 1_700_000_000_000
AT = datetime.fromtimestamp(MS / 1000, UTC)


@pytest.mark.parametrize(
    "value",
    [MS, str(MS), float(MS), MS // 1000, str(MS // 1000), "2023-11-14T22:13:20Z", "2023-11-14T22:13:20+00:00",
     "2023-11-15T07:13:20", "2023/11/15 07:13:20"],
)  # fmt: skip
def test_times_in_every_accepted_format(value):
    assert wire.as_time(value) == AT


def test_slash_minutes_format_is_tokyo_time():
    assert wire.as_time("2019/08/01 09:00") == datetime(2019, 8, 1, 0, 0, tzinfo=UTC)
    assert wire.as_time("2019/08/01 09:00", tz="UTC") == datetime(2019, 8, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["yesterday", True, [1], {"a": 1}, "2019/13/01 09:00", "1e400"])
def test_bad_times_are_malformed_not_crashes(bad):
    with pytest.raises(MalformedBody):
        wire.as_time(bad)


@given(st.integers(min_value=0, max_value=4_000_000_000_000))
def test_ms_times_round_trip(ms):
    if ms < 100_000_000_000:
        return  # small numbers are read as seconds (documented heuristic)
    got = wire.as_time(ms)
    assert got is not None and abs(got.timestamp() * 1000 - ms) < 1
    assert wire.as_time(str(ms)) == got


@given(st.datetimes(min_value=datetime(1980, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)))
def test_iso_times_round_trip(moment):
    assert wire.as_time(moment.isoformat()) == moment
    assert wire.as_time(moment.isoformat().replace("+00:00", "Z")) == moment


def test_numbers_and_flags_as_strings():
    assert wire.as_int("12") == 12
    assert wire.as_int(" 7 ") == 7
    assert wire.as_int("3.0") == 3
    assert wire.as_int(None, 5) == 5
    assert wire.as_bool("true") is True
    assert wire.as_bool("FALSE") is False
    assert wire.as_bool(1) is True
    for bad in ("many", True, [1]):
        with pytest.raises(MalformedBody):
            wire.as_int(bad)
    with pytest.raises(MalformedBody):
        wire.as_bool("maybe")


def test_call_stats_lenient():
    stats = wire.parse_call_stats(
        {"status": "200", "roomName": "abc", "participants": "3", "inProgress": "true", "creationDate": str(MS),
         "expiredDate": "2023-11-15T07:13:20", "future": {"x": 1}},
        "abc",
    )  # fmt: skip
    assert (stats.participants, stats.in_progress, stats.creation_date, stats.expired_date) == (
        3,
        True,
        AT,
        AT,
    )
    minimal = wire.parse_call_stats({}, "sid9")
    assert (minimal.room_name, minimal.title, minimal.participants, minimal.in_progress) == (
        "sid9",
        "",
        0,
        False,
    )
    assert minimal.creation_date is None


@pytest.mark.parametrize(
    "body",
    [[], "text", {"participants": "lots"}, {"inProgress": "perhaps"}, {"creationDate": "soon"}, None],
)
def test_call_stats_malformed(body):
    with pytest.raises(MalformedBody):
        wire.parse_call_stats(body, "sid")


def test_room_status_lenient():
    body = {
        "status": 200,
        "conferenceRooms": [
            {"id": "room-001", "name": "会議室A", "capacity": "8", "location": "本社 3F", "floor": "3", "x": 1,
             "reservedSchedules": [{"id": "rsv-1", "roomId": "room-001", "title": "週次定例", "start": MS,
                                    "end": str(MS + 3_600_000), "organizerName": "山田 太郎",
                                    "organizerEmail": "taro.yamada@example.co.jp"}]},
            {"id": 2},
        ],
        "conferenceRoomStatus": {"period": "20231115", "from": MS, "to": MS + 86_400_000, "timeZone": "Asia/Tokyo"},
    }  # fmt: skip
    status = wire.parse_room_status(body)
    first, second = status.rooms
    assert (first.capacity, first.floor, first.location) == (8, 3, "本社 3F")
    (rsv,) = first.reservations
    assert rsv.start == AT and rsv.end == AT + timedelta(hours=1) and rsv.organizer_name == "山田 太郎"
    assert (second.id, second.name, second.capacity, second.floor, second.reservations) == (
        "2",
        "2",
        None,
        None,
        (),
    )
    assert status.period == "20231115" and status.time_zone == "Asia/Tokyo" and status.start == AT


def test_room_status_master_list_has_no_period():
    status = wire.parse_room_status({"status": 200, "conferenceRooms": [], "conferenceRoomStatus": None})
    assert (status.rooms, status.period, status.start, status.end, status.time_zone) == (
        (),
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    "body",
    [
        {"conferenceRooms": {"id": "r"}},
        {"conferenceRooms": [{"name": "no id"}]},
        {"conferenceRooms": [{"id": "r", "reservedSchedules": [{"id": "x", "start": MS}]}]},
        {"conferenceRooms": [{"id": "r", "capacity": "big"}]},
        {"conferenceRooms": [], "conferenceRoomStatus": "201908"},
    ],
)
def test_room_status_malformed(body):
    with pytest.raises(MalformedBody):
        wire.parse_room_status(body)


@given(st.dictionaries(st.text(max_size=8), st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3), max_leaves=8),
    max_size=6))  # fmt: skip
def test_parsers_only_ever_raise_malformed_body(body):
    """Whatever JSON arrives, a parser returns a result or raises MalformedBody — never KeyError/TypeError."""
    for parse in (
        lambda b: wire.parse_call_stats(b, "sid"),
        lambda b: wire.parse_send_result(b, "messenger"),
        lambda b: wire.parse_batch_result(b, 1),
        wire.parse_users_update,
        wire.parse_update_chat_room,
        wire.parse_rooms,
        wire.parse_room_status,
        lambda b: wire.parse_quick_call(b, server_url="http://x", title="", password="", expired_ms=MS),
    ):
        with contextlib.suppress(MalformedBody):
            parse(body)


def test_send_results_lenient():
    result = wire.parse_send_result({"messageId": 123, "recipients": "a@x.com, b@x.com"}, "messenger")
    assert (result.message_id, result.panel_name, result.recipients) == (
        "123",
        "messenger",
        ("a@x.com", "b@x.com"),
    )
    batch = wire.parse_batch_result({"messageIds": ["m1", "m2"]}, 2)
    assert (batch.count, batch.message_ids) == (2, ("m1", "m2"))
    assert wire.parse_batch_result({"count": "5"}, 5).count == 5


def test_quick_call_defaults_and_auto_login():
    call = wire.parse_quick_call({"sid": "S1"}, server_url="https://cam.example/", title="t", password="p w",
                                 expired_ms=MS)  # fmt: skip
    assert call.url == "https://cam.example/share/S1"
    assert call.expired_date == AT
    assert (
        call.auto_login_url("太郎") == "https://cam.example/share/S1?userName=%E5%A4%AA%E9%83%8E&password=p+w"
    )
    assert call.auto_login_url("a", password="") == "https://cam.example/share/S1?userName=a"
    bare = QuickCall("S", "https://x/share/S?lang=ja", "", "", "", AT)
    assert bare.auto_login_url("a") == "https://x/share/S?lang=ja&userName=a"
    with pytest.raises(MalformedBody, match="sid"):
        wire.parse_quick_call({"url": "x"}, server_url="http://x", title="", password="", expired_ms=MS)


CSV_TEXT = "\ufeffuid,email,name,romaji,department,position,admin\nu1,a@x.com,山田,Yamada,営業,課長,true\n,b@x.com,B,,,,false\n"


def test_users_csv_parsing():
    export = wire.parse_users_export(CSV_TEXT)
    assert not export.csv_text.startswith("\ufeff")
    assert export.users == (
        User("u1", "a@x.com", "山田", "Yamada", "営業", "課長", True),
        User("", "b@x.com", "B", "", "", "", False),
    )


def test_users_csv_lenient_columns():
    users = wire.parse_users_csv("Email,Extra,Name\nc@x.com,zzz,C\n,,no email row\n")
    assert users == (User("", "c@x.com", "C", "", "", "", False),)
    with pytest.raises(MalformedBody, match="email"):
        wire.parse_users_csv("name,uid\nx,y\n")
    assert wire.parse_users_csv("") == ()


@given(st.lists(st.builds(User, uid=st.from_regex(r"[a-z0-9]{0,20}", fullmatch=True), email=emails,
                          name=texts, romaji=texts, department=texts, position=texts, admin=st.booleans()),
                max_size=10))  # fmt: skip
def test_users_csv_round_trip(users):
    def norm(u: User) -> User:  # the reader strips surrounding whitespace of cells
        return User(*(v.strip() if isinstance(v, str) else v for v in (u.uid, u.email, u.name, u.romaji,
                                                                     u.department, u.position, u.admin)))  # fmt: skip

    assert wire.parse_users_csv(wire.users_to_csv(users)) == tuple(norm(u) for u in users)
