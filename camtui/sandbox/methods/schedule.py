"""Schedule API: the meeting-room master list and the reservations of a month or a day."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from starlette.responses import Response

from camtui.sandbox import reservations, shapes
from camtui.sandbox.answer_cache import data_stamp
from camtui.sandbox.body import Fields
from camtui.sandbox.demo import TOKYO
from camtui.sandbox.errors import bad_request
from camtui.sandbox.link_cases import SHARE
from camtui.sandbox.methods.context import Ctx
from camtui.sandbox.responses import SHARED, encode_sharing
from camtui.sandbox.state import SandboxState


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


FIRST_YEAR = 1974
"""Periods start here: from/to are Unix ms, and below 1e11 (March 1973) readers take a number for seconds."""


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """`201908` → that month, `20190801` → that day, in Asia/Tokyo: [start, end)."""
    if not re.fullmatch(r"[0-9]{6}|[0-9]{8}", period):
        raise bad_request(f"yyyyMMdd は 201908 か 20190801 の形式です: {period[:20]}", field="yyyyMMdd")
    year, month = int(period[:4]), int(period[4:6])
    if year < FIRST_YEAR:  # its Unix ms would be small enough for a reader to take them for seconds
        raise bad_request(f"yyyyMMdd は {FIRST_YEAR} 年以降です: {period}", field="yyyyMMdd")
    try:
        if len(period) == 6:
            start = datetime(year, month, 1, tzinfo=TOKYO)
            end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=TOKYO)
        else:
            start = datetime(year, month, int(period[6:]), tzinfo=TOKYO)
            end = start + timedelta(days=1)
    except (ValueError, OverflowError):
        raise bad_request(f"yyyyMMdd の日付が正しくありません: {period}", field="yyyyMMdd") from None
    return start, end


def get_conference_room_status(ctx: Ctx) -> dict[str, Any] | Response:
    period = _period_argument(ctx.fields)
    if not period:
        return {"conferenceRooms": _rooms(ctx.conn), "conferenceRoomStatus": None}
    return Response(room_status_body(ctx.state, period, ctx.base_url), media_type="application/json")


def room_status_body(state: SandboxState, period: str, base_url: str) -> bytes:
    """The encoded answer for `period` (`yyyyMM` or `yyyyMMdd`), kept while the database is unchanged."""
    start, end = period_bounds(period)
    conn = state.conn
    reservations.ensure_period(conn, state.seed, start, end, state.clock())
    key = (period, base_url, data_stamp(conn))
    cached = state.answers.get(key)
    if cached is not None:
        return cached
    rooms = _rooms(conn)
    start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
    by_room: dict[str, list[dict[str, Any]]] = {r["id"]: [] for r in rooms}
    share = f"{base_url}/share"
    for row in reservations.in_period(conn, start_ms, end_ms):
        bucket = by_room.get(row[1])
        if bucket is not None:
            item = shapes.reservation(row)
            if SHARE in item["title"]:  # a demo booking that carries a call's link (sandbox.link_cases)
                item["title"] = item["title"].replace(SHARE, share)
            bucket.append(item)
    for room in rooms:
        room["reservedSchedules"] = by_room[room["id"]]
    status = {
        "conferenceRooms": SHARED,
        "period": period,
        "from": start_ms,
        "to": end_ms,
        "timeZone": shapes.TIME_ZONE,
    }
    # The spec's sample prints response["conferenceRoomStatus"] and says reservations are in
    # conferenceRooms.reservedSchedules: so the rooms are inside it; the top-level copy keeps older readers.
    # Both are the same list, encoded once (a month of 200 rooms is ~3.6 MB of JSON).
    body = encode_sharing({"status": 200, "conferenceRooms": SHARED, "conferenceRoomStatus": status}, rooms)
    state.answers.put(key, body)
    return body


def warm_today(state: SandboxState) -> None:
    """Make today's answer for the announced URL right after start, while the sandbox waits for its first
    request: a dashboard's first poll is that day, and at 1,000 rooms it then takes ~25 ms less."""
    if state.public_url:
        room_status_body(state, reservations.tokyo_date(state.clock()).strftime("%Y%m%d"), state.public_url)
