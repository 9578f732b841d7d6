"""The engine's per-round work, kept apart from its state machine: folding a poll into a call's track, each
rule's value per subject (True / False / None = unknown), the firing's template values and actions, and the
rule views. No Textual."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from camtui.alerts.conditions import call_clause, describe
from camtui.alerts.links import CallLink, next_start, room_mark, running
from camtui.alerts.model import ActionPlan, CallSeen, CallTrack, Firing, RuleState, RuleView
from camtui.alerts.rules import AlertRule, SendSpec
from camtui.alerts.templates import render
from camtui.api.models import ConferenceRoom, Reservation
from camtui.common.call_refs import share_url_for

AlertEngine = Any
"""`camtui.alerts.engine.AlertEngine` (not imported: the engine imports this module)."""

HISTORY = timedelta(minutes=30)


def fold_call(track: CallTrack, seen: CallSeen, at: datetime) -> bool:
    """One poll of one call into its track (a failed poll keeps the last good data, marked failed). True when
    what the rules see changed (new data, or known ↔ unknown)."""
    track.seen = seen
    if seen.participants is None:
        changed = not track.failed
        track.failed = True
        return changed
    prev = track.good
    if prev is not None and (not seen.title or not seen.url or seen.expires is None):
        seen = CallSeen(
            seen.sid,
            seen.title or prev.title,
            seen.url or prev.url,
            seen.participants,
            seen.in_progress,
            seen.expires or prev.expires,
            seen.error_code,
        )
    changed = track.failed or prev != seen
    track.failed = False
    track.good, track.good_at = seen, at
    if prev is None or (prev.participants == 0) != (seen.participants == 0):
        track.since = at
    history = track.history
    if not history or history[-1][1] != seen.participants:  # change points only
        history.append((at, seen.participants or 0))
        limit = at - HISTORY
        while len(history) > 1 and history[1][0] < limit:
            history.popleft()
    if changed:
        track.version += 1
    return changed


class RoundContext:
    """What one `evaluate(now)` shares between rules: fresh-or-not, rooms by id and name, links, room facts."""

    def __init__(self, engine: AlertEngine, now: datetime) -> None:
        self.engine = engine
        self.now = now
        self.rooms_fresh = (
            engine.rooms_at is not None
            and not engine.rooms_failed
            and now - engine.rooms_at <= engine.room_stale_after
        )
        self._by_room: dict[str, list[CallLink]] | None = None
        self._fresh: dict[str, CallSeen | None] = {}
        self._by_key: dict[str, ConferenceRoom] | None = None
        self._zone = ZoneInfo(engine.time_zone)

    def call(self, sid: str) -> CallSeen | None:
        """The call's fresh data, or None when unknown (never polled, last poll failed, or too old).

        An expired call is final, never stale: nothing about it can change."""
        cache = self._fresh
        if sid in cache:
            return cache[sid]
        seen = cache[sid] = self._call(sid)
        return seen

    def _call(self, sid: str) -> CallSeen | None:
        track = self.engine.calls.get(sid)
        if track is None or track.good is None or track.good_at is None:
            return None
        good = track.good
        if good.expires is not None and good.expires <= self.now:
            return CallSeen(good.sid, good.title, good.url, 0, False, good.expires)
        if track.failed or self.now - track.good_at > self.engine.call_stale_after:
            return None
        return good

    @property
    def links(self) -> dict[str, CallLink]:
        return self.engine.cached_links(self.now)

    def room_links(self, room_id: str) -> list[CallLink]:
        if self._by_room is None:
            self._by_room = {}
            for link in self.links.values():
                self._by_room.setdefault(link.room_id, []).append(link)
        return self._by_room.get(room_id, [])

    def rooms_for(self, rule: AlertRule) -> list[tuple[str, ConferenceRoom | None]]:
        rooms = self.engine.rooms
        if rule.rooms is None:
            return [(r.id, r) for r in rooms]
        if self._by_key is None:
            self._by_key = {}
            for r in rooms:
                self._by_key.setdefault(r.name, r)
                self._by_key[r.id] = r
        out: list[tuple[str, ConferenceRoom | None]] = []
        for key in rule.rooms:
            room = self._by_key.get(key)
            out.append((room.id if room else key, room))
        return out

    def room(self, room_id: str) -> ConferenceRoom | None:
        return self.engine.room_by_id().get(room_id)

    def facts(self, room_id: str) -> RoomFacts | None:
        return self.engine.room_facts.get(room_id)

    def fmt(self, when: datetime | None) -> str:
        return "" if when is None else when.astimezone(self._zone).strftime("%Y-%m-%d %H:%M")


def subjects(ctx: RoundContext, rule: AlertRule) -> list[str]:
    """Every subject the rule watches now."""
    if rule.scope == "call":
        sids = rule.calls if rule.calls is not None else ctx.engine.calls.keys()
        return [f"call:{sid}" for sid in sids]
    if rule.scope == "room":
        return [f"room:{room_id}" for room_id, _room in ctx.rooms_for(rule)]
    return ["server"]


def value_of(ctx: RoundContext, rule: AlertRule, subject: str) -> tuple[bool | None, datetime | None]:
    """The rule's value for one subject (None: unknown), and when it could change with no new data (None:
    only new data changes it)."""
    kind, _, key = subject.partition(":")
    if kind == "call":
        return call_value(ctx, rule, key)
    if kind == "room":
        if not ctx.rooms_fresh:
            return None, None
        return room_value(ctx, rule, key)
    return server_value(ctx, rule), None


def call_value(ctx: RoundContext, rule: AlertRule, sid: str) -> tuple[bool | None, datetime | None]:
    seen = ctx.call(sid)
    if seen is None:
        return None, None
    now = ctx.now
    history = ctx.engine.calls[sid].history
    p, live, expires = seen.participants or 0, bool(seen.in_progress), seen.expires
    value = True
    recheck = expires if expires is not None and expires > now else None  # then it reads 0, not in progress
    for c in rule.condition.clauses:
        if c.kind in ("expires_within", "expired") and expires is not None:
            for edge in (expires - c.span, expires):
                if edge > now and (recheck is None or edge < recheck):
                    recheck = edge
        elif c.kind == "dropped" and history:
            start = now - c.span  # the window forgets a change point when the next one leaves its start
            first = next((at for at, _n in history if at > start), None)
            edge = None if first is None else first + c.span
            if edge is not None and edge > now and (recheck is None or edge < recheck):
                recheck = edge
        if value and not call_clause(c, now, p, live, expires, history):
            value = False
    return value, recheck


def room_value(ctx: RoundContext, rule: AlertRule, room_id: str) -> tuple[bool | None, datetime | None]:
    facts = ctx.facts(room_id)
    if facts is None:
        return None, None
    now = ctx.now
    result: bool | None = True
    recheck = facts.running.end if facts.running is not None else None
    if facts.next is not None and (recheck is None or facts.next.start < recheck):
        recheck = facts.next.start
    for c in rule.condition.clauses:
        kind = c.kind
        if kind == "free" or kind == "busy":
            ok = (facts.running is None) == (kind == "free")
        elif kind == "starts_in":
            ok = facts.next is not None and facts.next.start - now <= c.span
            if facts.next is not None and not ok:
                edge = facts.next.start - c.span
                recheck = edge if recheck is None or edge < recheck else recheck
        elif facts.unknown:
            result = None
            continue
        else:
            ok = facts.mark == kind
        if not ok:
            return False, recheck
    return result, recheck


def server_value(ctx: RoundContext, rule: AlertRule) -> bool | None:
    outcome = ctx.engine.server_outcome
    if outcome is None:
        return None
    for c in rule.condition.clauses:
        ok = outcome == "unreachable" if c.kind == "unreachable" else outcome in c.codes
        if not ok:
            return False
    return True


class RoomFacts(NamedTuple):
    """What every room rule needs about one room this round (computed once per room per round)."""

    running: Reservation | None
    next: Reservation | None
    mark: str | None
    """"ghost" / "squatter" right now (no grace time), or None."""
    unknown: bool
    """It has linked calls and none of them is known fresh: ghost / squatter cannot be decided."""


def room_facts(ctx: RoundContext, room: ConferenceRoom) -> RoomFacts:
    now = ctx.now
    booked, upcoming = running(room, now), next_start(room, now)
    links = ctx.room_links(room.id)
    if not links:
        return RoomFacts(booked, upcoming, None, False)
    known = [(seen, k) for k in links if (seen := ctx.call(k.sid)) is not None]
    if not known:
        return RoomFacts(booked, upcoming, None, True)
    mark = room_mark(now, room, known, {}, timedelta())
    return RoomFacts(booked, upcoming, mark.kind if mark else None, False)


# ------------------------------------------------------------------------------------------ firings


def template_values(ctx: RoundContext, rule: AlertRule, subject: str) -> dict[str, str]:
    """The template values a firing of `rule` needs (`rule.names`; all when None), and always `label`."""
    wanted = ctx.engine.wanted.get(rule.name) or wanted_groups(rule)

    def want(prefix: str) -> bool:
        return wanted[prefix]

    e = ctx.engine
    out = {"rule": rule.name, "server.url": e.server_url, "server.error": ""}
    if want("now"):
        out["now"] = ctx.fmt(ctx.now)
    if e.server_outcome not in (None, "ok"):
        out["server.error"] = str(e.server_outcome)
    kind, _, key = subject.partition(":")
    sid = key if kind == "call" else ""
    room: ConferenceRoom | None = None
    if kind == "room":
        room = ctx.room(key)
        out["label"] = f"room {room.name if room else key}"
        links = ctx.room_links(key)
        sid = next(
            (k.sid for k in links if (ctx.call(k.sid) or CallSeen("")).known), links[0].sid if links else ""
        )
    rooms_wanted = want("room.") or want("reservation.")
    if sid and (kind == "call" or want("call.")):
        out.update(call_values(ctx, rule, sid, with_expiry=want("call.expires")))
        link = ctx.links.get(sid) if rooms_wanted else None
        if room is None and link is not None:
            room = ctx.room(link.room_id)
        reservation = link.reservation if link is not None else None
        if reservation is not None and (room is None or reservation.room_id == room.id):
            out.update(_reservation(ctx, reservation))
    if room is not None and rooms_wanted:
        out["room.name"], out["room.id"] = room.name, room.id
        booked = running(room, ctx.now)
        if booked is not None:
            out.update(_reservation(ctx, booked))
    if kind == "call":
        out["label"] = f"call {out.get('call.title') or key[:8]} ({key[:8]}…)"
    elif kind == "server":
        out["label"] = f"server {e.server_url or ''}".strip()
    return out


_PREFIXES = ("now", "call.", "call.expires", "room.", "reservation.")


def wanted_groups(rule: AlertRule) -> dict[str, bool]:
    """Which groups of template values the rule's texts use (the engine keeps one per rule)."""
    names = rule.names
    return {p: names is None or any(n.startswith(p) for n in names) for p in _PREFIXES}


