"""The wire shapes the spec leaves open, decided once (README "API section" documents exactly these).

Every JSON object the sandbox answers with is built here from database rows, so the server and the README
cannot drift apart in more than one place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

USER_CSV_COLUMNS: tuple[str, ...] = ("uid", "email", "name", "romaji", "department", "position", "admin")
"""exportUsers / updateUsersCSV columns, in this order; the header row is required."""

TIME_ZONE = "Asia/Tokyo"
"""The organisation's time zone: reservation periods (`yyyyMMdd`) are days and months in this zone."""

MESSENGER = "messenger"
"""The `panelName` / `send` value that means direct messages to users rather than a chat room."""


def room(row: Sequence[Any]) -> dict[str, Any]:
    """rooms row (id, name, capacity, location, floor) → `{"id","name","capacity","location","floor"}`."""
    return {"id": row[0], "name": row[1], "capacity": row[2], "location": row[3], "floor": row[4]}


def reservation(row: Sequence[Any]) -> dict[str, Any]:
    """reservations row (id, room_id, title, start_ms, end_ms, organizer_name, organizer_email)."""
    return {
        "id": row[0],
        "roomId": row[1],
        "title": row[2],
        "start": row[3],
        "end": row[4],
        "organizerName": row[5],
        "organizerEmail": row[6],
    }


def chat_room(
    room_id: str, name: str, create_user_id: str, admin_user_id: str, is_public: bool, members: Iterable[str]
) -> dict[str, Any]:
    """The spec's updateChatRoom sample shape: `memberUids` is an object `{uid: true}`."""
    return {
        "id": room_id,
        "name": name,
        "createUserId": create_user_id,
        "adminUserId": admin_user_id,
        "isPublic": bool(is_public),
        "memberUids": dict.fromkeys(members, True),
    }


def call_stats(
    sid: str, title: str, creation_ms: int, expired_ms: int, participants: int, now_ms: int
) -> dict:
    """getCallStats body (without `status`): an expired call has no participants and is not in progress."""
    live = now_ms < expired_ms
    count = participants if live else 0
    return {
        "roomName": sid,
        "title": title,
        "creationDate": creation_ms,
        "expiredDate": expired_ms,
        "participants": count,
        "inProgress": live and count > 0,
    }


def delivered_message(row: Sequence[Any]) -> dict[str, Any]:
    """messages row → a `/_sandbox/messages` item: destination, recipients, text, seal flag and time."""
    msg_id, method, destination, recipients, text, seal, time_ms, index = row
    return {
        "id": message_id(msg_id),
        "method": method,
        "destination": destination,
        "recipients": json.loads(recipients),
        "text": text,
        "seal": bool(seal),
        "time": time_ms,
        "index": index,
    }


def message_id(rowid: int) -> str:
    return f"m{rowid:08d}"


def user_row_to_csv(row: Sequence[Any]) -> list[str]:
    """users row (uid, email, name, romaji, department, position, admin) → CSV cells."""
    return [row[0], row[1], row[2], row[3], row[4], row[5], "true" if row[6] else "false"]
