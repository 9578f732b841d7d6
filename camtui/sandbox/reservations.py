"""Demo meeting-room reservations, made a month at a time the first time a month (or a day in it) is needed.

A month is a pure function of (seed, rooms, the first users, month): it draws from
`Random(f"{seed}:reservations:{yyyymm}")` and its ids are `rsv-{yyyymm}-{n}`, so it comes out the same
whenever, and in whatever order, it is first asked for, before or after a restart. `reservation_months`
remembers the months made, so each is made once and then kept. Months more than `WINDOW_MONTHS` from now
are never made: asking for them answers what exists (the simulation's bookings, if any), usually nothing.
At 1,000 rooms a month is ~90,000 meetings made in about half a second. The draws are those of the earlier
make-the-current-month-at-start-up version, so a given month has the same meetings as before.

Two other kinds of booking share the table: `live` (a few meetings in progress when the sandbox starts, so a
demo always shows some) and `sim` (the simulation's ad-hoc meetings).
"""

from __future__ import annotations

import calendar
import random
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from camtui.sandbox import names
from camtui.sandbox.db import get_meta, set_meta, transaction
from camtui.sandbox.shapes import TIME_ZONE

TOKYO = ZoneInfo(TIME_ZONE)
WINDOW_MONTHS = 24
"""Months within this many months of now (either way) are made on demand; farther ones stay empty."""
SCHEME = "months-1"
"""meta `reservations`: how the demo reservations in this database were made (older databases are migrated)."""
MAX_ORGANIZERS = 5000
DAY_START_MIN = 8 * 60
DAY_END_MIN = 21 * 60
MINUTE = 60_000
DAY_MS = 24 * 60 * MINUTE
MAX_LENGTH_MS = DAY_MS
"""No reservation the sandbox makes lasts longer than this; period queries use it to bound the index scan."""
DURATIONS = (30, 60, 60, 60, 90, 120)
GAPS = (0, 0, 30, 60, 90)
OPENINGS = (0, 0, 30, 60, 90)


def ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def month_key(day: date) -> str:
    return f"{day:%Y%m}"


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def in_window(day: date, today: date) -> bool:
    return abs(month_index(day) - month_index(today)) <= WINDOW_MONTHS


def tokyo_date(instant: datetime) -> date:
    return instant.astimezone(TOKYO).date()


def migrate(conn: sqlite3.Connection) -> None:
    """A database from before lazy months held one month made at start-up (ids `rsv-000001`, …): drop those
    demo rows (remade on demand: the same meetings, new ids) and keep the simulation's bookings."""
    if get_meta(conn).get("reservations") == SCHEME:
        return
    with transaction(conn):
        conn.execute("DELETE FROM reservations WHERE origin = 'demo'")
        conn.execute("DELETE FROM reservation_months")
        set_meta(conn, {"reservations": SCHEME})


def ensure_months(conn: sqlite3.Connection, seed: int, months: Sequence[date], now: datetime) -> int:
    """Make those of `months` (first days) that are missing and within the window around `now`; returns how
    many were made. One transaction per month: a month is either complete and recorded, or absent."""
    today = tokyo_date(now)
    wanted = [m for m in dict.fromkeys(months) if in_window(m, today)]
    if not wanted:
        return 0
    made = {
        row[0]
        for row in conn.execute(
            f"SELECT month FROM reservation_months WHERE month IN ({','.join('?' * len(wanted))})",
            [month_key(m) for m in wanted],
        )
    }
    missing = [m for m in wanted if month_key(m) not in made]
    if not missing:
        return 0
    room_ids = [r[0] for r in conn.execute("SELECT id FROM rooms ORDER BY seq")]
    organizers = conn.execute(
        "SELECT name, email FROM users ORDER BY seq LIMIT ?", (MAX_ORGANIZERS,)
    ).fetchall()
    for month in missing:
        rows, rng = month_rows(seed, month, room_ids, organizers)
        live = live_rows(rng, room_ids, organizers, now) if month == today.replace(day=1) else []
        with transaction(conn):
            conn.executemany("INSERT OR IGNORE INTO reservations VALUES (?, ?, ?, ?, ?, ?, ?, 'demo')", rows)
            conn.executemany("INSERT OR IGNORE INTO reservations VALUES (?, ?, ?, ?, ?, ?, ?, 'live')", live)
            conn.execute("INSERT INTO reservation_months VALUES (?, ?)", (month_key(month), len(rows)))
    return len(missing)


def ensure_period(conn: sqlite3.Connection, seed: int, start: datetime, end: datetime, now: datetime) -> int:
    """Make the months that the period [start, end) touches (a `yyyyMMdd` argument: a day or a month)."""
    first = tokyo_date(start).replace(day=1)
    last = tokyo_date(end - timedelta(milliseconds=1)).replace(day=1)
    months = [first]
    while months[-1] < last:
        months.append((months[-1] + timedelta(days=32)).replace(day=1))
    return ensure_months(conn, seed, months, now)


