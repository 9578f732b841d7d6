"""The one method table: wire name → handler, token level, and the description the OpenAPI document is built
from (`camtui/sandbox/openapi.py`), so the served contract and the dispatcher cannot list different methods."""

from __future__ import annotations

from camtui.sandbox import schemas as s
from camtui.sandbox.methods.calls import MAX_PASSWORD, create_quick_call, get_call_stats
from camtui.sandbox.methods.chat_rooms import update_chat_room
from camtui.sandbox.methods.context import MAX_TITLE, Arg, Method
from camtui.sandbox.methods.messages import MAX_BATCH_ITEMS, send_message, send_messages
from camtui.sandbox.methods.schedule import get_conference_master, get_conference_room_status
from camtui.sandbox.methods.users import export_users, update_users_csv

USERS = {"type": "string", "description": "e-mail addresses joined by `,`"}
STRINGS = {"type": "array", "items": s.STRING}
MESSAGE = s.obj(
    {
        "panelName": {"type": "string", "description": "`messenger` or a chat room name"},
        "message": s.STRING,
        "isOpened": {"type": ["boolean", "null"], "description": "seal: ask for an opening confirmation"},
        "generalPurposes": s.obj({"users": USERS}, optional=("users",)),
    },
    optional=("isOpened", "generalPurposes"),
)
BATCH_ITEM = s.obj(
    {
        "send": {"type": "string", "description": "a chat room name; absent: the messenger"},
        "message": s.STRING,
        "property": s.obj({"users": USERS}, optional=("users",)),
    },
    optional=("send", "property"),
)
CHAT_ROOM_ARG = {**s.CHAT_ROOM, "required": [], "description": "no `id`: a new room"}
ROOMS = {"conferenceRooms": {"type": "array", "items": s.ref("ConferenceRoom")}}
PERIOD = {
    "type": "string",
    "pattern": r"^[0-9]{6}([0-9]{2})?$",
    "description": "a month (201908) or a day (20190801)",
}

METHODS: dict[str, Method] = {
    "sendMessage": Method(
        send_message,
        writes=True,
        group="Message API",
        summary="Send a message to people (messenger) or to a chat room, with mentions",
        args=(Arg("message", s.json_text(MESSAGE, "the message as JSON"), required=True),),
        answer={"messageId": s.STRING, "panelName": s.STRING, "recipients": STRINGS},
        codes=("405", "451", "452"),
    ),
    "sendMessages": Method(
        send_messages,
        writes=True,
        group="Message API",
        summary="Send a batch of messages; nothing is sent unless every item is valid",
        args=(
            Arg(
                "messages",
                s.json_text(
                    {"type": "array", "items": BATCH_ITEM, "minItems": 1, "maxItems": MAX_BATCH_ITEMS},
                    "the items as a JSON array (curl -d @messages.json)",
                ),
                required=True,
            ),
        ),
        answer={"count": s.COUNT, "messageIds": STRINGS},
        codes=("405", "451", "452"),
    ),
    "createQuickCall": Method(
        create_quick_call,
        writes=True,
        group="Call API",
        summary="Create a quick web conference URL",
        args=(
            Arg(
                "expiredDate",
                {"type": "string", "pattern": r"^-?[0-9]{1,18}$", "description": "Unix ms"},
                True,
            ),
            Arg("title", {"type": "string", "maxLength": MAX_TITLE}),
            Arg("password", {"type": "string", "maxLength": MAX_PASSWORD}),
        ),
        answer={"sid": s.ID, "url": s.STRING, "presenterPass": s.STRING},
    ),
    "getCallStats": Method(
        get_call_stats,
        group="Call API",
        summary="The participants and state of a web conference",
        args=(Arg("roomName", {"type": "string", "description": "the call's id (sid)"}, required=True),),
        answer={
            "roomName": s.ID,
            "title": s.STRING,
            "creationDate": s.UNIX_MS,
            "expiredDate": s.UNIX_MS,
            "participants": s.COUNT,
            "inProgress": s.BOOLEAN,
        },
    ),
    "exportUsers": Method(
        export_users,
        admin=True,
        group="User API",
        summary="The users as a CSV file (UTF-8 with BOM)",
        args=(Arg("path", {"type": "string", "description": "the download's file name"}),),
        answer=None,
    ),
    "updateUsersCSV": Method(
        update_users_csv,
        admin=True,
        writes=True,
        group="User API",
        summary="Create and update users from a CSV file",
        args=(Arg("file", {"type": "string", "contentMediaType": "text/csv"}, required=True),),
        answer={"created": s.COUNT, "updated": s.COUNT},
        upload=True,
    ),
    "updateChatRoom": Method(
        update_chat_room,
        admin=True,
        writes=True,
        group="ChatRoom API",
        summary="Create (no id) or update a chat room",
        args=(Arg("chatRoom", s.json_text(CHAT_ROOM_ARG, "the chat room as JSON"), required=True),),
        answer={"chatRoom": s.ref("ChatRoom")},
        codes=("405", "406", "452"),
    ),
    "getConferenceMaster": Method(
        get_conference_master,
        group="Schedule API",
        summary="The meeting rooms' master list",
        answer=ROOMS,
    ),
    "getConferenceRooms": Method(
        get_conference_master,
        group="Schedule API",
        summary="The meeting rooms' master list (the spec's first example)",
        answer=ROOMS,
    ),
    "getConferenceRoomStatus": Method(
        get_conference_room_status,
        group="Schedule API",
        summary="Meeting-room reservations of a month or a day; no argument: the master list",
        args=(Arg("yyyyMMdd", PERIOD),),
        answer={
            **ROOMS,
            "conferenceRoomStatus": {"anyOf": [s.ref("ConferenceRoomStatus"), {"type": "null"}]},
        },
    ),
}