def call_values(ctx: RoundContext, rule: AlertRule, sid: str, *, with_expiry: bool = True) -> dict[str, str]:
    track = ctx.engine.calls.get(sid)
    seen = track.good if track is not None and track.good is not None else CallSeen(sid)
    url = seen.url or (rule.call_urls or {}).get(sid, "")
    if not url and ctx.engine.server_url:
        url = share_url_for(ctx.engine.server_url, sid)
    return {
        "call.sid": sid,
        "call.title": seen.title or sid[:8],
        "call.participants": "" if seen.participants is None else str(seen.participants),
        "call.url": url,
        "call.expires": ctx.fmt(seen.expires) if with_expiry else "",
    }


def _reservation(ctx: RoundContext, r: Reservation) -> dict[str, str]:
    return {
        "reservation.title": r.title,
        "reservation.start": ctx.fmt(r.start),
        "reservation.end": ctx.fmt(r.end),
        "reservation.organizer": r.organizer_email,
    }


def make_firing(ctx: RoundContext, rule: AlertRule, subject: str, now: datetime, since: datetime) -> Firing:
    values_ = template_values(ctx, rule, subject)
    actions: list[ActionPlan] = []
    if rule.toast is not None:
        actions.append(ActionPlan("toast", render(rule.toast, values_)))
    for s in rule.sends:
        actions.append(ActionPlan("send", render(s.text, values_), s.send, _to(s, values_), s.seal))
    if rule.successor is not None:
        succ = rule.successor
        actions.append(
            ActionPlan(
                "successor",
                title=render(succ.title, values_),
                password=succ.password,
                expires_in_s=succ.expires_in.total_seconds(),
            )
        )
        for s in succ.sends:  # filled once the successor exists ({successor.url})
            actions.append(ActionPlan("successor_send", s.text, s.send, _to(s, values_), s.seal))
    return Firing(
        rule.name, subject, values_.get("label", subject), now, reason_of(rule), tuple(actions), values_
    )


