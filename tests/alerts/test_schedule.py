"""Skipping unchanged (rule, subject) pairs gives exactly the firings of evaluating every pair every round."""

from __future__ import annotations

import random
from datetime import timedelta

from camtui.alerts.engine import AlertEngine
from camtui.alerts.model import CallSeen
from camtui.store import Store
from tests.alerts.helpers import T0, room, rules

RULES = """
[[alerts]]
name = "one empty"
call = "call0000xx"
when = "participants == 0"

[[alerts]]
name = "one dropped"
call = ["call0001xx", "call0002xx"]
when = "participants dropped by 2 within 1m"
[[alerts]]
name = "empty"
calls = "watched"
when = "participants == 0"
for = "20s"

[[alerts]]
name = "dropped"
calls = "watched"
when = "participants dropped by 2 within 1m"

[[alerts]]
name = "guard"
calls = "watched"
when = "expires_within 5m and participants > 0"
cooldown = "2m"

[[alerts]]
name = "ended"
calls = "watched"
when = "ended"
for = "15s"
cooldown = "1m"

[[alerts]]
name = "busy"
rooms = "all"
when = "busy"

[[alerts]]
name = "soon"
rooms = "all"
when = "reservation starts_in 10m"

[[alerts]]
name = "ghost"
rooms = "all"
when = "ghost"
for = "1m"

[[alerts]]
name = "squatter"
rooms = "all"
when = "squatter"
"""


def scenario(seed: int) -> tuple[list[list[tuple[str, str]]], list[list[tuple[str, str]]]]:
    rng = random.Random(seed)
    sids = [f"call{i:04d}xx" for i in range(30)]
    expires = {s: T0 + timedelta(minutes=rng.randint(3, 40)) for s in sids}
    bookings = []
    for r in range(8):
        start = T0 + timedelta(minutes=rng.randint(-30, 30))
        title = f"会議 https://x/share/{sids[r]}" if r < 5 else "会議"
        bookings.append(
            room(f"r{r}", f"室{r}", (title, start, start + timedelta(minutes=rng.randint(10, 40))))
        )
    counts = {s: rng.randint(0, 4) for s in sids}
    smart = AlertEngine(rules(RULES), Store.open(":memory:"))
    naive = AlertEngine(rules(RULES), Store.open(":memory:"))
    out_smart: list[list[tuple[str, str]]] = []
    out_naive: list[list[tuple[str, str]]] = []
    now = T0
    for n in range(240):
        now += timedelta(seconds=5)
        for s in rng.sample(sids, 4):
            counts[s] = max(0, counts[s] + rng.choice((-2, -1, 1)))
        failed = set(rng.sample(sids, 2)) if n % 7 == 0 else set()
        calls = [
            CallSeen(s) if s in failed else CallSeen(s, "t", "", counts[s], counts[s] > 0, expires[s])
            for s in sids
        ]
        for e, out in ((smart, out_smart), (naive, out_naive)):
            if n % 3 == 0:
                e.observe_rooms(now, None if n % 30 == 15 else bookings)
            if not 100 <= n < 110:  # 50 s without call polls: their data goes stale on its own
                e.observe_calls(now, calls)
            if n == 150:
                e.snooze("empty", now + timedelta(seconds=60))
                e.snooze("guard", now + timedelta(minutes=5))
                e.mute_all(now + timedelta(seconds=30))
            if n == 170:
                e.unsnooze("guard")
            if n == 200:
                e.mute_all()
            if n == 210:
                e.unmute_all()
            if e is naive:
                e._sched.everything(e.rules)  # the reference: every pair, every round
            out.append(sorted((f.rule, f.subject) for f in e.evaluate(now)))
    return out_smart, out_naive


def test_scheduled_evaluation_equals_evaluating_everything():
    for seed in range(8):
        smart, naive = scenario(seed)
        assert sum(len(r) for r in naive) > 20  # the scenario does fire
        assert smart == naive, seed
