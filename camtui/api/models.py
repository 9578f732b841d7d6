"""Typed results of the API: what every caller receives instead of raw dicts.

All datetimes are aware and in UTC; convert to the configured time zone only for display.
Parsing from the wire lives in `camtui.api.wire`, so these classes stay plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "MESSENGER",
    "BatchItem",
    "BatchSendResult",
    "CallStats",
    "ChatRoom",
    "ConferenceRoom",
    "QuickCall",
    "Reservation",
    "RoomStatus",
    "SendResult",
    "User",
    "UsersExport",
    "UsersUpdateResult",
]
"""Every model; `camtui.api` re-exports exactly these."""

MESSENGER = "messenger"
"""The `send` value for direct messages (the spec's `panelName` for the messenger)."""


@dataclass(frozen=True, slots=True)
class SendResult:
    """What sendMessage answered: the id of the stored message, where it went and to whom."""

    message_id: str
    panel_name: str
    recipients: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One entry of a sendMessages batch. `send=None` means the messenger (the spec's default)."""

    message: str
    send: str | None = None
    users: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BatchSendResult:
    count: int
    message_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QuickCall:
    """A quick web conference. `title`, `password` and `expired_date` echo what was asked for."""

    sid: str
    url: str
    presenter_pass: str
    title: str
    password: str
    expired_date: datetime

    def auto_login_url(self, user_name: str, password: str | None = None) -> str:
        """The URL that joins the call directly (the spec's `?userName=…&password=…`).

        `password` defaults to the call's own password; an empty password is left out.
        """
        pw = self.password if password is None else password
        params = {"userName": user_name}
        if pw:
            params["password"] = pw
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}{urlencode(params)}"


@dataclass(frozen=True, slots=True)
class CallStats:
    room_name: str
    title: str
    creation_date: datetime | None
    expired_date: datetime | None
    participants: int
    in_progress: bool


@dataclass(frozen=True, slots=True)
class User:
    """One row of the users CSV (`uid,email,name,romaji,department,position,admin`)."""

    uid: str
    email: str
    name: str
    romaji: str
    department: str
    position: str
    admin: bool


@dataclass(frozen=True, slots=True)
class UsersExport:
    csv_text: str
    """The CSV as the server sent it, without the byte-order mark."""
    users: tuple[User, ...]


@dataclass(frozen=True, slots=True)
class UsersUpdateResult:
    created: int
    updated: int


@dataclass(frozen=True, slots=True)
class ChatRoom:
    """A chat room as updateChatRoom takes and returns it. `id=None` creates a new room."""

    id: str | None
    name: str
    create_user_id: str
    admin_user_id: str
    is_public: bool
    member_uids: tuple[str, ...]

    def to_wire(self) -> dict[str, Any]:
        """The spec's JSON shape: camelCase keys, members as `{uid: true}`, no `id` for a new room."""
        wire: dict[str, Any] = {}
        if self.id is not None:
            wire["id"] = self.id
        wire.update(
            {
                "name": self.name,
                "createUserId": self.create_user_id,
                "adminUserId": self.admin_user_id,
                "isPublic": self.is_public,
                "memberUids": dict.fromkeys(self.member_uids, True),
            }
        )
        return wire


@dataclass(frozen=True, slots=True)
class Reservation:
    """A booking of a meeting room; `start` inclusive, `end` exclusive."""

    id: str
    room_id: str
    title: str
    start: datetime
    end: datetime
    organizer_name: str
    organizer_email: str


@dataclass(frozen=True, slots=True)
class ConferenceRoom:
    id: str
    name: str
    capacity: int | None
    location: str
    floor: int | None
    reservations: tuple[Reservation, ...] = ()


@dataclass(frozen=True, slots=True)
class RoomStatus:
    """getConferenceRoomStatus: rooms with their reservations, and the period asked for (None: master list)."""

    rooms: tuple[ConferenceRoom, ...]
    period: str | None
    start: datetime | None
    end: datetime | None
    time_zone: str | None
