"""Benchmark: the users CSV plan for a 100,000-row CSV against a 100,000-user directory (issue 13).

The plan runs in a worker thread (as the admin screen runs it) while the main thread runs an asyncio loop that
wakes every 5 ms; the longest gap between wake-ups is the main-thread stall the screen would see. Also: the
plan's wall time, its peak Python memory (tracemalloc), and the rollback file's build time.

    PYTHONPATH=. python benchmarks/admin_diff.py [--rows 100000] [--ui]

`--ui` also runs the real admin screen (headless) on a sandbox with that many users: the Textual main thread's
longest gap between 5 ms timer ticks while the screen exports the directory, while a click on a column header sorts
(and reverses) the table, and while it diffs the CSV. The
sandbox runs in this process (a uvicorn thread), so its own CPU work competes for the GIL: an upper bound.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
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
    parser.add_argument("--ui", action="store_true", help="also time the real admin screen's main thread")
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
    sort_stalls(users)


def sort_stalls(users: list[User]) -> None:
    """The table's sort (a header click) in a worker thread: camtui's string key vs the stock tuple key."""
    from camtui.admin.directory_view import sort_users

    def tuple_key(key: str) -> list[User]:
        return sorted(users, key=lambda u: (str(getattr(u, key)).lower(), u.email.lower()))

    for name, sort in (("camtui sort_users", lambda k: sort_users(users, k)), ("stock tuple key", tuple_key)):
        for key in ("email", "department"):
            done = threading.Event()
            took: dict[str, float] = {}

            def work(sort=sort, key=key, done=done, took=took) -> None:
                t0 = time.perf_counter()
                sort(key)
                took["s"] = time.perf_counter() - t0
                done.set()

            async def run(work=work, done=done) -> float:
                thread = threading.Thread(target=work)
                thread.start()
                stall = await watch(done)
                thread.join()
                return stall

            stall = asyncio.run(run())
            print(
                f"sort {len(users)} users by {key} ({name}): {took['s']:.2f} s; "
                f"longest main-thread stall {stall * 1000:.0f} ms"
            )


async def ui_stalls(rows: int, workdir: str) -> None:
    """The real screen: export of `rows` users, then the diff of a `rows`-row CSV, with the main thread timed."""
    from pathlib import Path

    from textual.widgets import Static

    from camtui.api import CAMClient
    from camtui.config.settings import Settings
    from camtui.sandbox.runner import start_sandbox
    from camtui.store import Store
    from camtui.tui.admin.diff_panel import DiffPanel
    from camtui.tui.admin.users_tab import UsersTab
    from camtui.tui.app import CamApp

    server = start_sandbox(db_path=Path(workdir) / "sandbox.db", users=rows, rooms=10, simulation=False)
    try:
        async with CAMClient(server.url, server.admin_token, timeout=120) as client:
            users = list((await client.export_users()).users)
            out = io.StringIO()
            w = csv.writer(out, lineterminator="\r\n")
            w.writerow(["email", "department"])
            for i, u in enumerate(users):
                w.writerow([u.email, u.department + ("・新" if i % 10 == 0 else "")])
            csv_path = Path(workdir) / "update.csv"
            csv_path.write_text(out.getvalue(), encoding="utf-8")
            store = Store.open(Path(workdir) / "store.db")
            settings = Settings.defaults().with_changes(server_url=server.url, api_token="x")
            panes = {n: (lambda n=n: Static(n)) for n in ("rooms", "calls", "composer")}
            app = CamApp(client, store, settings, panes=panes)
            gaps = {"longest": 0.0, "last": 0.0}

            def tick() -> None:
                now = time.perf_counter()
                if gaps["last"]:
                    gaps["longest"] = max(gaps["longest"], now - gaps["last"] - 0.005)
                gaps["last"] = now

            async with app.run_test(size=(160, 48)) as pilot:
                app.set_interval(0.005, tick)
                t0 = time.perf_counter()
                await pilot.press("4")
                while not app.screen.query(UsersTab):
                    await pilot.pause(0.01)
                tab = app.screen.query_one(UsersTab)
                while len(tab.users) != len(users) or tab.busy is not None or not tab.indexed:
                    await pilot.pause(0.05)  # shown, and its filter index built
                print(
                    f"UI: export of {len(users)} users shown and indexed for the filter in {time.perf_counter() - t0:.1f} s; "
                    f"longest main-thread stall {gaps['longest'] * 1000:.0f} ms"
                )
                table = tab.query_one("#admin-users")
                for _ in range(2):  # a click on the Department header: sort, then (again) reverse
                    gaps.update(longest=0.0, last=0.0)
                    t0 = time.perf_counter()
                    before = table.header
                    await pilot.click(table, offset=(1 + 66 + 2, 1))
                    while table.header == before:
                        await pilot.pause(0.01)
                    print(
                        f"UI: header click → {table.header.split()[3:5]} of {len(table.items)} rows in "
                        f"{time.perf_counter() - t0:.2f} s; longest main-thread stall {gaps['longest'] * 1000:.0f} ms"
                    )
                gaps.update(longest=0.0, last=0.0)
                panel = tab.query_one(DiffPanel)
                t0 = time.perf_counter()
                panel.open_file(csv_path)
                while panel.plan is None or not panel.items:
                    await pilot.pause(0.05)
                print(
                    f"UI: diff ({panel.plan.summary()}) shown in {time.perf_counter() - t0:.1f} s; "
                    f"longest main-thread stall {gaps['longest'] * 1000:.0f} ms"
                )
            store.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
    if "--ui" in sys.argv:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(
                ui_stalls(
                    int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else 100_000, tmp
                )
            )
