"""Which (rule, subject) pairs a round must look at: 200 rules over 2,000 calls and 1,000 rooms is 400,000 pairs,
but a pair's value changes only when its data changes, when it is pending (its `for` or cool-down runs), or at a
known instant (a call's expiry, a booking's start or end, a `dropped … within` window). Everything else keeps the
value it had, so it is skipped; the result is the same as evaluating every pair (tests/alerts/test_schedule.py).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import datetime

from camtui.alerts.evaluate import RoomFacts, RoundContext, room_facts, subjects
from camtui.alerts.rules import AlertRule


class Scheduler:
    def __init__(self) -> None:
        self.pending: dict[str, set[str]] = {}
        """rule → subjects whose slot is pending (looked at every round)."""
        self.due: dict[str, list[tuple[datetime, str]]] = {}
        """rule → heap of (when its value may change without new data, subject)."""
        self.full: set[str] = set()
        """Rules to evaluate on every subject next round (new rules, rooms fresh ↔ stale, links changed)."""
        self.dirty_calls: set[str] = set()
        self.dirty_rooms: set[str] = set()
        self.facts: dict[str, RoomFacts] = {}
        self.rooms_fresh: bool | None = None
        self.fresh_calls: dict[str, datetime] = {}
        """sid → the instant its data goes stale without a new poll."""

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
        facts: dict[str, RoomFacts] = {}
        old = self.facts
        for room in ctx.engine.rooms:
            f = facts[room.id] = room_facts(ctx, room)
            prev = old.get(room.id)
            if prev is None or prev != f:
                self.dirty_rooms.add(room.id)
        self.facts = facts
        ctx.engine.room_facts = facts

    def candidates(self, ctx: RoundContext, rule: AlertRule) -> Iterable[str]:
        name = rule.name
        if name in self.full or rule.scope == "server" or (rule.scope == "call" and rule.calls is not None):
            self.full.discard(name)
            return subjects(ctx, rule)
        picked: set[str] = set(self.pending.get(name, ()))
        heap = self.due.get(name)
        while heap and heap[0][0] <= ctx.now:
            picked.add(heapq.heappop(heap)[1])
        if rule.scope == "call":
            tracked = ctx.engine.calls
            picked.update(f"call:{sid}" for sid in self.dirty_calls if sid in tracked)
        else:
            wanted = None if rule.rooms is None else {k for k, _r in ctx.rooms_for(rule)}
            picked.update(f"room:{r}" for r in self.dirty_rooms if wanted is None or r in wanted)
        return picked

    def after(self, rule: AlertRule, subject: str, status: str, recheck: datetime | None) -> None:
        name = rule.name
        if status == "pending":
            self.pending.setdefault(name, set()).add(subject)
        else:
            held = self.pending.get(name)
            if held:
                held.discard(subject)
        if recheck is not None:
            heapq.heappush(self.due.setdefault(name, []), (recheck, subject))

    def end(self, ctx: RoundContext) -> None:
        self.dirty_calls.clear()
        self.dirty_rooms.clear()

    def call_changed(self, sid: str, fresh_until: datetime | None) -> None:
        self.dirty_calls.add(sid)
        if fresh_until is None:
            self.fresh_calls.pop(sid, None)
        else:
            self.fresh_calls[sid] = fresh_until
