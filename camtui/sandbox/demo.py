"""Deterministic demo data: the same `seed` and sizes always give the same rooms, people and chat rooms, and
the same calls relative to `now` (reservations: see `reservations`, made a month at a time).

Each section draws from its own random stream (`Random(f"{seed}:users")`, …) so that, say, asking for more
rooms does not reshuffle the people. Generation is written for 100,000 users in well under three seconds:
plain tuples, precomputed choice tables and one `executemany` per table.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from camtui.sandbox import link_cases, names, reservations, world_cache
from camtui.sandbox.db import DATA_TABLES, SCHEMA_VERSION, get_meta, set_meta, transaction
from camtui.sandbox.shapes import TIME_ZONE

UID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
SID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

ORG_DOMAINS: tuple[str, ...] = ("example.co.jp", "xxx.com", "test.com")
"""The organisation's own domains: an unknown recipient there gets 451 (may self-register), elsewhere 452."""

FIXED_USERS: tuple[tuple[str, str, str, str, str, str, bool], ...] = (
    ("11u1pu9d32p8vuvjoZdd", "user1@xxx.com", "山田 太郎", "Taro Yamada", "情報システム部", "部長", True),
    ("1lmn7hoh3s1ja26fsazw", "user2@xxx.com", "佐藤 花子", "Hanako Sato", "総務部", "課長", False),
    ("hhx10sfdv1jyou4la1ny", "user1@test.com", "鈴木 一郎", "Ichiro Suzuki", "営業部", "主任", False),
    ("3400w9rfvs504c35dt99", "user2@test.com", "高橋 美咲", "Misaki Takahashi", "開発部", "一般", False),
    ("309d32p8vuvjo5euuuwx", "admin@example.co.jp", "伊藤 誠", "Makoto Ito", "情報システム部", "課長", True),
)
"""The spec's sample people (their uids are the ones in the spec's updateChatRoom sample) and an admin."""

SECRET_ROOM_ID = "1564831284702237059"
"""The spec's updateChatRoom sample id: a chat room 秘密会議 with exactly that id and those members exists."""

TOKYO = ZoneInfo(TIME_ZONE)

SHORT_CALL_MINUTES = 11
"""The demo call that expires soon: just past the calls pane's 10-minute warning window, so its warning shows
a minute after the demo starts and the call expires ten minutes later."""


def ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def ensure(conn: sqlite3.Connection, *, seed: int, rooms: int, users: int, now: datetime) -> bool:
    """Fill the database unless it already holds this seed and size; returns True when it generated.

    Either way, `now`'s month of reservations exists afterwards (other months are made when first asked for,
    see `reservations`) and a few meetings are in progress at `now`.
    """
    meta = get_meta(conn)
    wanted = _wanted(seed, rooms, users)
    generated = not all(meta.get(k) == v for k, v in wanted.items())
    if generated:
        key = _world_key(seed, rooms, users)
        cacheable = world_cache.worth_caching(rooms, users)
        if cacheable and world_cache.restore(conn, key):
            _add_calls_to_cached_world(conn, seed, now)
        else:
            generate(conn, seed=seed, rooms=rooms, users=users, now=now)
            if cacheable:
                reservations.ensure_current_month(conn, seed, now)
                world_cache.save(conn, key)
    else:
        if meta.get(world_cache.FRESH_COPY_KEY):  # a copy of the cached world (`place_cached_world`)
            _add_calls_to_cached_world(conn, seed, now)
        reservations.migrate(conn)
    reservations.ensure_current_month(conn, seed, now)
    reservations.add_live_bookings(conn, seed, now)
    link_cases.add_link_cases(conn, now)
    return generated


def place_cached_world(path: Path, *, seed: int, rooms: int, users: int) -> bool:
    """Before the database at `path` is first opened: copy the cached world there if there is one for this
    seed and size (a file copy: faster than `ensure`'s restore into an open database, which also leaves the
    whole world in the write-ahead log to checkpoint). True when copied."""
    if not world_cache.worth_caching(rooms, users):
        return False
    return world_cache.copy_to(path, _world_key(seed, rooms, users))


def _wanted(seed: int, rooms: int, users: int) -> dict[str, str]:
    return {"schema": SCHEMA_VERSION, "seed": str(seed), "rooms": str(rooms), "users": str(users)}


def _world_key(seed: int, rooms: int, users: int) -> dict[str, str]:
    """What names a cached world: the data's seed and size, its schema, the reservations' scheme."""
    return {**_wanted(seed, rooms, users), "reservations": reservations.SCHEME}


def _add_calls_to_cached_world(conn: sqlite3.Connection, seed: int, now: datetime) -> None:
    """What depends on the clock, as at a restart: the cached world has no calls."""
    with transaction(conn):
        conn.execute("DELETE FROM calls")
        _insert_calls(conn, seed, now)
        conn.execute("DELETE FROM meta WHERE key = ?", (world_cache.FRESH_COPY_KEY,))


def generate(conn: sqlite3.Connection, *, seed: int, rooms: int, users: int, now: datetime) -> None:
    """Replace every table's content with the demo data for `seed` (reservations: none yet; they are made a
    month at a time on demand, see `reservations`)."""
    with transaction(conn):
        for table in DATA_TABLES:
            conn.execute(f"DELETE FROM {table}")
        conn.execute("DELETE FROM sqlite_sequence WHERE name = 'messages'")
        user_rows = make_users(seed, users)
        conn.executemany("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", user_rows)
        room_rows = make_rooms(seed, rooms)
        conn.executemany("INSERT INTO rooms VALUES (?, ?, ?, ?, ?, ?)", room_rows)
        _insert_chat_rooms(conn, seed, user_rows)
        _insert_calls(conn, seed, now)
        set_meta(
            conn,
            {
                "schema": SCHEMA_VERSION,
                "seed": str(seed),
                "rooms": str(rooms),
                "users": str(users),
                "reservations": reservations.SCHEME,
            },
        )


