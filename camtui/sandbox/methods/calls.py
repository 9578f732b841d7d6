"""Call API: createQuickCall and getCallStats."""

from __future__ import annotations

import re
import secrets
from typing import Any

from camtui.sandbox import shapes
from camtui.sandbox.demo import SID_ALPHABET
from camtui.sandbox.errors import bad_request
from camtui.sandbox.methods.context import MAX_TITLE, Ctx, text_field

MAX_PASSWORD = 128
MAX_EXPIRY_MS = 10 * 366 * 24 * 3600 * 1000


def _int_field(ctx: Ctx, name: str) -> int:
    raw = text_field(ctx, name, required=True, limit=40).strip()
    if not re.fullmatch(r"-?[0-9]{1,18}", raw):
        raise bad_request(f"{name} は整数 (UnixTime ミリ秒) でなければなりません", field=name)
    return int(raw)


def create_quick_call(ctx: Ctx) -> dict[str, Any]:
    expired = _int_field(ctx, "expiredDate")
    now = ctx.state.now_ms()
    if expired <= now:
        raise bad_request("expiredDate が過去の日時です", field="expiredDate")
    if expired - now > MAX_EXPIRY_MS:
        raise bad_request("expiredDate が遠すぎます (10 年以内)", field="expiredDate")
    title = text_field(ctx, "title", required=False, limit=MAX_TITLE)
    password = text_field(ctx, "password", required=False, limit=MAX_PASSWORD)
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
    sid = text_field(ctx, "roomName", required=True, limit=200).strip()
    row = ctx.conn.execute(
        "SELECT sid, title, creation_ms, expired_ms, participants FROM calls WHERE sid = ?", (sid,)
    ).fetchone()
    if row is None:
        raise bad_request(f"Web会議が見つかりません: {sid}", field="roomName")
    return shapes.call_stats(*row, ctx.state.now_ms())
