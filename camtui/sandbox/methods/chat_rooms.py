"""ChatRoom API (admin token): updateChatRoom creates a room (no `id`) or changes one."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable
from typing import Any

from camtui.sandbox import shapes
from camtui.sandbox.body import json_field
from camtui.sandbox.db import transaction
from camtui.sandbox.errors import ApiError, ApiErrors, bad_request
from camtui.sandbox.methods.context import MAX_ERRORS, MAX_TITLE, Ctx
from camtui.sandbox.methods.recipients import chat_room_exists


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
