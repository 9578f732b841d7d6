"""The spec's API methods, one function each, with the vendor's error semantics (README "API section").

A handler takes the request context and returns the success body (without `status`, which the dispatcher
adds) or a ready `Response` (exportUsers). It raises `ApiError` for anything the caller got wrong.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from starlette.responses import Response

from camtui.sandbox import reservations, shapes
from camtui.sandbox.body import Fields, json_field
from camtui.sandbox.db import transaction
from camtui.sandbox.demo import ORG_DOMAINS, SID_ALPHABET, TOKYO
from camtui.sandbox.errors import ApiError, ApiErrors, bad_request
from camtui.sandbox.state import SandboxState
from camtui.sandbox.users_csv import export_csv, import_csv

MAX_BATCH_ITEMS = 1000
MAX_ERRORS = 50
MAX_TITLE = 256
MAX_PASSWORD = 128
MAX_EXPIRY_MS = 10 * 366 * 24 * 3600 * 1000
EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+$")


@dataclass(slots=True)
class Ctx:
    state: SandboxState
    fields: Fields
    server_url: Callable[[], str]
    """The server URL as the client reached it (scheme://host:port, no trailing slash); computed on demand
    because only createQuickCall needs it and building it costs a noticeable share of a small request."""

    @property
    def conn(self) -> sqlite3.Connection:
        return self.state.conn

    @property
    def base_url(self) -> str:
        return self.server_url()


Handler = Callable[[Ctx], "dict[str, Any] | Response"]


@dataclass(frozen=True, slots=True)
class Method:
    handler: Handler
    admin: bool = False
    """Needs the admin token (800 with the user token)."""
    writes: bool = False
    """Changes something (sends, creates, updates): never run for a HEAD request, which must be safe."""


# ---------------------------------------------------------------- helpers


def _text_field(ctx: Ctx, name: str, *, required: bool, limit: int = 10_000) -> str:
    value = ctx.fields.get(name)
    if value is None or (required and not value.strip()):
        if required:
            raise bad_request(f"{name} がありません", field=name)
        return ""
    if len(value) > limit:
        raise bad_request(f"{name} が長すぎます (最大 {limit} 文字)", field=name)
    return value


def parse_users(value: object, field: str) -> list[str]:
    """A comma-joined e-mail list (the spec's form) or a JSON list of e-mails → lower-cased, de-duplicated."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        parts = value
    else:
        raise bad_request(f"{field} はカンマ区切りのメールアドレスでなければなりません", field=field)
    seen: dict[str, None] = {}
    for part in parts:
        email = part.strip().lower()
        if email:
            seen.setdefault(email, None)
    return list(seen)


def unknown_user_error(conn: sqlite3.Connection, email: str, field: str) -> ApiError:
    """451 when the address is in one of the organisation's domains (the person could self-register), else 452."""
    domain = email.rpartition("@")[2] if EMAIL_RE.match(email) else ""
    own = bool(domain) and (
        domain in ORG_DOMAINS
        or conn.execute("SELECT 1 FROM users WHERE domain = ? LIMIT 1", (domain,)).fetchone() is not None
    )
    return ApiError("451" if own else "452", email, field=field)


def known_emails(conn: sqlite3.Connection, emails: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(emails), 500):
        chunk = emails[i : i + 500]
        marks = ",".join("?" * len(chunk))
        found.update(r[0] for r in conn.execute(f"SELECT email FROM users WHERE email IN ({marks})", chunk))
    return found


def check_users(conn: sqlite3.Connection, emails: Sequence[str], field: str, **extra: object) -> None:
    known = known_emails(conn, emails)
    errors = [unknown_user_error(conn, e, field) for e in emails if e not in known]
    for error in errors:
        error.extra.update(extra)
    if errors:
        raise ApiErrors(errors[:MAX_ERRORS])


def chat_room_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM chat_rooms WHERE name = ?", (name,)).fetchone() is not None


def _insert_message(
    conn: sqlite3.Connection,
    method: str,
    destination: str,
    recipients: Sequence[str],
    text: str,
    seal: bool,
    time_ms: int,
    index: int | None,
) -> str:
    cur = conn.execute(
        "INSERT INTO messages(method, destination, recipients, text, seal, time_ms, item_index)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            method,
            destination,
            json.dumps(list(recipients), ensure_ascii=False),
            text,
            int(seal),
            time_ms,
            index,
        ),
    )
    return shapes.message_id(cur.lastrowid or 0)


# ---------------------------------------------------------------- Message API


def send_message(ctx: Ctx) -> dict[str, Any]:
    data = json_field(ctx.fields, "message")
    if not isinstance(data, dict):
        raise bad_request("message は JSON オブジェクトでなければなりません", field="message")
    panel = data.get("panelName")
    if not isinstance(panel, str) or not panel.strip():
        raise bad_request("panelName がありません (messenger またはチャットルーム名)", field="panelName")
    text = data.get("message")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message (本文) がありません", field="message.message")
    seal = data.get("isOpened", False)
    if seal is None:
        seal = False
    if not isinstance(seal, bool):
        raise bad_request("isOpened は true か false でなければなりません", field="isOpened")
    general = data.get("generalPurposes") or {}
    if not isinstance(general, dict):
        raise bad_request("generalPurposes はオブジェクトでなければなりません", field="generalPurposes")
    users = parse_users(general.get("users"), "generalPurposes.users")
    conn = ctx.conn
    if panel == shapes.MESSENGER:
        if not users:
            raise bad_request(
                "messenger の宛先 (generalPurposes.users) がありません", field="generalPurposes.users"
            )
    elif not chat_room_exists(conn, panel):
        raise ApiError("405", panel, field="panelName")
    check_users(conn, users, "generalPurposes.users")
    message_id = _insert_message(conn, "sendMessage", panel, users, text, seal, ctx.state.now_ms(), None)
    ctx.state.counters.messages_delivered += 1
    return {"messageId": message_id, "panelName": panel, "recipients": users}


def _batch_item(conn: sqlite3.Connection, item: object, index: int, rooms: dict[str, bool]) -> tuple:
    if not isinstance(item, dict):
        raise bad_request(f"messages[{index}] はオブジェクトでなければなりません", index=index)
    send = item.get("send")
    if send is None:
        send = shapes.MESSENGER
    if not isinstance(send, str) or not send.strip():
        raise bad_request(
            f"messages[{index}].send は送信先の名前でなければなりません", index=index, field="send"
        )
    text = item.get("message")
    if not isinstance(text, str) or not text.strip():
        raise bad_request(f"messages[{index}].message (本文) がありません", index=index, field="message")
    prop = item.get("property") or {}
    if not isinstance(prop, dict):
        raise bad_request(f"messages[{index}].property はオブジェクトでなければなりません", index=index)
    try:
        users = parse_users(prop.get("users"), "property.users")
    except ApiError as exc:
        exc.extra["index"] = index
        raise
    if send == shapes.MESSENGER:
        if not users:
            raise bad_request(
                f"messages[{index}] の宛先 (property.users) がありません", index=index, field="property.users"
            )
    else:
        if send not in rooms:
            rooms[send] = chat_room_exists(conn, send)
        if not rooms[send]:
            raise ApiError("405", f"messages[{index}]: {send}", index=index, field="send")
    check_users(conn, users, "property.users", index=index)
    return send, users, text


def send_messages(ctx: Ctx) -> dict[str, Any]:
    items = json_field(ctx.fields, "messages")
    if not isinstance(items, list):
        raise bad_request("messages は JSON 配列でなければなりません", field="messages")
    if not items:
        raise bad_request("messages が空です", field="messages")
    if len(items) > MAX_BATCH_ITEMS:
        raise bad_request(f"messages が多すぎます (最大 {MAX_BATCH_ITEMS} 件)", field="messages")
    conn = ctx.conn
    rooms: dict[str, bool] = {}
    checked: list[tuple] = []
    errors: list[ApiError] = []
    for index, item in enumerate(items):
        try:
            checked.append(_batch_item(conn, item, index, rooms))
        except ApiErrors as exc:
            errors.extend(exc.errors)
        except ApiError as exc:
            errors.append(exc)
    if errors:
        raise ApiErrors(errors[:MAX_ERRORS])
    now = ctx.state.now_ms()
    with transaction(conn):
        ids = [
            _insert_message(conn, "sendMessages", send, users, text, False, now, index)
            for index, (send, users, text) in enumerate(checked)
        ]
    ctx.state.counters.messages_delivered += len(ids)
    return {"count": len(ids), "messageIds": ids}


# ---------------------------------------------------------------- Call API


def _int_field(ctx: Ctx, name: str) -> int:
    raw = _text_field(ctx, name, required=True, limit=40).strip()
    if not re.fullmatch(r"-?\d{1,18}", raw):
        raise bad_request(f"{name} は整数 (UnixTime ミリ秒) でなければなりません", field=name)
    return int(raw)


def create_quick_call(ctx: Ctx) -> dict[str, Any]:
    expired = _int_field(ctx, "expiredDate")
    now = ctx.state.now_ms()
    if expired <= now:
        raise bad_request("expiredDate が過去の日時です", field="expiredDate")
    if expired - now > MAX_EXPIRY_MS:
        raise bad_request("expiredDate が遠すぎます (10 年以内)", field="expiredDate")
    title = _text_field(ctx, "title", required=False, limit=MAX_TITLE)
    password = _text_field(ctx, "password", required=False, limit=MAX_PASSWORD)
    sid = "".join(secrets.choice(SID_ALPHABET) for _ in range(44))
    presenter = f"{secrets.randbelow(1_000_000):06d}"
    capacity = 4 + secrets.randbelow(20)
    ctx.conn.execute(
        "INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?, 0, ?, 'api', 'waiting')",
        (sid, title, password, presenter, now, expired, capacity),
    )
    ctx.state.counters.calls_created += 1
    return {"sid": sid, "url": f"{ctx.base_url}/share/{sid}", "presenterPass": presenter}


def get_call_stats(ctx: Ctx) -> dict[str, Any]:
    sid = _text_field(ctx, "roomName", required=True, limit=200).strip()
    row = ctx.conn.execute(
        "SELECT sid, title, creation_ms, expired_ms, participants FROM calls WHERE sid = ?", (sid,)
    ).fetchone()
    if row is None:
        raise bad_request(f"Web会議が見つかりません: {sid}", field="roomName")
    return shapes.call_stats(*row, ctx.state.now_ms())


# ---------------------------------------------------------------- User API


def export_users(ctx: Ctx) -> Response:
    path = ctx.fields.get("path") or "exportUsers.csv"
    return export_csv(ctx.conn, path)


def update_users_csv(ctx: Ctx) -> dict[str, Any]:
    upload = ctx.fields.files.get("file")
    if upload is not None:
        data = upload.data
    elif ctx.fields.get("file") is not None:
        data = (ctx.fields.get("file") or "").encode("utf-8")
    else:
        raise bad_request("file (CSV) がありません", field="file")
    created, updated = import_csv(ctx.conn, data)
    return {"created": created, "updated": updated}


# ---------------------------------------------------------------- ChatRoom API


def _uid_exists(conn: sqlite3.Connection, uid: str) -> bool:
    return conn.execute("SELECT 1 FROM users WHERE uid = ?", (uid,)).fetchone() is not None


def _optional_str(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise bad_request(f"chatRoom.{key} は文字列でなければなりません", field=key)
    return str(value).strip()


def _members(data: dict) -> set[str] | None:
    value = data.get("memberUids")
    if value is None:
        return None
    if isinstance(value, dict):
        if not all(isinstance(v, bool) for v in value.values()):
            raise bad_request(
                "chatRoom.memberUids の値は true か false でなければなりません", field="memberUids"
            )
        return {str(uid).strip() for uid, member in value.items() if member}
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return {v.strip() for v in value}
    raise bad_request(
        "chatRoom.memberUids は {uid: true} のオブジェクトでなければなりません", field="memberUids"
    )


def _check_uids(conn: sqlite3.Connection, uids: Iterable[str], field: str) -> None:
    errors = [
        ApiError("452", f"uid {uid}", field=field) for uid in sorted(uids) if not _uid_exists(conn, uid)
    ]
    if errors:
        raise ApiErrors(errors[:MAX_ERRORS])


def _room_body(conn: sqlite3.Connection, room_id: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT id, name, create_user_id, admin_user_id, is_public FROM chat_rooms WHERE id = ?", (room_id,)
    ).fetchone()
    members = [
        r[0] for r in conn.execute("SELECT uid FROM chat_members WHERE room_id = ? ORDER BY uid", (room_id,))
    ]
    return shapes.chat_room(row[0], row[1], row[2], row[3], bool(row[4]), members)


def update_chat_room(ctx: Ctx) -> dict[str, Any]:
    data = json_field(ctx.fields, "chatRoom")
    if not isinstance(data, dict):
        raise bad_request("chatRoom は JSON オブジェクトでなければなりません", field="chatRoom")
    conn = ctx.conn
    room_id = _optional_str(data, "id") or None
    name = _optional_str(data, "name")
    creator = _optional_str(data, "createUserId") or None
    admin = _optional_str(data, "adminUserId") or None
    is_public = data.get("isPublic")
    if is_public is not None and not isinstance(is_public, bool):
        raise bad_request("chatRoom.isPublic は true か false でなければなりません", field="isPublic")
    members = _members(data)
    if name is not None and len(name) > MAX_TITLE:
        raise bad_request("chatRoom.name が長すぎます", field="name")
    if name is not None and name.lower() == shapes.MESSENGER:  # would shadow sendMessage's direct messages
        raise ApiError("406", f"{shapes.MESSENGER} はチャットルーム名に使えません", field="name")
    _check_uids(conn, {u for u in (creator, admin) if u} | (members or set()), "memberUids")
    if room_id is None:
        if not name:
            raise bad_request("新しいチャットルームには name が必要です", field="name")
        if chat_room_exists(conn, name):
            raise ApiError("406", f"同じ名前のチャットルームがあります: {name}", field="name")
        creator = creator or admin or (sorted(members)[0] if members else None)
        if creator is None:
            raise bad_request("createUserId か memberUids が必要です", field="createUserId")
        admin = admin or creator
        member_set = (members or set()) | {creator, admin}
        now = ctx.state.now_ms()
        new_id = f"{now:013d}{secrets.randbelow(1_000_000):06d}"
        with transaction(conn):
            conn.execute(
                "INSERT INTO chat_rooms VALUES (?, ?, ?, ?, ?, ?)",
                (new_id, name, creator, admin, int(bool(is_public)), now),
            )
            conn.executemany("INSERT INTO chat_members VALUES (?, ?)", [(new_id, u) for u in member_set])
        return {"chatRoom": _room_body(conn, new_id)}
    row = conn.execute("SELECT name, create_user_id FROM chat_rooms WHERE id = ?", (room_id,)).fetchone()
    if row is None:
        raise ApiError("405", f"id {room_id}", field="id")
    if creator is not None and creator != row[1]:
        raise ApiError("406", "createUserId は変更できません", field="createUserId")
    if name is not None and not name:
        raise bad_request("chatRoom.name が空です", field="name")
    if name and name != row[0] and chat_room_exists(conn, name):
        raise ApiError("406", f"同じ名前のチャットルームがあります: {name}", field="name")
    if members is not None and not members:
        raise ApiError("406", "メンバーが一人もいなくなります", field="memberUids")
    with transaction(conn):
        if name:
            conn.execute("UPDATE chat_rooms SET name = ? WHERE id = ?", (name, room_id))
        if admin:
            conn.execute("UPDATE chat_rooms SET admin_user_id = ? WHERE id = ?", (admin, room_id))
        if is_public is not None:
            conn.execute("UPDATE chat_rooms SET is_public = ? WHERE id = ?", (int(is_public), room_id))
        if members is not None:
            conn.execute("DELETE FROM chat_members WHERE room_id = ?", (room_id,))
            conn.executemany("INSERT INTO chat_members VALUES (?, ?)", [(room_id, u) for u in members])
    return {"chatRoom": _room_body(conn, room_id)}


# ---------------------------------------------------------------- Schedule API


def _rooms(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [
        shapes.room(r)
        for r in conn.execute("SELECT id, name, capacity, location, floor FROM rooms ORDER BY seq")
    ]


def get_conference_master(ctx: Ctx) -> dict[str, Any]:
    return {"conferenceRooms": _rooms(ctx.conn)}


def _period_argument(fields: Fields) -> str | None:
    for key, value in fields.values.items():
        if key.lower() in ("yyyymmdd", "yyyymmmdd"):
            return value.strip()
    return None


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """`201908` → that month, `20190801` → that day, in Asia/Tokyo: [start, end)."""
    if not re.fullmatch(r"\d{6}|\d{8}", period):
        raise bad_request(f"yyyyMMdd は 201908 か 20190801 の形式です: {period[:20]}", field="yyyyMMdd")
    try:
        year, month = int(period[:4]), int(period[4:6])
        if len(period) == 6:
            start = datetime(year, month, 1, tzinfo=TOKYO)
            end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=TOKYO)
        else:
            start = datetime(year, month, int(period[6:]), tzinfo=TOKYO)
            end = start + timedelta(days=1)
    except (ValueError, OverflowError):
        raise bad_request(f"yyyyMMdd の日付が正しくありません: {period}", field="yyyyMMdd") from None
    return start, end


def get_conference_room_status(ctx: Ctx) -> dict[str, Any]:
    period = _period_argument(ctx.fields)
    rooms = _rooms(ctx.conn)
    if not period:
        return {"conferenceRooms": rooms, "conferenceRoomStatus": None}
    start, end = period_bounds(period)
    state = ctx.state
    reservations.ensure_period(ctx.conn, state.seed, start, end, state.clock())
    start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
    by_room: dict[str, list[dict[str, Any]]] = {r["id"]: [] for r in rooms}
    for row in reservations.in_period(ctx.conn, start_ms, end_ms):
        bucket = by_room.get(row[1])
        if bucket is not None:
            bucket.append(shapes.reservation(row))
    for room in rooms:
        room["reservedSchedules"] = by_room[room["id"]]
    return {
        "conferenceRooms": rooms,
        "conferenceRoomStatus": {
            "period": period,
            "from": start_ms,
            "to": end_ms,
            "timeZone": shapes.TIME_ZONE,
        },
    }


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
