"""Two demo bookings that carry a quick call's link, so the dashboard's ghost and squatter marks (and alert
rules on them) have something to show:

- a ghost meeting: a room booked from the half hour before now for 90 minutes, its reservation text carrying the
  link of a call nobody has joined (held at 0 participants);
- a squatter: a room whose booking carrying a live call's link ended 20 minutes ago (or, when that would start
  before the working day in Tokyo, 08:00, starts in an hour but not before 08:00), with nothing booked now, while that call goes on
  (held at its participants). An early-morning demo thus does not widen the grid's hours by a made-up meeting.

Reservation titles hold `{share}` where the share URL's base goes; getConferenceRoomStatus fills in the server's
own address (`camtui.sandbox.methods.schedule`), so the link in the text opens the sandbox's share page.
Held calls are left alone by the simulation (phase "held"); their expiry still comes with the clock.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
SHARE = "{share}"
MINUTE = 60_000
DAY_START_HOUR = 8
"""The grid's default hours start at 08:00; the squatter's earlier booking stays inside them."""
LONGEST_BOOKING = 24 * 60 * MINUTE
"""Longer than any booking the demo makes (its longest is two hours)."""
GHOST_TITLE = "プロジェクト定例 (Web会議: {share}/{sid})"
SQUATTER_TITLE = "営業会議 (Web会議: {share}/{sid})"


def _ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def add_link_cases(conn: sqlite3.Connection, now: datetime) -> tuple[str, str] | None:
    """Book the ghost and the squatter (once per start-up half hour); returns (ghost room, squatter room) ids,
    or None when the world has no fitting calls or rooms."""
    now_ms = _ms(now)
    calls = conn.execute(
        "SELECT sid, participants, phase FROM calls WHERE origin = 'demo' AND expired_ms > ? ORDER BY creation_ms",
        (now_ms + 30 * MINUTE,),
    ).fetchall()
    empty = next((c for c in calls if c[1] == 0), None)
    busy = next((c for c in calls if c[1] > 0 and c is not empty), None)
    if empty is None or busy is None:
        return None
    slot = 30 * MINUTE
    start = now_ms - now_ms % slot - slot
    rooms = _unbooked_rooms(conn, now_ms - 90 * MINUTE, now_ms + 90 * MINUTE, 2)
    if len(rooms) < 2:
        return None
    ghost_room, squatter_room = rooms
    squat_start, squat_end = now_ms - 80 * MINUTE, now_ms - 20 * MINUTE
    if squat_start < _day_start(now_ms):  # before 08:00 (or yesterday): book it later today instead
        squat_start = max(now_ms + 60 * MINUTE, _day_start(now_ms))
        squat_end = squat_start + 30 * MINUTE
    rows = [
        (f"rsv-ghost-{start}", ghost_room, GHOST_TITLE.format(share=SHARE, sid=empty[0]), start,
         start + 3 * slot, "山田 太郎", "user1@xxx.com"),
        (f"rsv-squat-{start}", squatter_room, SQUATTER_TITLE.format(share=SHARE, sid=busy[0]),
         squat_start, squat_end, "佐藤 花子", "user2@xxx.com"),
    ]  # fmt: skip
    conn.execute("BEGIN")
    try:
        conn.executemany("INSERT OR IGNORE INTO reservations VALUES (?, ?, ?, ?, ?, ?, ?, 'live')", rows)
        conn.execute("UPDATE calls SET participants = 0, phase = 'held' WHERE sid = ?", (empty[0],))
        conn.execute(
            "UPDATE calls SET participants = MAX(participants, 2), phase = 'held' WHERE sid = ?", (busy[0],)
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return ghost_room, squatter_room


def _day_start(now_ms: int) -> int:
    """08:00 Tokyo on `now_ms`'s day, in epoch ms."""
    now = datetime.fromtimestamp(now_ms / 1000, TOKYO)
    return _ms(now.replace(hour=DAY_START_HOUR, minute=0, second=0, microsecond=0))


def _unbooked_rooms(conn: sqlite3.Connection, start_ms: int, end_ms: int, count: int) -> list[str]:
    """The first `count` rooms (in order) with no booking overlapping [start_ms, end_ms), bar our own.

    One range read of the start index (bookings starting up to `LONGEST_BOOKING` before the window: the demo
    makes none longer), not a query per room: at 1,000 rooms that was a third of a second of every start."""
    busy = {
        room_id
        for (room_id,) in conn.execute(
            "SELECT DISTINCT room_id FROM reservations WHERE start_ms >= ? AND start_ms < ? AND end_ms > ?"
            " AND id NOT LIKE 'rsv-ghost-%' AND id NOT LIKE 'rsv-squat-%'",
            (start_ms - LONGEST_BOOKING, end_ms, start_ms),
        )
    }
    out: list[str] = []
    for (room_id,) in conn.execute("SELECT id FROM rooms ORDER BY seq LIMIT 200"):
        if room_id not in busy:
            out.append(room_id)
            if len(out) == count:
                break
    return out
