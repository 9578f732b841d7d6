"""The one method table: wire name → handler, token level, and the description the OpenAPI document is built from."""

from __future__ import annotations

from camtui.sandbox.methods.calls import create_quick_call, get_call_stats
from camtui.sandbox.methods.chat_rooms import update_chat_room
from camtui.sandbox.methods.context import Method
from camtui.sandbox.methods.messages import send_message, send_messages
from camtui.sandbox.methods.schedule import get_conference_master, get_conference_room_status
from camtui.sandbox.methods.users import export_users, update_users_csv

METHODS: dict[str, Method] = {
    "sendMessage": Method(send_message, writes=True),
    "sendMessages": Method(send_messages, writes=True),
    "createQuickCall": Method(create_quick_call, writes=True),
    "getCallStats": Method(get_call_stats),
    "exportUsers": Method(export_users, admin=True),
    "updateUsersCSV": Method(update_users_csv, admin=True, writes=True),
    "updateChatRoom": Method(update_chat_room, admin=True, writes=True),
    "getConferenceMaster": Method(get_conference_master),
    "getConferenceRooms": Method(get_conference_master),
    "getConferenceRoomStatus": Method(get_conference_room_status),
}
