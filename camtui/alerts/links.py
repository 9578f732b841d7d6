"""Which call belongs to which meeting room, and the rooms whose booking and call disagree (ghost, squatter).

A call is linked to a room when one of the room's reservations carries the call's share URL or id in its text
(the title, the only text a reservation has in the API), or when the user linked them (`l` in the calls pane,
stored in `Store.call_links`; a stored link wins). Pure functions over the API's models: no Textual, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from camtui.alerts.model import CallSeen, RoomMark
from camtui.api.models import ConferenceRoom, Reservation

_TOKEN = re.compile(r"[A-Za-z0-9_\-]{4,128}")
GHOST_AFTER = timedelta(minutes=5)
"""The grid marks a ghost meeting once the reservation has run this long with its call empty every time it was
polled (people join late); rules choose their own `for`."""


@dataclass(frozen=True, slots=True)
class CallLink:
    sid: str
    room_id: str
    reservation: Reservation | None
    """The reservation that carries the call (the running one if any, else the nearest); None: a stored link
    and no reservation of that room carries it."""
    stored: bool


def carried_sids(text: str, sids: Collection[str]) -> list[str]:
    """The known call ids that `text` carries, as an id or inside a share URL (`…/share/{sid}`)."""
    return [t for t in _TOKEN.findall(text) if t in sids]


def running(room: ConferenceRoom, now: datetime) -> Reservation | None:
    """The reservation running at `now` (the earliest-starting one when double-booked)."""
    best: Reservation | None = None
    for r in room.reservations:
        if r.start <= now < r.end and (best is None or r.start < best.start):
            best = r
    return best


def next_start(room: ConferenceRoom, now: datetime) -> Reservation | None:
    best: Reservation | None = None
    for r in room.reservations:
        if r.start > now and (best is None or r.start < best.start):
            best = r
    return best


def link_calls(
    now: datetime, rooms: Sequence[ConferenceRoom], sids: Collection[str], stored: Mapping[str, str]
) -> dict[str, CallLink]:
    """sid → its room, for every call in `sids` that has one."""
    wanted = sids if isinstance(sids, (set, frozenset, dict)) else set(sids)
    found: dict[str, tuple[ConferenceRoom, Reservation]] = {}
    for room in rooms:
        for r in room.reservations:
            for sid in carried_sids(r.title, wanted):
                prev = found.get(sid)
                if prev is None or _closer(r, prev[1], now):
                    found[sid] = (room, r)
    by_id = {room.id: room for room in rooms} if stored else {}
    out: dict[str, CallLink] = {}
    for sid in wanted:
        room_id = stored.get(sid)
        if room_id is not None:
            hit = found.get(sid)
            reservation = hit[1] if hit and hit[0].id == room_id else None
            if reservation is None and room_id in by_id:
                reservation = running(by_id[room_id], now)
            out[sid] = CallLink(sid, room_id, reservation, True)
        elif sid in found:
            room, r = found[sid]
            out[sid] = CallLink(sid, room.id, r, False)
    return out


def _closer(a: Reservation, b: Reservation, now: datetime) -> bool:
    """Whether `a` is a better match than `b`: a running one first, else the one nearer to `now`."""
    a_run, b_run = a.start <= now < a.end, b.start <= now < b.end
    if a_run != b_run:
        return a_run
    return _distance(a, now) < _distance(b, now)


def _distance(r: Reservation, now: datetime) -> timedelta:
    if r.end <= now:
        return now - r.end
    return max(r.start - now, timedelta())


def classify_rooms(
    now: datetime,
    rooms: Sequence[ConferenceRoom],
    calls: Mapping[str, CallSeen],
    links: Mapping[str, str],
    *,
    since: Mapping[str, datetime] | None = None,
    ghost_after: timedelta = GHOST_AFTER,
    zone: tzinfo | None = None,
) -> dict[str, RoomMark]:
    """room id → its mark, for rooms that are a ghost meeting or have a squatter.

    `calls`: the watched calls as last polled (unknown ones, `participants=None`, never make a mark); `links`: the
    stored links (sid → room id); `since`: sid → since when the call has been in its current state (empty or in
    progress), from the engine's history (a call without one counts from `now`). A ghost needs the reservation
    to have run `ghost_after` with its call empty."""
    since = since or {}
    linked = link_calls(now, rooms, calls.keys(), links)
    by_room: dict[str, list[CallLink]] = {}
    for link in linked.values():
        by_room.setdefault(link.room_id, []).append(link)
    marks: dict[str, RoomMark] = {}
    for room in rooms:
        room_links = by_room.get(room.id)
        if not room_links:
            continue
        mark = room_mark(now, room, [(calls[k.sid], k) for k in room_links], since, ghost_after, zone)
        if mark is not None:
            marks[room.id] = mark
    return marks


def room_mark(
    now: datetime,
    room: ConferenceRoom,
    linked: Sequence[tuple[CallSeen, CallLink]],
    since: Mapping[str, datetime],
    ghost_after: timedelta = GHOST_AFTER,
    zone: tzinfo | None = None,
) -> RoomMark | None:
    """One room's mark from its linked calls (see `classify_rooms`); `ghost_after=0` gives the instant state."""
    known = [(c, k) for c, k in linked if c.known]
    if not known:
        return None
    booked = running(room, now)
    if booked is None:
        for call, _link in known:
            if call.in_progress and (call.participants or 0) > 0:
                start = since.get(call.sid, now)
                who = f"{call.participants} in it"
                return RoomMark(
                    "squatter",
                    room.id,
                    call.sid,
                    None,
                    start,
                    f"call {call.title or call.sid[:8]} is in progress ({who}) but {room.name} has no reservation now",
                )
        return None
    mine = [(c, k) for c, k in known if k.stored or carried_sids(booked.title, (c.sid,))]
    if not mine or any((c.participants or 0) > 0 for c, _k in mine):
        return None
    if now - booked.start < ghost_after:
        return None  # people join late: no mark in a meeting's first minutes
    call = mine[0][0]
    empty_since = max(since.get(call.sid, now), booked.start)
    return RoomMark(
        "ghost",
        room.id,
        call.sid,
        booked.title,
        empty_since,
        f"{booked.title or 'a reservation'} is running but its call {call.title or call.sid[:8]} has had nobody "
        f"in it since {empty_since.astimezone(zone).strftime('%H:%M')}",
    )
