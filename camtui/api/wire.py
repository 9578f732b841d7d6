"""The wire format: form fields we send, and lenient readers for the bodies we get back.

Encoders produce exactly the README's request shapes. Decoders accept what a real server plausibly sends
(unknown fields, numbers as strings, several time formats, missing optional fields) and turn anything they
cannot use into `MalformedBody`, which the client reports as a `CAMAPIError("500", …)`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from camtui.api.models import (
    MESSENGER,
    BatchItem,
    BatchSendResult,
    CallStats,
    ChatRoom,
    ConferenceRoom,
    QuickCall,
    Reservation,
    RoomStatus,
    SendResult,
    User,
    UsersExport,
    UsersUpdateResult,
)

SERVER_TZ = "Asia/Tokyo"
"""Time zone assumed for times the server writes without an offset (`yyyy/MM/dd HH:mm`, naive ISO)."""

USERS_CSV_COLUMNS = ("uid", "email", "name", "romaji", "department", "position", "admin")


class MalformedBody(ValueError):
    """A response body we cannot turn into the expected result (says what was wrong, in one line)."""


# --------------------------------------------------------------------------------------------- encoders


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _join_users(users: Sequence[str] | str) -> str:
    if isinstance(users, str):
        users = users.split(",")
    return ",".join(u.strip() for u in users if u and u.strip())


def encode_send_message(send: str, message: str, seal: bool, users: Sequence[str]) -> dict[str, str]:
    """sendMessage: one `message=` field holding the spec's JSON."""
    if not isinstance(send, str) or not send.strip():
        raise ValueError("send must be 'messenger' or a chat room name")
    if not isinstance(message, str):
        raise TypeError("message must be a string")
    payload: dict[str, Any] = {"panelName": send, "message": message, "isOpened": bool(seal)}
    joined = _join_users(users)
    if joined:
        payload["generalPurposes"] = {"users": joined}
    return {"message": _dumps(payload)}


def batch_item_to_wire(item: BatchItem) -> dict[str, Any]:
    """One sendMessages item: `{send?, message, property?: {users}}`; messenger is the absent `send`."""
    wire: dict[str, Any] = {}
    if item.send is not None and item.send != MESSENGER:
        wire["send"] = item.send
    wire["message"] = item.message
    joined = _join_users(item.users)
    if joined:
        wire["property"] = {"users": joined}
    return wire


def encode_send_messages(items: Sequence[BatchItem]) -> dict[str, str]:
    if not items:
        raise ValueError("send_messages needs at least one item")
    return {"messages": _dumps([batch_item_to_wire(i) for i in items])}


def to_unix_ms(value: datetime | int) -> int:
    if isinstance(value, bool):
        raise TypeError("expired_date must be an aware datetime or Unix milliseconds")
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("expired_date must be timezone-aware")
        return int(value.timestamp() * 1000)
    raise TypeError("expired_date must be an aware datetime or Unix milliseconds")


def encode_create_quick_call(expired_ms: int, password: str, title: str) -> dict[str, str]:
    return {"expiredDate": str(expired_ms), "title": title or "", "password": password or ""}


def chat_room_to_wire(chat_room: ChatRoom | Mapping[str, Any]) -> dict[str, Any]:
    """A ChatRoom or a dict in the spec's shape; a `memberUids` list is turned into `{uid: true}`."""
    if isinstance(chat_room, ChatRoom):
        return chat_room.to_wire()
    if not isinstance(chat_room, Mapping):
        raise TypeError("chat_room must be a ChatRoom or a mapping in the spec's shape")
    wire = dict(chat_room)
    members = wire.get("memberUids")
    if isinstance(members, list | tuple):
        wire["memberUids"] = dict.fromkeys((str(m) for m in members), True)
    return wire


def encode_update_chat_room(chat_room: ChatRoom | Mapping[str, Any]) -> dict[str, str]:
    return {"chatRoom": _dumps(chat_room_to_wire(chat_room))}


_PERIOD = re.compile(r"^\d{6}(\d{2})?$")