def _to(spec: SendSpec, values: dict[str, str]) -> tuple[str, ...]:
    """The send's recipients: its users, and the linked reservation's organizer when asked (if there is one)."""
    organizer = values.get("reservation.organizer", "") if spec.organizer else ""
    if organizer and organizer.lower() not in (u.lower() for u in spec.users):
        return (*spec.users, organizer)
    return spec.users


def reason_of(rule: AlertRule) -> str:
    """The condition in words, as a firing states it ("participants == 0 for 60s")."""
    reason = " and ".join(describe(c) for c in rule.condition.clauses)
    return f"{reason} for {int(rule.for_s)}s" if rule.for_s else reason


# ------------------------------------------------------------------------------------------ views

_RANK: dict[str, int] = {"armed": 0, "stale": 1, "pending": 2, "fired": 3}


def rule_view(engine: AlertEngine, rule: AlertRule, now: datetime, firings: int) -> RuleView:
    slots = list(engine.rule_slots.get(rule.name, {}).items())
    state: RuleState = "armed"
    pending_s: float | None = None
    fired_at: datetime | None = None
    stale_reason: str | None = None
    active = 0
    for _subject, slot in slots:
        if slot.fired_at is not None and (fired_at is None or slot.fired_at > fired_at):
            fired_at = slot.fired_at
        current = "stale" if slot.stale and slot.status != "fired" else slot.status
        if slot.status == "fired":
            active += 1
        if slot.status == "pending" and slot.since is not None and not slot.stale:
            held = (now - slot.since).total_seconds()
            pending_s = held if pending_s is None else max(pending_s, held)
        if slot.stale and stale_reason is None:
            stale_reason = "the last poll failed or is too old: not firing, not clearing"
        if _RANK[current] > _RANK[state]:
            state = current  # type: ignore[assignment]
    if not slots:
        state, stale_reason = "stale", "waiting for the first poll"
    if rule.scope == "room" and rule.rooms is not None and engine.rooms:
        by_id = engine.room_by_id()
        names = {r.name for r in engine.rooms}
        missing = [k for k in rule.rooms if k not in by_id and k not in names]
        if missing:
            state, stale_reason = (
                "stale",
                f"no room {missing[0]!r} in the last rooms poll (check its id or name)",
            )
    silenced = engine.silenced(rule.name, now)
    until = None
    if silenced is not None:
        state, until = silenced
    return RuleView(
        name=rule.name,
        condition=rule.condition.text,
        target=rule.target,
        state=state,
        pending_s=pending_s if state == "pending" else None,
        for_s=rule.for_s,
        fired_at=fired_at,
        snoozed_until=until,
        stale_reason=stale_reason if state == "stale" else None,
        active=active,
        firings=tuple(engine.history(rule.name, firings)),
        line=rule.line,
    )


__all__ = [
    "HISTORY",
    "RoomFacts",
    "RoundContext",
    "fold_call",
    "make_firing",
    "rule_view",
    "subjects",
    "value_of",
]
