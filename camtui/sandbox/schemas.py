"""JSON Schemas (2020-12, as OpenAPI 3.1 uses) of the shapes in `shapes.py`, for the method table's rows.

They are strict where the sandbox is (`additionalProperties: false`), so the contract test catches a shape that
drifts from its description; the client reads more leniently than this (README "API section").
"""

from __future__ import annotations

from typing import Any

from camtui.api import codes
from camtui.sandbox.shapes import TIME_ZONE

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
COUNT: Schema = {"type": "integer", "minimum": 0}
BOOLEAN: Schema = {"type": "boolean"}
ID: Schema = {"type": "string", "minLength": 1}
UNIX_MS: Schema = {
    "type": "integer",
    "minimum": 100_000_000_000,
    "maximum": 253_402_300_799_999,
    "description": "Unix time in milliseconds (1973 to 9999: a smaller number would read as seconds)",
}


def obj(properties: dict[str, Schema], *, optional: tuple[str, ...] = (), **extra: Any) -> Schema:
    """A closed object: every property required unless named in `optional`."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
        **extra,
    }


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def json_text(schema: Schema, description: str) -> Schema:
    """A form field whose value is JSON text (the spec's `message=`, `messages=`, `chatRoom=`)."""
    return {
        "type": "string",
        "contentMediaType": "application/json",
        "contentSchema": schema,
        "description": description,
    }


ROOM = obj(
    {
        "id": ID,
        "name": STRING,
        "capacity": {"type": ["integer", "null"]},
        "location": STRING,
        "floor": {"type": ["integer", "null"]},
        "reservedSchedules": {"type": "array", "items": ref("Reservation")},
    },
    optional=("reservedSchedules",),
    description="A meeting room; `reservedSchedules` only in getConferenceRoomStatus with a period.",
)
RESERVATION = obj(
    {
        "id": ID,
        "roomId": STRING,
        "title": STRING,
        "start": UNIX_MS,
        "end": UNIX_MS,
        "organizerName": STRING,
        "organizerEmail": STRING,
    },
    description="A booking: `start` inclusive, `end` exclusive.",
)
CHAT_ROOM = obj(
    {
        "id": ID,
        "name": STRING,
        "createUserId": STRING,
        "adminUserId": STRING,
        "isPublic": BOOLEAN,
        "memberUids": {"type": "object", "additionalProperties": BOOLEAN, "description": "{uid: true}"},
    },
    description="The spec's updateChatRoom sample shape.",
)
ROOM_STATUS = obj(
    {
        "conferenceRooms": {"type": "array", "items": ref("ConferenceRoom")},
        "period": {"type": "string", "pattern": r"^[0-9]{6}([0-9]{2})?$"},
        "from": UNIX_MS,
        "to": UNIX_MS,
        "timeZone": {"const": TIME_ZONE},
    },
    description="The period asked for and the rooms with their reservations (where the spec's sample prints them).",
)
ERROR_ITEM = obj(
    {
        "code": {"type": "string", "enum": sorted(codes.ERROR_CODES)},
        "message": {"type": "string", "minLength": 1},
        "index": {"type": "integer", "minimum": 0, "description": "sendMessages item (0-based)"},
        "line": {"type": "integer", "minimum": 1, "description": "updateUsersCSV line (header = 1)"},
        "field": STRING,
    },
    optional=("index", "line", "field"),
)

COMPONENTS: dict[str, Schema] = {
    "ConferenceRoom": ROOM,
    "Reservation": RESERVATION,
    "ChatRoom": CHAT_ROOM,
    "ConferenceRoomStatus": ROOM_STATUS,
    "Error": ERROR_ITEM,
}


def envelope(error_codes: tuple[str, ...]) -> Schema:
    """The spec's error answer, limited to the codes a method can answer."""
    item = {"allOf": [ref("Error"), {"properties": {"code": {"enum": list(error_codes)}}}]}
    return obj(
        {"status": {"const": codes.ERROR_STATUS}, "errors": {"type": "array", "items": item, "minItems": 1}}
    )


def success(body: dict[str, Schema], **extra: Any) -> Schema:
    """A success answer: `status: 200` and the method's fields."""
    return obj({"status": {"const": 200}, **body}, **extra)