def encode_period(value: str | date | None) -> dict[str, str]:
    """getConferenceRoomStatus's `yyyyMMdd`: a month (`201908`) or a day (`20190801`); None = master list."""
    if value is None:
        return {}
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return {"yyyyMMdd": value.strftime("%Y%m%d")}
    text = re.sub(r"[-/]", "", str(value).strip())
    if not _PERIOD.match(text):
        raise ValueError(f"expected yyyyMM or yyyyMMdd, got {value!r}")
    return {"yyyyMMdd": text}


# ----------------------------------------------------------------------------------- lenient scalars


def as_str(value: Any, default: str = "") -> str:
    if value.__class__ is str:  # nearly every call (a 1,000-room status makes ~22,000): no checks needed
        return value  # type: ignore[no-any-return]
    if value is None:
        return default
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        raise MalformedBody(f"expected text, got {value!r}")  # NaN or Infinity: no name, id or title
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedBody(f"expected text, got {type(value).__name__}")


def as_int(value: Any, default: int | None = None, *, what: str = "number") -> int | None:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise MalformedBody(f"{what}: expected a number, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise MalformedBody(f"{what}: expected a number, got {value!r}")
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            try:
                f = float(value.strip())
            except ValueError:
                raise MalformedBody(f"{what}: expected a number, got {value[:40]!r}") from None
            return as_int(f, default, what=what)
    raise MalformedBody(f"{what}: expected a number, got {type(value).__name__}")


_TRUE = {"true", "1", "yes", "y", "on", "t"}
_FALSE = {"false", "0", "no", "n", "off", "f", ""}


def as_bool(value: Any, default: bool = False, *, what: str = "flag") -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    raise MalformedBody(f"{what}: expected true/false, got {str(value)[:40]!r}")


_SLASH_TIME = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_MS_THRESHOLD = 100_000_000_000
"""Below this a bare number is taken as seconds (1e11 ms is in 1973; 1e11 s is in the year 5138)."""
_MS_FAST_LIMIT = 253_402_300_800_000
"""Unix ms of the year 10000: below it (and from _MS_THRESHOLD) an int is a time with nothing to check."""


def as_time(value: Any, *, what: str = "time", tz: str | None = None) -> datetime | None:
    """Unix ms (number or digits), ISO 8601, or `yyyy/MM/dd HH:mm` → aware UTC datetime; None/"" → None."""
    if value.__class__ is int and _MS_THRESHOLD <= value < _MS_FAST_LIMIT:
        return datetime.fromtimestamp(value / 1000, UTC)  # Unix ms, as servers send them: no checks needed
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool):
            raise MalformedBody(f"{what}: expected a time, got a boolean")
        if isinstance(value, int | float) or (
            isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip())
        ):
            number = float(value)
            if abs(number) < _MS_THRESHOLD:
                number *= 1000
            return datetime.fromtimestamp(number / 1000, UTC)
        if isinstance(value, str):
            text = value.strip()
            m = _SLASH_TIME.match(text)
            zone = ZoneInfo(tz or SERVER_TZ)
            if m:
                y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
                return datetime(y, mo, d, h, mi, s, tzinfo=zone).astimezone(UTC)
            if text.endswith(("Z", "z")):
                text = text[:-1] + "+00:00"
            parsed = datetime.fromisoformat(text)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=zone)
            return parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError) as exc:
        if isinstance(exc, MalformedBody):
            raise
        raise MalformedBody(f"{what}: not a time: {str(value)[:40]!r}") from None
    raise MalformedBody(f"{what}: expected a time, got {type(value).__name__}")


