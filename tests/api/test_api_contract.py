"""The client's models against the OpenAPI document the sandbox serves (`/_sandbox/openapi.json`).

For every JSON answer the document allows, generated from its schemas, the client's parser returns the model
with exactly the answer's values in the mapped fields; every property of an answer is read into a model field
(or named here as deliberately unread), and every error envelope becomes a `CAMAPIError` with its code.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from camtui.api import CAMClient, client, models, wire
from camtui.api.answers import interpret as interpret_answer
from camtui.api.errors import CAMAPIError
from camtui.sandbox.methods import METHODS
from camtui.sandbox.openapi import document

DOC = document("http://127.0.0.1:8080")
COMPONENTS = DOC["components"]["schemas"]
CHECKS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Instances of the JSON Schema subset the document uses ($ref, allOf for the envelope, oneOf/anyOf, const,
    enum, types, closed objects, patterns, bounds)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return st.deferred(lambda: from_schema(COMPONENTS[name]))
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            part = COMPONENTS[part["$ref"].rsplit("/", 1)[1]] if "$ref" in part else part
            props = {**merged.get("properties", {}), **part.get("properties", {})}
            merged = {**merged, **part, "properties": props}
        return from_schema(merged)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return st.one_of([from_schema(option) for option in schema[key]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema["type"]
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": k}) for k in kind])
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(schema.get("minimum", -(2**40)), schema.get("maximum", 2**40))
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        return st.text(min_size=schema.get("minLength", 0), max_size=12)
    if kind == "array":
        return st.lists(from_schema(schema["items"]), min_size=schema.get("minItems", 0), max_size=3)
    assert kind == "object", schema
    extra = schema.get("additionalProperties", False)
    if not schema.get("properties") and isinstance(extra, dict):
        return st.dictionaries(st.text(min_size=1, max_size=8), from_schema(extra), max_size=4)
    props = schema["properties"]
    required = set(schema.get("required", ()))
    return st.fixed_dictionaries(
        {k: from_schema(v) for k, v in props.items() if k in required},
        optional={k: from_schema(v) for k, v in props.items() if k not in required},
    )


def answer_schema(name: str, branch: int) -> dict[str, Any]:
    """`name`'s success (0) or envelope (1) schema of the HTTP 200 JSON answer."""
    content = DOC["paths"][f"/{name}"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    return content["oneOf"][branch] if "oneOf" in content else content


def answers(name: str) -> st.SearchStrategy[dict[str, Any]]:
    return from_schema(answer_schema(name, 0))


def ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def check_room(room: models.ConferenceRoom, body: dict[str, Any]) -> None:
    assert (room.id, room.name, room.location) == (body["id"], body["name"] or body["id"], body["location"])
    assert (room.capacity, room.floor) == (body["capacity"], body["floor"])
    schedules = body.get("reservedSchedules", [])
    assert len(room.reservations) == len(schedules)
    for rsv, raw in zip(room.reservations, schedules, strict=True):
        assert (rsv.id, rsv.room_id, rsv.title) == (raw["id"], raw["roomId"] or room.id, raw["title"])
        assert (rsv.start, rsv.end) == (ms(raw["start"]), ms(raw["end"]))
        assert (rsv.organizer_name, rsv.organizer_email) == (raw["organizerName"], raw["organizerEmail"])


READ = {  # answer property → the model field it fills (dotted: nested), per method; `status` is the envelope's
    "sendMessage": {"messageId": "message_id", "panelName": "panel_name", "recipients": "recipients"},
    "sendMessages": {"count": "count", "messageIds": "message_ids"},
    "createQuickCall": {"sid": "sid", "url": "url", "presenterPass": "presenter_pass"},
    "getCallStats": {"roomName": "room_name", "title": "title", "creationDate": "creation_date",
                     "expiredDate": "expired_date", "participants": "participants", "inProgress": "in_progress"},
    "updateUsersCSV": {"created": "created", "updated": "updated"},
    "updateChatRoom": {"chatRoom": "*"},
    "getConferenceMaster": {"conferenceRooms": "*"},
    "getConferenceRooms": {"conferenceRooms": "*"},
    "getConferenceRoomStatus": {"conferenceRooms": "rooms", "conferenceRoomStatus": "*"},
}  # fmt: skip
MODEL_FIELDS_NOT_FROM_THE_ANSWER = {
    models.QuickCall: {"title", "password", "expired_date"},  # echo what was asked for
}
COMPONENT_MODELS = {  # component schema → model, property → field
    "ConferenceRoom": (models.ConferenceRoom, {"id": "id", "name": "name", "capacity": "capacity",
                       "location": "location", "floor": "floor", "reservedSchedules": "reservations"}),
    "Reservation": (models.Reservation, {"id": "id", "roomId": "room_id", "title": "title", "start": "start",
                    "end": "end", "organizerName": "organizer_name", "organizerEmail": "organizer_email"}),
    "ChatRoom": (models.ChatRoom, {"id": "id", "name": "name", "createUserId": "create_user_id",
                 "adminUserId": "admin_user_id", "isPublic": "is_public", "memberUids": "member_uids"}),
    "ConferenceRoomStatus": (models.RoomStatus, {"conferenceRooms": "rooms", "period": "period",
                             "from": "start", "to": "end", "timeZone": "time_zone"}),
}  # fmt: skip
RESULT_MODELS = {
    "sendMessage": models.SendResult,
    "sendMessages": models.BatchSendResult,
    "createQuickCall": models.QuickCall,
    "getCallStats": models.CallStats,
    "updateUsersCSV": models.UsersUpdateResult,
}


def test_the_three_method_tables_agree():
    assert set(client.METHODS) == set(METHODS) == {p[1:] for p in DOC["paths"]}
    for name, spec in client.METHODS.items():
        assert spec.write == METHODS[name].writes, name  # the client's retry rules follow the server's
        assert spec.csv == (METHODS[name].answer is None), name


@pytest.mark.parametrize("name", sorted(READ))
def test_every_answer_property_is_read_into_a_model(name):
    props = set(answer_schema(name, 0)["properties"]) - {"status"}
    assert props == set(READ[name]), name
    if name in RESULT_MODELS:
        fields = {f.name for f in dataclasses.fields(RESULT_MODELS[name])}
        spare = MODEL_FIELDS_NOT_FROM_THE_ANSWER.get(RESULT_MODELS[name], set())
        assert set(READ[name].values()) == fields - spare, name


@pytest.mark.parametrize("component", sorted(COMPONENT_MODELS))
def test_every_component_property_is_a_model_field(component):
    model, mapping = COMPONENT_MODELS[component]
    assert set(COMPONENTS[component]["properties"]) == set(mapping)
    assert set(mapping.values()) == {f.name for f in dataclasses.fields(model)}


@CHECKS
@given(
    send=answers("sendMessage"),
    batch=answers("sendMessages"),
    call=answers("createQuickCall"),
    stats=answers("getCallStats"),
    update=answers("updateUsersCSV"),
)
def test_flat_answers_parse_to_exactly_their_values(send, batch, call, stats, update):
    sent = wire.parse_send_result(send, "messenger")
    assert (sent.message_id, sent.panel_name) == (send["messageId"], send["panelName"] or "messenger")
    assert sent.recipients == tuple(send["recipients"])
    many = wire.parse_batch_result(batch, 1)
    assert (many.count, many.message_ids) == (batch["count"], tuple(batch["messageIds"]))
    quick = wire.parse_quick_call(call, server_url="http://s", title="t", password="p", expired_ms=10**12)
    assert (quick.sid, quick.presenter_pass) == (call["sid"], call["presenterPass"])
    assert quick.url == (call["url"] or f"http://s/share/{call['sid']}")
    got = wire.parse_call_stats(stats, "asked")
    assert (got.room_name, got.title, got.participants, got.in_progress) == (
        stats["roomName"], stats["title"], stats["participants"], stats["inProgress"])  # fmt: skip
    assert (got.creation_date, got.expired_date) == (ms(stats["creationDate"]), ms(stats["expiredDate"]))
    users = wire.parse_users_update(update)
    assert (users.created, users.updated) == (update["created"], update["updated"])


@CHECKS
@given(body=answers("updateChatRoom"))
def test_chat_room_answers_parse_to_exactly_their_values(body):
    room, raw = wire.parse_update_chat_room(body), body["chatRoom"]
    assert (room.id, room.name, room.create_user_id, room.admin_user_id, room.is_public) == (
        raw["id"], raw["name"], raw["createUserId"], raw["adminUserId"], raw["isPublic"])  # fmt: skip
    assert room.member_uids == tuple(uid for uid, member in raw["memberUids"].items() if member)


@CHECKS
@given(master=answers("getConferenceMaster"), status=answers("getConferenceRoomStatus"))
def test_room_answers_parse_to_exactly_their_values(master, status):
    rooms = wire.parse_rooms(master)
    assert len(rooms) == len(master["conferenceRooms"])
    for room, raw in zip(rooms, master["conferenceRooms"], strict=True):
        check_room(room, raw)
    parsed = wire.parse_room_status(status)
    inner = status["conferenceRoomStatus"]
    chosen = inner["conferenceRooms"] if inner else status["conferenceRooms"]  # inside wins (README)
    assert len(parsed.rooms) == len(chosen)
    for room, raw in zip(parsed.rooms, chosen, strict=True):
        check_room(room, raw)
    if inner:
        assert (parsed.period, parsed.time_zone) == (inner["period"], inner["timeZone"])
        assert (parsed.start, parsed.end) == (ms(inner["from"]), ms(inner["to"]))
    else:
        assert (parsed.period, parsed.start, parsed.end, parsed.time_zone) == (None, None, None, None)


@CHECKS
@given(data=st.data())
def test_every_documented_error_envelope_is_a_cam_api_error(data):
    name = data.draw(st.sampled_from(sorted(METHODS)))
    body = data.draw(from_schema(answer_schema(name, 1)))  # exportUsers: its JSON answer is only the envelope
    api = CAMClient("http://127.0.0.1:9", "token-for-the-contract")
    try:
        with pytest.raises(CAMAPIError) as caught:
            spec = client.METHODS[name]
            interpret_answer(spec.name, spec.csv, httpx.Response(200, json=body), api._redact)
    finally:
        asyncio.run(api.aclose())
    assert caught.value.code == body["errors"][0]["code"]
    assert [e["code"] for e in caught.value.errors] == [e["code"] for e in body["errors"]]
