"""The live simulation: people join and leave quick calls over minutes; calls fill up, empty and fill again; a
call expires when the clock passes its `expiredDate` and never earlier; ad-hoc meetings get booked.

One step is meant to be `interval` (2 s) of real time: the rates below are per step, chosen so that a watched
call changes every few polls, fills up over minutes and, once its meeting is over, stays empty for minutes
before someone comes back. Expiry is a fact of the call, not a random event: the simulation never moves
`expired_ms`; it only notices that the clock has passed it.

One step is a pure function of (seed, step number, database, now): each call draws from
`Random(f"{seed}:sim:{n}:{sid}")` (so one call's fate does not depend on which other calls exist) and the
world (new calls, bookings) from `Random(f"{seed}:sim:{n}")`, so `advance_simulation(k)` in a test always
produces the same sequence. The live task just calls `step` every `interval` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections.abc import Callable

from camtui.sandbox import names
from camtui.sandbox.db import transaction
from camtui.sandbox.demo import new_sid
from camtui.sandbox.state import SandboxState

MINUTE = 60_000
TARGET_LIVE_CALLS = 5
"""Unexpired calls the simulation keeps around: when expiry takes one away, a new one starts soon after."""
START_CALL_CHANCE = 1 / 45
"""Per step, while fewer than the target exist: a new call about a minute and a half after one expired."""
NEW_CALL_MINUTES: tuple[int, ...] = (60, 90, 120, 120, 180, 240, 480)
"""How long people make a quick call last: an hour or two mostly, sometimes the rest of the working day."""
CLOSING_MS = 15 * MINUTE
"""A call with people in it in its last quarter hour runs to its expiry (meetings overrun, nobody ends early):
so the calls pane's "about to expire" warning, which needs people in the call, is seen for real."""

# Per-step chances (one step ≈ 2 s).
FIRST_JOIN = 0.12  # waiting → somebody joins: within half a minute or so of creation
CHANGE = 0.15  # live: someone joins or leaves (more join than leave until 60% of capacity, then as many)
WIND_DOWN = 0.003  # live or full → the meeting is over, people leave: after ~11 minutes of meeting on average
MAKE_ROOM = 0.03  # full → someone leaves: a full call stays full for about a minute
LEAVE = 0.2  # ending: the next person leaves (a call empties within a minute)
COME_BACK = 0.012  # empty → someone comes back: after ~3 minutes on average (most calls are in use)

log = logging.getLogger("camtui.sandbox")


def step(state: SandboxState, count: int = 1) -> None:
    for _ in range(count):
        state.simulation_step += 1
        _one_step(state, state.simulation_step)
        state.counters.simulation_steps += 1


def _one_step(state: SandboxState, step_no: int) -> None:
    conn = state.conn
    seed = state.seed
    now = state.now_ms()
    rows = conn.execute(
        "SELECT sid, participants, capacity, phase, expired_ms FROM calls WHERE phase != 'expired' ORDER BY sid"
    ).fetchall()
    updates: list[tuple[int, str, str]] = []  # (participants, phase, sid)
    unexpired = 0
    for sid, participants, capacity, phase, expired in rows:
        if expired <= now:  # the clock passed the call's expiry: over, whoever was still in it
            updates.append((0, "expired", sid))
            continue
        unexpired += 1
        rng = random.Random(f"{seed}:sim:{step_no}:{sid}")
        closing = expired - now <= CLOSING_MS
        new_participants, new_phase = advance_call(rng, participants, capacity, phase, closing=closing)
        if (new_participants, new_phase) != (participants, phase):
            updates.append((new_participants, new_phase, sid))
    world = random.Random(f"{seed}:sim:{step_no}")
    slot = now - now % (30 * MINUTE) + 30 * MINUTE
    with transaction(conn):
        conn.executemany("UPDATE calls SET participants = ?, phase = ? WHERE sid = ?", updates)
        if unexpired < TARGET_LIVE_CALLS and world.random() < START_CALL_CHANCE:
            start_call(conn, random.Random(f"{seed}:sim-call:{now}:{step_no}"), now)
        if world.random() < 0.15:
            _book_meeting(conn, world, now, slot, step_no)


def advance_call(
    rng: random.Random, participants: int, capacity: int, phase: str, *, closing: bool = False
) -> tuple[int, str]:
    """One call's next 2 s: waiting → live ⇄ full → ending → empty → live again (someone comes back) …

    Never "expired": that is decided by the clock alone. `closing` (the call's last quarter hour) keeps a
    meeting with people in it going to the end."""
    roll = rng.random()
    if phase == "waiting" and roll < FIRST_JOIN:
        return min(capacity, rng.randint(1, 2)), "live"
    if phase in ("live", "full") and roll < WIND_DOWN and not closing:
        return participants, "ending"
    if phase == "live" and roll < WIND_DOWN + CHANGE:
        drift = (-1, 1, 1) if participants < capacity * 0.6 else (-1, 1)  # fills up, then hovers
        participants = max(1, min(capacity, participants + rng.choice(drift)))
        return participants, "full" if participants >= capacity else "live"
    if phase == "full" and roll < WIND_DOWN + MAKE_ROOM:
        return max(1, capacity - rng.randint(1, 2)), "live"
    if phase == "ending" and roll < LEAVE:
        participants = max(0, participants - rng.randint(1, 2))
        return participants, "ending" if participants else "empty"
    if phase == "empty" and roll < COME_BACK:
        return min(capacity, rng.randint(1, 3)), "live"
    return participants, phase


def start_call(conn: sqlite3.Connection, rng: random.Random, now: int) -> None:
    """A new call, as someone would make it: expiring an hour or more from now, on a quarter hour."""
    capacity = rng.randint(3, 20)
    quarter = 15 * MINUTE
    expires = -(-(now + rng.choice(NEW_CALL_MINUTES) * MINUTE) // quarter) * quarter
    conn.execute(
        "INSERT OR IGNORE INTO calls VALUES (?, ?, '', ?, ?, ?, 0, ?, 'sim', 'waiting')",
        (
            new_sid(rng),
            rng.choice(names.CALL_TITLES),
            f"{rng.randint(0, 999999):06d}",
            now,
            expires,
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
