"""The live simulation: quick calls start, fill up, empty and expire; ad-hoc meetings get booked.

One step is a pure function of (seed, step number, database, now): `Random(f"{seed}:sim:{n}")` drives it, so
`advance_simulation(k)` in a test always produces the same sequence. The live task just calls `step` every
`interval` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

from camtui.sandbox import names
from camtui.sandbox.db import transaction
from camtui.sandbox.demo import new_sid
from camtui.sandbox.state import SandboxState

MINUTE = 60_000
TARGET_LIVE_CALLS = 5
log = logging.getLogger("camtui.sandbox")


def step(state: SandboxState, count: int = 1) -> None:
    for _ in range(count):
        state.simulation_step += 1
        _one_step(state, random.Random(f"{state.seed}:sim:{state.simulation_step}"))
        state.counters.simulation_steps += 1


def _one_step(state: SandboxState, rng: random.Random) -> None:
    conn = state.conn
    now = state.now_ms()
    rows = conn.execute(
        "SELECT sid, participants, capacity, phase, expired_ms FROM calls WHERE phase != 'expired' ORDER BY sid"
    ).fetchall()
    updates: list[tuple[int, str, int, str]] = []  # (participants, phase, expired_ms, sid)
    live = 0
    for sid, participants, capacity, phase, expired in rows:
        if expired <= now:
            updates.append((0, "expired", expired, sid))
            continue
        participants, phase, expired = _advance_call(rng, participants, capacity, phase, expired, now)
        live += phase != "expired"
        updates.append((participants, phase, expired, sid))
    slot = now - now % (30 * MINUTE) + 30 * MINUTE
    with transaction(conn):
        conn.executemany(
            "UPDATE calls SET participants = ?, phase = ?, expired_ms = ? WHERE sid = ?", updates
        )
        if live < TARGET_LIVE_CALLS and rng.random() < 0.5:
            _start_call(conn, rng, now)
        if rng.random() < 0.15:
            _book_meeting(conn, rng, now, slot, state.simulation_step)


def _advance_call(
    rng: random.Random, participants: int, capacity: int, phase: str, expired: int, now: int
) -> tuple[int, str, int]:
    """One call's life: waiting → live ⇄ full → ending → empty → expired (or someone rejoins)."""
    roll = rng.random()
    if phase == "waiting":
        if roll < 0.35:
            return min(capacity, rng.randint(1, 3)), "live", expired
    elif phase == "live":
        if roll < 0.06:
            return participants, "ending", expired
        participants = max(1, min(capacity, participants + rng.choice((-1, 0, 1, 1, 2, 2, 3))))
        return participants, "full" if participants >= capacity else "live", expired
    elif phase == "full":
        if roll < 0.2:
            return participants, "ending", expired
        if roll < 0.7:
            return capacity, "full", expired
        return max(1, capacity - 1), "live", expired
    elif phase == "ending":
        participants = max(0, participants - rng.randint(1, 3))
        return participants, "ending" if participants else "empty", expired
    elif phase == "empty":
        if roll < 0.4:  # the meeting is over: the call expires now
            return 0, "expired", now - 1
        if roll < 0.5:
            return 1, "live", expired
    return participants, phase, expired


def _start_call(conn, rng: random.Random, now: int) -> None:  # type: ignore[no-untyped-def]
    capacity = rng.randint(3, 20)
    conn.execute(
        "INSERT INTO calls VALUES (?, ?, '', ?, ?, ?, 0, ?, 'sim', 'waiting')",
        (
            new_sid(rng),
            rng.choice(names.CALL_TITLES),
            f"{rng.randint(0, 999999):06d}",
            now,
            now + rng.choice((30, 45, 60, 90, 120)) * MINUTE,
            capacity,
        ),
    )


def _book_meeting(conn, rng: random.Random, now: int, start: int, step_no: int) -> None:  # type: ignore[no-untyped-def]
    """An ad-hoc meeting from the next half hour in a random room (it may overlap: people do double-book).
    At most `ad_hoc_cap` per half hour, or a long run would bury the next slot under them. The id names the
    moment and the step, so a restarted simulation (its steps counting from 1 again) never collides."""
    rooms = conn.execute("SELECT id FROM rooms ORDER BY seq LIMIT 200").fetchall()
    user = conn.execute("SELECT name, email FROM users ORDER BY seq LIMIT 1 OFFSET ?", (rng.randint(0, 50),))
    organizer = user.fetchone()
    if not rooms or organizer is None:
        return
    room_id = rng.choice(rooms)[0]
    title = rng.choice(("臨時打ち合わせ", "Quick sync", "緊急対応", "面談"))
    end = start + rng.choice((30, 60)) * MINUTE
    taken = conn.execute(
        "SELECT COUNT(*) FROM reservations WHERE start_ms = ? AND origin = 'sim'", (start,)
    ).fetchone()[0]
    if taken >= ad_hoc_cap(len(rooms)):
        return
    conn.execute(
        "INSERT OR IGNORE INTO reservations VALUES (?, ?, ?, ?, ?, ?, ?, 'sim')",
        (f"rsv-sim-{now}-{step_no}", room_id, title, start, end, organizer[0], organizer[1]),
    )


def ad_hoc_cap(rooms: int) -> int:
    """Ad-hoc bookings per half hour: one per eight rooms, at least two."""
    return max(2, rooms // 8)


async def run_forever(state: SandboxState, sleep: Callable[[float], object] = asyncio.sleep) -> None:
    """The live task: one step every `state.simulation_interval` seconds until cancelled."""
    while True:
        await sleep(state.simulation_interval)  # type: ignore[misc]
        try:
            step(state)
        except Exception:  # a simulation hiccup must never take the server down
            log.exception("simulation step failed")