def make_users(seed: int, count: int) -> list[tuple]:
    """(uid, email, name, romaji, department, position, admin, domain, seq) rows; the fixed people first."""
    rng = random.Random(f"{seed}:users")
    rows: list[tuple] = []
    uids: set[str] = set()
    for seq, (uid, email, name, romaji, dept, pos, admin) in enumerate(FIXED_USERS):
        rows.append((uid, email, name, romaji, dept, pos, int(admin), email.split("@", 1)[1], seq))
        uids.add(uid)
    positions = [p for p, weight in names.POSITIONS for _ in range(weight)]
    domains = ["example.co.jp"] * 18 + ["test.com", "xxx.com"]
    taken: dict[str, int] = {}
    rand = rng.random  # indexing with rand() is ~3x faster than rng.choice, which matters at 100k users

    def pick(seq: Sequence) -> Any:
        return seq[int(rand() * len(seq))]

    alphabet = UID_ALPHABET
    n_alpha = len(alphabet)
    surnames, given, depts = names.SURNAMES, names.GIVEN_NAMES, names.DEPARTMENTS
    for seq in range(len(rows), max(count, len(rows))):
        sur, sur_r = pick(surnames)
        giv, giv_r = pick(given)
        domain = pick(domains)
        base = f"{giv_r.lower()}.{sur_r.lower()}@{domain}"
        n = taken.get(base, 0) + 1
        taken[base] = n
        email = base if n == 1 else base.replace("@", f"{n}@", 1)
        uid = ""
        while not uid or uid in uids:
            uid = "".join([alphabet[int(rand() * n_alpha)] for _ in range(20)])
        uids.add(uid)
        position = pick(positions)
        admin = 1 if position in ("部長", "取締役") and rand() < 0.1 else 0
        rows.append(
            (uid, email, f"{sur} {giv}", f"{giv_r} {sur_r}", pick(depts), position, admin, domain, seq)
        )
    return rows


def make_rooms(seed: int, count: int) -> list[tuple]:
    """(id, seq, name, capacity, location, floor) rows: `room-001`, … with unique names."""
    rng = random.Random(f"{seed}:rooms")
    width = max(3, len(str(count)))
    pool = names.ROOM_NAMES
    rows = []
    for i in range(count):
        base, low, high = pool[i % len(pool)]
        lap = i // len(pool)
        name = base if lap == 0 else f"{base} {lap + 1}"
        building, first, last = rng.choice(names.BUILDINGS)
        floor = rng.randint(first, last)
        rows.append(
            (f"room-{i + 1:0{width}d}", i, name, rng.randint(low, high), f"{building} {floor}F", floor)
        )
    return rows


def _insert_chat_rooms(conn: sqlite3.Connection, seed: int, user_rows: Sequence[tuple]) -> None:
    rng = random.Random(f"{seed}:chatrooms")
    fixed_uids = [u[0] for u in FIXED_USERS]
    owner = fixed_uids[0]
    created = 1564831284702
    rooms: list[tuple[str, str, list[str]]] = [("1564831284702237059", "秘密会議", fixed_uids)]
    others = [u[0] for u in user_rows[len(FIXED_USERS) :]]
    for i, name in enumerate(names.CHAT_ROOMS):
        extra = rng.sample(others, min(len(others), rng.randint(3, 30)))
        rooms.append((f"{created + i + 1}{rng.randint(0, 999999):06d}", name, fixed_uids[:4] + extra))
    for room_id, name, members in rooms:
        conn.execute(
            "INSERT INTO chat_rooms VALUES (?, ?, ?, ?, ?, ?)",
            (room_id, name, owner, owner, 0 if name == "秘密会議" else 1, int(room_id[:13])),
        )
        conn.executemany("INSERT INTO chat_members VALUES (?, ?)", [(room_id, uid) for uid in members])


def new_sid(rng: random.Random) -> str:
    """A quick-call id shaped like the spec's sample (44 letters and digits)."""
    return "".join(rng.choices(SID_ALPHABET, k=44))


def _insert_calls(conn: sqlite3.Connection, seed: int, now: datetime) -> None:
    """A handful of quick calls: live ones, one full, one waiting for its first participant, one expired.

    The full one expires `SHORT_CALL_MINUTES` after `now` with people in it, so a demo shows the "about to
    expire" warning and a real expiry within its first quarter hour; the others expire hours later, so a demo
    stays live for a long session (the simulation never ends a call before its expiry)."""
    rng = random.Random(f"{seed}:calls")
    now_ms = ms(now)
    minute = 60_000
    plans = (  # (started minutes ago, expires in minutes, participants: fraction of capacity, phase)
        (35, 150, 0.5, "live"),
        (12, 180, 0.3, "live"),
        (50, SHORT_CALL_MINUTES, 1.0, "full"),
        (3, 120, 0.0, "waiting"),
        (20, 240, 0.6, "live"),
        (180, -20, 0.0, "expired"),
    )
    for i, (ago, expires, fraction, phase) in enumerate(plans):
        capacity = rng.randint(4, 24)
        conn.execute(
            "INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'demo', ?)",
            (
                new_sid(rng),
                names.CALL_TITLES[i % len(names.CALL_TITLES)],
                "" if i % 2 else "password!",
                f"{rng.randint(0, 999999):06d}",
                now_ms - ago * minute,
                now_ms + expires * minute,
                round(capacity * fraction),
                capacity,
                phase,
            ),
        )


def utc_now() -> datetime:
    return datetime.now(UTC)