def _obj(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedBody(f"{what}: expected an object, got {type(value).__name__}")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise MalformedBody(f"{what}: expected a list, got {type(value).__name__}")
    return list(value)


def _str_list(value: Any, what: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(",") if p.strip())
    return tuple(as_str(v) for v in _list(value, what))


def _required(body: Mapping[str, Any], key: str, what: str) -> Any:
    value = body.get(key)
    if value is None or value == "":
        raise MalformedBody(f"{what}: missing {key!r}")
    return value


# ------------------------------------------------------------------------------------------ decoders


def parse_send_result(body: Any, send: str) -> SendResult:
    body = _obj(body, "sendMessage")
    return SendResult(
        message_id=as_str(body.get("messageId")),
        panel_name=as_str(body.get("panelName"), send) or send,
        recipients=_str_list(body.get("recipients"), "recipients"),
    )


def parse_batch_result(body: Any, sent: int) -> BatchSendResult:
    body = _obj(body, "sendMessages")
    ids = _str_list(body.get("messageIds"), "messageIds")
    count = as_int(body.get("count"), None, what="count")
    return BatchSendResult(count=count if count is not None else (len(ids) or sent), message_ids=ids)


def parse_quick_call(body: Any, *, server_url: str, title: str, password: str, expired_ms: int) -> QuickCall:
    body = _obj(body, "createQuickCall")
    sid = as_str(_required(body, "sid", "createQuickCall"))
    return QuickCall(
        sid=sid,
        url=as_str(body.get("url")) or f"{server_url.rstrip('/')}/share/{sid}",
        presenter_pass=as_str(body.get("presenterPass")),
        title=title,
        password=password,
        expired_date=datetime.fromtimestamp(expired_ms / 1000, UTC),
    )


def parse_call_stats(body: Any, room_name: str) -> CallStats:
    body = _obj(body, "getCallStats")
    return CallStats(
        room_name=as_str(body.get("roomName"), room_name) or room_name,
        title=as_str(body.get("title")),
        creation_date=as_time(body.get("creationDate"), what="creationDate"),
        expired_date=as_time(body.get("expiredDate"), what="expiredDate"),
        participants=as_int(body.get("participants"), 0, what="participants") or 0,
        in_progress=as_bool(body.get("inProgress"), False, what="inProgress"),
    )


def parse_users_csv(text: str) -> tuple[User, ...]:
    """The users CSV by header name (order free, unknown columns ignored); e-mail is required per row."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        return ()
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return _parse_users_rows(reader)
    except csv.Error as exc:  # e.g. a cell over csv's field limit (128 KB)
        raise MalformedBody(f"users CSV line {reader.reader.line_num}: {exc}") from None


def _parse_users_rows(reader: csv.DictReader[str]) -> tuple[User, ...]:
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "email" not in header:
        raise MalformedBody("users CSV: no 'email' column in the header")
    reader.fieldnames = header
    users = []
    for row in reader:
        email = (row.get("email") or "").strip()
        if not email:
            continue
        users.append(
            User(
                uid=(row.get("uid") or "").strip(),
                email=email,
                name=(row.get("name") or "").strip(),
                romaji=(row.get("romaji") or "").strip(),
                department=(row.get("department") or "").strip(),
                position=(row.get("position") or "").strip(),
                admin=as_bool((row.get("admin") or "").strip(), False, what="admin"),
            )
        )
    return tuple(users)


def users_to_csv(users: Iterable[User]) -> str:
    """The README's users CSV (header row, fixed column order), as `updateUsersCSV` takes it."""
    out = io.StringIO()
    writer = csv.writer(out)  # CRLF rows: makes the writer quote cells holding \r or \n
    writer.writerow(USERS_CSV_COLUMNS)
    for u in users:
        writer.writerow(
            [u.uid, u.email, u.name, u.romaji, u.department, u.position, "true" if u.admin else "false"]
        )
    return out.getvalue()


def parse_users_export(text: Any) -> UsersExport:
    if not isinstance(text, str):  # a JSON answer without an error in it: not the CSV asked for
        raise MalformedBody(f"expected the users CSV, got {type(text).__name__} JSON")
    text = text.lstrip("\ufeff")
    return UsersExport(csv_text=text, users=parse_users_csv(text))


def parse_users_update(body: Any) -> UsersUpdateResult:
    body = _obj(body, "updateUsersCSV")
    return UsersUpdateResult(
        created=as_int(body.get("created"), 0, what="created") or 0,
        updated=as_int(body.get("updated"), 0, what="updated") or 0,
    )


def parse_chat_room(value: Any) -> ChatRoom:
    room = _obj(value, "chatRoom")
    members = room.get("memberUids")
    if isinstance(members, Mapping):
        uids = tuple(str(k) for k, v in members.items() if as_bool(v, True, what="memberUids"))
    else:
        uids = _str_list(members, "memberUids")
    room_id = room.get("id")
    return ChatRoom(
        id=as_str(room_id) if room_id not in (None, "") else None,
        name=as_str(room.get("name")),
        create_user_id=as_str(room.get("createUserId")),
        admin_user_id=as_str(room.get("adminUserId")),
        is_public=as_bool(room.get("isPublic"), False, what="isPublic"),
        member_uids=uids,
    )


def parse_update_chat_room(body: Any) -> ChatRoom:
    """The room under `chatRoom` (the spec's sample reads it there), or the room's fields at the top level."""
    body = _obj(body, "updateChatRoom")
    room = body.get("chatRoom")
    if room is None and body.get("id") not in (None, "") and "name" in body:
        room = body
    if room is None:
        raise MalformedBody("updateChatRoom: missing 'chatRoom'")
    return parse_chat_room(room)


def parse_reservation(value: Any, room_id: str, tz: str | None = None) -> Reservation:
    r = _obj(value, "reservation")
    start = as_time(_required(r, "start", "reservation"), what="reservation start", tz=tz)
    end = as_time(_required(r, "end", "reservation"), what="reservation end", tz=tz)
    assert start is not None and end is not None
    return Reservation(
        id=as_str(r.get("id")),
        room_id=as_str(r.get("roomId"), room_id) or room_id,
        title=as_str(r.get("title")),
        start=start,
        end=end,
        organizer_name=as_str(r.get("organizerName")),
        organizer_email=as_str(r.get("organizerEmail")),
    )


def parse_room(value: Any, tz: str | None = None) -> ConferenceRoom:
    r = _obj(value, "conference room")
    room_id = as_str(_required(r, "id", "conference room"))
    return ConferenceRoom(
        id=room_id,
        name=as_str(r.get("name")) or room_id,
        capacity=as_int(r.get("capacity"), None, what="capacity"),
        location=as_str(r.get("location")),
        floor=as_int(r.get("floor"), None, what="floor"),
        reservations=tuple(
            parse_reservation(x, room_id, tz) for x in _list(r.get("reservedSchedules"), "reservedSchedules")
        ),
    )


def parse_rooms(body: Any) -> list[ConferenceRoom]:
    body = _obj(body, "conference rooms")
    return [parse_room(r) for r in _list(body.get("conferenceRooms"), "conferenceRooms")]


def parse_room_status(body: Any) -> RoomStatus:
    """Rooms and period from either placement a server may use: inside `conferenceRoomStatus` (where the spec's
    sample prints them: `{conferenceRooms, period, from, to, timeZone}`, or a bare list of rooms) or at the top
    level (`conferenceRooms` beside a `conferenceRoomStatus` holding only the period). Inside wins when both."""
    body = _obj(body, "getConferenceRoomStatus")
    status = body.get("conferenceRoomStatus")
    if status is None:
        status = {}
    elif isinstance(status, list | tuple):
        status = {"conferenceRooms": status}
    status = _obj(status, "conferenceRoomStatus")

    def pick(key: str) -> Any:
        value = status.get(key)
        return body.get(key) if value is None else value

    tz = as_str(pick("timeZone")) or None
    try:
        if tz:
            ZoneInfo(tz)
    except (ValueError, KeyError, OSError):
        tz = None
    rooms = tuple(parse_room(r, tz) for r in _list(pick("conferenceRooms"), "conferenceRooms"))
    period = pick("period")
    return RoomStatus(
        rooms=rooms,
        period=as_str(period) if period not in (None, "") else None,
        start=as_time(pick("from"), what="from", tz=tz),
        end=as_time(pick("to"), what="to", tz=tz),
        time_zone=tz,
    )
