"""Which (rule, subject) pairs a round must look at: 200 rules over 2,000 calls and 1,000 rooms is 400,000 pairs,
but a pair's state changes only when its data changes or at a known instant: a call's expiry, a booking's start or
end, a `dropped … within` window's edge, the end of a pending episode's `for`, cool-down or snooze. Each pair is
booked for its next such instant; everything else keeps its state, so it is skipped. The result is the same as
evaluating every pair every round (tests/alerts/test_schedule.py).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import datetime

from camtui.alerts.evaluate import RoomFacts, RoundContext, room_facts, subjects
from camtui.alerts.rules import AlertRule


class Scheduler:
    def __init__(self) -> None:
        self.due: dict[str, list[tuple[datetime, str]]] = {}
        """rule → heap of (when its value may change without new data, subject); an entry counts only while
        `next_check` holds the same instant (one live entry per pair, however often it is re-evaluated)."""
        self.next_check: dict[tuple[str, str], datetime] = {}
        self.full: set[str] = set()
        """Rules to evaluate on every subject next round (new rules, rooms fresh ↔ stale, links changed)."""
        self.dirty_calls: set[str] = set()
        self.dirty_rooms: set[str] = set()
        self.facts: dict[str, RoomFacts] = {}
        self.rooms_fresh: bool | None = None
        self._dirty_subjects: set[str] | None = None
        self.fresh_calls: dict[str, datetime] = {}
        """sid → the instant its data goes stale without a new poll."""
        self._facts_for = -1
        """The engine's rooms_version the room facts were computed for."""
        self._next_edge: datetime | None = None
        """The first instant a booking starts or ends after the last full computation of the facts."""

    def everything(self, rules: Iterable[AlertRule]) -> None:
        self.full.update(r.name for r in rules)

    def begin(self, ctx: RoundContext, rules: Iterable[AlertRule]) -> None:
        """Before a round: calls that went stale by age, room facts that changed, rooms fresh ↔ stale."""
        now = ctx.now
        for sid, until in list(self.fresh_calls.items()):
            if until < now:
                self.dirty_calls.add(sid)
                del self.fresh_calls[sid]
        if ctx.rooms_fresh != self.rooms_fresh:
            self.rooms_fresh = ctx.rooms_fresh
            self.full.update(r.name for r in rules if r.scope == "room")
        if not ctx.rooms_fresh:
            return
        engine = ctx.engine
        if self._facts_for == engine.rooms_version and self._next_edge is not None and now < self._next_edge:
            # nothing booked has started or ended: only rooms linked to a changed call can change
            links = ctx.links
            by_id = engine.room_by_id()
            for sid in self.dirty_calls:
                link = links.get(sid)
                room = by_id.get(link.room_id) if link is not None else None
                if room is not None:
                    f = room_facts(ctx, room)
                    if self.facts.get(room.id) != f:
                        self.facts[room.id] = f
                        self.dirty_rooms.add(room.id)
            engine.room_facts = self.facts
            return
        engine._links_cache = None  # a booking started or ended: which one a call belongs to may differ now
        facts: dict[str, RoomFacts] = {}
        old = self.facts
        edge: datetime | None = None
        for room in engine.rooms:
            f = facts[room.id] = room_facts(ctx, room)
            if old.get(room.id) != f:
                self.dirty_rooms.add(room.id)
            for t in (f.running.end if f.running else None, f.next.start if f.next else None):
                if t is not None and (edge is None or t < edge):
                    edge = t
        self.facts = facts
        self._facts_for, self._next_edge = engine.rooms_version, edge
        engine.room_facts = facts

    def candidates(self, ctx: RoundContext, rule: AlertRule) -> tuple[set[str], set[str]]:
        """(due, dirty): the subjects the rule must decide (booked for now, or all of them), and those whose
        data changed (to decide only if their value changed)."""
        name = rule.name
        if name in self.full or rule.scope == "server" or (rule.scope == "call" and rule.calls is not None):
            self.full.discard(name)
            return set(subjects(ctx, rule)), set()
        due: set[str] = set()
        heap = self.due.get(name)
        booked = self.next_check
        while heap and heap[0][0] <= ctx.now:
            when, subject = heapq.heappop(heap)
            if booked.get((name, subject)) == when:  # else superseded by a later booking
                del booked[(name, subject)]
                due.add(subject)
        if rule.scope == "call":
            if self._dirty_subjects is None:
                tracked = ctx.engine.calls
                self._dirty_subjects = {f"call:{sid}" for sid in self.dirty_calls if sid in tracked}
            return due, self._dirty_subjects
        wanted = None if rule.rooms is None else {k for k, _r in ctx.rooms_for(rule)}
        return due, {f"room:{r}" for r in self.dirty_rooms if wanted is None or r in wanted}

    def book(self, key: tuple[str, str], when: datetime) -> None:
        """Look at (rule, subject) again at `when` (the one booking that counts for it)."""
        self.next_check[key] = when
        heapq.heappush(self.due.setdefault(key[0], []), (when, key[1]))

    def end(self, ctx: RoundContext) -> None:
        self.dirty_calls.clear()
        self._dirty_subjects = None
        self.dirty_rooms.clear()

    def call_changed(self, sid: str, fresh_until: datetime | None) -> None:
        self.dirty_calls.add(sid)
        if fresh_until is None:
            self.fresh_calls.pop(sid, None)
        else:
            self.fresh_calls[sid] = fresh_until
