"""200 alert rules over 2,000 watched calls and 1,000 rooms: what one evaluation round costs, and what it does to
the call monitor's CPU share.

Part 1 (synthetic, this process only): the engine is fed a poll round (2,000 calls, `--changed` of them changed;
the 1,000 rooms with ~8 bookings each every third round, 300 of them carrying a call's share URL) and
evaluates the 200 rules: CPU ms per round (thread time), median and worst; then the same deciding every pair every
round (what an engine without scheduling does), for comparison.

Part 2 (`--monitor`, the real thing): the call monitor benchmark's setup (benchmarks/call_monitor.py: the real
app, headless, 2,000 calls on a sandbox in its own process) run twice for the same time, without and with the
engine fed from the calls pane's rows after every poll round (plus the 1,000 synthetic rooms), and the CPU share
of each run printed side by side.

    .venv/bin/python benchmarks/alerts_eval.py [--rounds 30] [--changed 200] [--mix typical|stress]
                                               [--monitor] [--seconds 40] [--interval 10]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from camtui.alerts.engine import AlertEngine
from camtui.alerts.model import CallSeen
from camtui.alerts.rules import AlertRule, parse_rules
from camtui.api.models import ConferenceRoom, Reservation
from camtui.store import Store

T0 = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
CALL_CONDITIONS = (
    "participants == 0",
    "participants >= 10",
    "participants dropped by 3 within 5m",
    "in progress",
    "ended",
    "expires_within 10m and participants > 0",
)
VIEWS_MS: list[float] = []
"""CPU ms of one `views()` + `active_count()` (what the Alerts view and the status line read)."""
CHANGED = 200
"""Calls whose participants change between two polls (a tenth; the sandbox's simulation changes fewer)."""
ROOM_CONDITIONS = ("free", "busy", "reservation starts_in 10m", "ghost", "squatter")


WATCHED_TYPICAL = (
    "expires_within 10m and participants > 0",
    "participants >= 20",
    "participants dropped by 5 within 2m",
    "ended",
)
"""Rules over every watched call as an admin writes them: what is rare and worth a message."""


def make_rules(sids: list[str], rng: random.Random, mix: str = "typical") -> tuple[AlertRule, ...]:
    """200 rules: 150 on one call each (any condition), 25 on every watched call (for 1m, cool-down 15m), 20 on
    every room, 5 on the server. `mix`: "typical" — the watched-call rules use rare conditions (the expiry guard,
    nearly full, a big drop, ended); "stress" — they use all six, "participants == 0" and "in progress" too,
    which on 2,000 calls that change all the time start an episode somewhere nearly every round."""
    watched = WATCHED_TYPICAL if mix == "typical" else CALL_CONDITIONS
    tables: list[dict] = []
    for i in range(150):
        tables.append(
            {"name": f"call {i}", "call": sids[i * 13 % len(sids)], "when": rng.choice(CALL_CONDITIONS),
             "for": rng.choice(("0s", "30s", "2m")), "toast": True}
        )  # fmt: skip
    for i in range(25):  # with a for and a cool-down (one toast per call per quarter hour at most)
        tables.append(
            {"name": f"watched {i}", "calls": "watched", "when": watched[i % len(watched)], "for": "1m",
             "cooldown": "15m", "toast": True}
        )  # fmt: skip
    for i in range(20):
        tables.append({"name": f"rooms {i}", "rooms": "all", "when": ROOM_CONDITIONS[i % 5], "toast": True})
    for i in range(5):
        tables.append({"name": f"server {i}", "when": "server unreachable" if i % 2 else "server error 503"})
    return parse_rules(tables)


def make_rooms(count: int, sids: list[str], now: datetime, rng: random.Random) -> list[ConferenceRoom]:
    rooms = []
    day = now.replace(hour=0, minute=0)
    for r in range(count):
        res = []
        for k in range(8):
            start = day + timedelta(hours=k + rng.random())
            title = "定例"
            if r < 300 and k == r % 8:
                title = f"定例 https://cam.example.com/share/{sids[r]}"
            res.append(
                Reservation(f"r{r}-{k}", f"room{r}", title, start, start + timedelta(minutes=50), "x", "x@y")
            )
        rooms.append(ConferenceRoom(f"room{r}", f"会議室{r}", 8, "本社", 3, tuple(res)))
    return rooms


def synthetic(
    rounds: int, changed: int = CHANGED, every_pair: bool = False, mix: str = "typical"
) -> tuple[float, float, float, int]:
    """(first round, median, worst) CPU ms per round and the firings; `every_pair`: the reference that decides
    every (rule, subject) pair every round, as an engine without scheduling would."""
    rng = random.Random(1)
    sids = [f"sid{i:06d}abcdef" for i in range(2000)]
    rules = make_rules(sids, rng, mix)
    store = Store.open(":memory:")
    engine = AlertEngine(rules, store, server_url="https://cam.example.com")
    counts = {sid: rng.randint(0, 12) for sid in sids}
    now = T0 + timedelta(hours=9)
    expires = {sid: now + timedelta(minutes=rng.randint(5, 600)) for sid in sids}
    rooms = make_rooms(1000, sids, now, rng)
    times: list[float] = []
    fired = 0
    for n in range(rounds):
        now += timedelta(seconds=10)
        for sid in rng.sample(sids, changed):
            counts[sid] = max(0, counts[sid] + rng.choice((-2, -1, 1, 2)))
        calls = [CallSeen(s, "t", "", counts[s], counts[s] > 0, expires[s]) for s in sids]
        started = time.thread_time()
        engine.observe_calls(now, calls)
        if n % 3 == 0:
            engine.observe_rooms(now, rooms)
        engine.observe_server(now, "ok")
        if every_pair:
            engine._sched.everything(engine.rules)
        fired += len(engine.evaluate(now))
        times.append((time.thread_time() - started) * 1000)
    started = time.thread_time()
    engine.views(now)
    engine.active_count(now)
    VIEWS_MS.append((time.thread_time() - started) * 1000)
    return times[0], statistics.median(times[1:]), max(times[1:]), fired


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--changed", type=int, default=CHANGED, help="calls that change between two polls")
    parser.add_argument(
        "--monitor", action="store_true", help="also run the call monitor without / with alerts"
    )
    parser.add_argument("--mix", choices=("typical", "stress"), default="typical", help="see make_rules")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--pairs", type=int, default=2, help="--monitor: interleaved without/with runs")
    parser.add_argument("--interval", type=float, default=10.0)
    args = parser.parse_args()
    first, median, worst, fired = synthetic(args.rounds, args.changed, mix=args.mix)
    print(
        f"alerts_eval: 200 rules ({args.mix}), 2,000 calls ({args.changed} change per round), 1,000 rooms, {args.rounds} rounds: "
        f"{median:.1f} ms CPU per round (median), worst {worst:.1f} ms; first round (every pair) {first:.0f} ms; "
        f"{fired / args.rounds:.0f} firings per round"
    )
    _first, naive, _worst, naive_fired = synthetic(args.rounds, args.changed, every_pair=True, mix=args.mix)
    print(
        f"  every pair every round (no scheduling): {naive:.1f} ms per round; {naive_fired / args.rounds:.0f} firings"
    )
    print(f"  views() + active_count() for the 200 rules: {VIEWS_MS[0]:.1f} ms CPU")
    share = median / (args.interval * 1000) * 100
    print(f"  at the call monitor's {args.interval:g} s interval that is {share:.2f} points of one core")
    if args.monitor:
        from alerts_monitor import compare  # this folder is on sys.path when run as a script

        compare(args.seconds, args.interval, mix=args.mix, pairs=args.pairs)


if __name__ == "__main__":
    main()
