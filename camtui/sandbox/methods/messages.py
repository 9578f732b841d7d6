"""Message API: sendMessage and sendMessages (the batch is checked whole before anything is stored)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from camtui.sandbox import shapes
from camtui.sandbox.body import json_field
from camtui.sandbox.db import transaction
from camtui.sandbox.errors import ApiError, ApiErrors, bad_request
from camtui.sandbox.methods.context import MAX_ERRORS, Ctx
from camtui.sandbox.methods.recipients import chat_room_exists, check_users, parse_users

MAX_BATCH_ITEMS = 1000


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
