"""Benchmark: the users CSV plan for a 100,000-row CSV against a 100,000-user directory (issue 13).

The plan runs in a worker thread (as the admin screen runs it) while the main thread runs an asyncio loop that
wakes every 5 ms; the longest gap between wake-ups is the main-thread stall the screen would see. Also: the
plan's wall time, its peak Python memory (tracemalloc), and the rollback file's build time.

    PYTHONPATH=. python benchmarks/admin_diff.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import threading
import time
import tracemalloc

from camtui.admin.rollback import rollback_text
from camtui.admin.users_plan import plan_users_update
from camtui.api.models import User


def make(rows: int) -> tuple[list[User], str]:
    users = [
        User(
            f"uid{i:07d}",
            f"user{i}@example.co.jp",
            f"山田 {i}",
            f"Yamada {i}",
            f"部{i % 50}",
            "主任",
            i % 97 == 0,
        )
        for i in range(rows)
    ]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["uid", "email", "name", "romaji", "department", "position", "admin"])
    for i, u in enumerate(users):
        dept = f"部{(i + 1) % 50}" if i % 10 == 0 else u.department  # 10 % change
        email = u.email if i % 1000 else f"new{i}@example.co.jp"  # 0.1 % new
        w.writerow(
            [
                "" if email != u.email else u.uid,
                email,
                u.name,
                u.romaji,
                dept,
                u.position,
                "true" if u.admin else "false",
            ]
        )
    return users, out.getvalue()


async def watch(done: threading.Event) -> float:
    longest, last = 0.0, time.perf_counter()
    while not done.is_set():
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        longest = max(longest, now - last - 0.005)
        last = now
    return longest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    users, text = make(args.rows)
    result: dict[str, object] = {}
    done = threading.Event()

    def work() -> None:
        t0 = time.perf_counter()
        plan = plan_users_update(text, users)
        t1 = time.perf_counter()
        rollback = rollback_text(plan)
        t2 = time.perf_counter()
        result.update(plan=plan, seconds=t1 - t0, rollback_s=t2 - t1)
        result["rollback_rows"] = (rollback or "").count("\r\n") - 1
        done.set()

    async def run() -> float:
        thread = threading.Thread(target=work)
        thread.start()
        stall = await watch(done)
        thread.join()
        return stall

    stall = asyncio.run(run())
    tracemalloc.start()  # a second run for memory: tracemalloc slows allocation, so not the timed one
    plan_users_update(text, users)
    result["peak"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    plan = result["plan"]
    print(f"rows: {args.rows} CSV rows vs {len(users)} directory users")
    print(f"plan: {plan.summary()}")  # type: ignore[attr-defined]
    print(
        f"plan time (worker thread): {result['seconds']:.2f} s; rollback file ({result['rollback_rows']} rows): {result['rollback_s']:.2f} s"
    )
    print(f"peak Python memory during plan (tracemalloc): {result['peak'] / 2**20:.0f} MiB")  # type: ignore[operator]
    print(f"longest main-thread stall while it ran: {stall * 1000:.0f} ms")


if __name__ == "__main__":
    main()