def ensure_current_month(conn: sqlite3.Connection, seed: int, now: datetime) -> int:
    """`now`'s month (Tokyo): what a fresh sandbox shows first, made at start-up."""
    return ensure_months(conn, seed, [tokyo_date(now).replace(day=1)], now)


def month_rows(
    seed: int, month: date, room_ids: Sequence[str], organizers: Sequence[tuple[str, str]]
) -> tuple[list[tuple[Any, ...]], random.Random]:
    """Meetings on every day of `month` between 08:00 and 21:00 Tokyo (few at weekends); some rooms are
    double-booked, which the dashboard highlights. Rows (id, room_id, title, start, end, name, e-mail), and
    the random stream, which the start-up month goes on to draw its live bookings from."""
    key = month_key(month)
    rng = random.Random(f"{seed}:reservations:{key}")
    n_org = len(organizers)
    if not room_ids or not n_org:
        return [], rng
    days = calendar.monthrange(month.year, month.month)[1]
    day_starts = []
    for d in range(days):
        start = datetime(month.year, month.month, d + 1, tzinfo=TOKYO)
        day_starts.append((ms(start), start.weekday() >= 5))
    titles = names.MEETING_TITLES
    random_ = rng.random

    def choice(seq: Sequence[Any]) -> Any:
        return seq[int(random_() * len(seq))]

    rows: list[tuple[Any, ...]] = []
    for room_id in room_ids:
        busy = 0.25 + random_() * 0.55
        for day_ms, weekend in day_starts:
            if weekend and random_() > 0.12:
                continue
            cursor = DAY_START_MIN + choice(OPENINGS)
            while True:
                length = choice(DURATIONS)
                if cursor + length > DAY_END_MIN:
                    break
                if random_() < busy:
                    name, email = organizers[int(random_() * n_org)]
                    start = day_ms + cursor * MINUTE
                    rows.append((room_id, choice(titles), start, start + length * MINUTE, name, email))
                    if random_() < 0.05:
                        extra = start + 30 * MINUTE
                        rows.append((room_id, choice(titles), extra, extra + 60 * MINUTE, name, email))
                cursor += length + choice(GAPS)
    return [(f"rsv-{key}-{n:06d}", *row) for n, row in enumerate(rows, 1)], rng


def live_rows(
    rng: random.Random, room_ids: Sequence[str], organizers: Sequence[tuple[str, str]], now: datetime
) -> list[tuple[Any, ...]]:
    """Meetings in progress at `now` in every fourth of the first 24 rooms: from the half hour before now, for
    90 minutes. Their ids name the half hour, so starting again within it adds nothing."""
    now_ms = ms(now)
    slot = 30 * MINUTE
    start = now_ms - now_ms % slot - slot
    titles = names.MEETING_TITLES
    rows = []
    for i, room_id in enumerate(room_ids[:24]):
        if i % 4 == 0 and organizers:
            name, email = organizers[(i * 7) % len(organizers)]
            title = titles[int(rng.random() * len(titles))]
            rows.append((f"rsv-live-{start}-{room_id}", room_id, title, start, start + 3 * slot, name, email))
    return rows


def add_live_bookings(conn: sqlite3.Connection, seed: int, now: datetime) -> int:
    """At every start-up: a few meetings in progress now, so a demo shows some whatever the hour. (When the
    start-up made the current month, `ensure_months` has added them already and this adds nothing.)"""
    room_ids = [r[0] for r in conn.execute("SELECT id FROM rooms ORDER BY seq LIMIT 24")]
    organizers = conn.execute(
        "SELECT name, email FROM users ORDER BY seq LIMIT ?", (MAX_ORGANIZERS,)
    ).fetchall()
    rows = live_rows(random.Random(f"{seed}:live:{ms(now)}"), room_ids, organizers, now)
    with transaction(conn):
        before = conn.total_changes
        conn.executemany("INSERT OR IGNORE INTO reservations VALUES (?, ?, ?, ?, ?, ?, ?, 'live')", rows)
        return conn.total_changes - before


def in_period(conn: sqlite3.Connection, start_ms: int, end_ms: int) -> list[tuple[Any, ...]]:
    """Reservations overlapping [start_ms, end_ms), by start then id (the index bounds the scan from below
    because nothing lasts longer than MAX_LENGTH_MS)."""
    return conn.execute(
        "SELECT id, room_id, title, start_ms, end_ms, organizer_name, organizer_email FROM reservations"
        " WHERE start_ms >= ? AND start_ms < ? AND end_ms > ? ORDER BY start_ms, id",
        (start_ms - MAX_LENGTH_MS, end_ms, start_ms),
    ).fetchall()
