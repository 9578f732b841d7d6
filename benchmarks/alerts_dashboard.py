"""The dashboard's share of the alert rules: CPU per calls round of what `camtui.tui.shell.
alerts_host` does after each poll — the calls pane's rows as `CallSeen`s (`calls.alert_feed.calls_seen`), the
engine's observe + evaluate, and the grid's marks and the status count — for 2,000 watched calls (10% change
per round) and 1,000 rooms, without rules (the marks alone) and with 200 rules (benchmarks/alerts_eval.py's).
Only the first step runs on the main thread (the pane's rows live there); the rest runs in a worker thread.
The stock alternative in the same run: the engine's own row converter (`alerts.runner.seen_from_row`), which
does not check the pane's freshness limit.
Run: `python benchmarks/alerts_dashboard.py` (from the checkout: PYTHONPATH=.)."""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from alerts_eval import make_rooms, make_rules

from camtui.alerts.engine import AlertEngine
from camtui.alerts.runner import seen_from_row
from camtui.store import Store
from camtui.tui.calls.alert_feed import calls_seen
from camtui.tui.calls.model import CallRow


def run(calls: int, rooms_n: int, rounds: int, with_rules: bool) -> dict[str, float]:
    rng = random.Random(1)
    now = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    rows = [
        CallRow(
            sid=f"sid{i:05d}",
            title=f"call {i}",
            participants=rng.randint(0, 5),
            in_progress=True,
            last_ok=now,
            expires=now + timedelta(hours=2),
        )
        for i in range(calls)
    ]
    sids = [r.sid for r in rows]
    rooms = make_rooms(rooms_n, sids, now, rng)
    rules = make_rules(sids, rng) if with_rules else ()
    store = Store.open(":memory:")
    engine = AlertEngine(rules, store)
    engine.observe_rooms(now, rooms)
    samples: dict[str, list[float]] = {"seen": [], "stock": [], "evaluate": [], "marks": []}
    for k in range(rounds + 2):
        at = now + timedelta(seconds=5 * k)
        for row in rows:
            row.last_ok = at
            if rng.random() < 0.1:
                row.participants = rng.randint(0, 5)
        t0 = time.thread_time()
        seen = calls_seen(rows, at, 5.0, lambda r: r.url)
        t1 = time.thread_time()
        [seen_from_row(r) for r in rows]
        t2 = time.thread_time()
        engine.observe_calls(at, seen)
        engine.observe_server(at, "ok")
        engine.evaluate(at)
        t3 = time.thread_time()
        engine.room_marks(at)
        engine.active_count(at)
        t4 = time.thread_time()
        if k >= 2:  # the first rounds decide every pair
            for key, value in zip(samples, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                samples[key].append(value * 1000)
    store.close()
    return {key: statistics.median(values) for key, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    print(
        f"alerts_dashboard: {args.calls} calls, {args.rooms} rooms, {args.rounds} rounds (median, main-thread CPU)"
    )
    for with_rules in (False, True):
        r = run(args.calls, args.rooms, args.rounds, with_rules)
        total = r["seen"] + r["evaluate"] + r["marks"]
        label = "200 rules" if with_rules else "no rules "
        print(
            f"  {label}: rows → CallSeen {r['seen']:.1f} ms (stock seen_from_row {r['stock']:.1f} ms), "
            f"observe + evaluate {r['evaluate']:.1f} ms, marks + count {r['marks']:.1f} ms; "
            f"total {total:.1f} ms per round = {total / 50:.2f} % of a core at a 5 s interval"
        )


if __name__ == "__main__":
    main()
