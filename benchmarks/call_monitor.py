"""2,000 watched calls at a 10 s interval: what the calls pane costs the client.

The sandbox runs in its own process (`start_sandbox_process`, simulation on, so participants keep changing) and the
calls are created there first with createQuickCall. Then the real app (`CamApp`, headless, all three panes, the
calls pane maximised as an admin watching calls would) watches them all through the config's watch list, and we
measure, after the first round has filled the table:

- client CPU: this process's CPU time / wall time (share of one core), for the whole app — every pane, rendering,
  the HTTP client, the store — not just the calls pane's own code;
- the longest main-thread stall: a probe task on the app's event loop sleeps 5 ms at a time and records how late it
  wakes; the worst lateness is the longest time the loop was blocked (rendering, a poll burst, a store flush…);
- what the poller did: requests per second, in flight at most, rounds, round length, failures.

    .venv/bin/python benchmarks/call_monitor.py [--calls 2000] [--interval 10] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from camtui.api import CAMClient
from camtui.config.settings import Settings
from camtui.sandbox.runner import start_sandbox_process
from camtui.store import Store
from camtui.tui.app import CamApp
from camtui.tui.calls.pane import CallsPane


async def create_calls(url: str, token: str, count: int) -> list[str]:
    """The calls to watch, made on the server first (8 at a time)."""
    expires = datetime.now(UTC) + timedelta(hours=6)
    sids: list[str] = []
    async with CAMClient(url, token) as client:
        gate = asyncio.Semaphore(8)

        async def one(i: int) -> None:
            async with gate:
                call = await client.create_quick_call(expires, "", f"bench call {i:04d}")
                sids.append(call.sid)

        await asyncio.gather(*(one(i) for i in range(count)))
    return sids


async def client_alone(url: str, token: str, sids: list[str], count: int = 1500) -> tuple[float, float]:
    """The HTTP client alone on the same sandbox, 8 in flight, no app: (CPU seconds per getCallStats, polls/s)."""
    async with CAMClient(url, token) as client:
        gate = asyncio.Semaphore(8)

        async def one(sid: str) -> None:
            async with gate:
                await client.get_call_stats(sid)

        await asyncio.gather(*(one(s) for s in sids[:200]))  # warm connections
        picks = [sids[i % len(sids)] for i in range(count)]
        cpu, wall = time.process_time(), time.monotonic()
        await asyncio.gather(*(one(s) for s in picks))
        return (time.process_time() - cpu) / count, count / (time.monotonic() - wall)


async def stock_httpx_alone(url: str, token: str, sids: list[str], count: int = 1500) -> float:
    """The stock alternative, same requests: a plain `httpx.AsyncClient.post` per getCallStats, 8 in flight
    (what a script would write). CPU seconds per request."""
    import httpx

    async with httpx.AsyncClient(headers={"x-cam-apiToken": token}) as client:
        gate = asyncio.Semaphore(8)

        async def one(sid: str) -> None:
            async with gate:
                response = await client.post(f"{url}/getCallStats", data={"roomName": sid})
                response.json()

        await asyncio.gather(*(one(s) for s in sids[:200]))
        picks = [sids[i % len(sids)] for i in range(count)]
        cpu = time.process_time()
        await asyncio.gather(*(one(s) for s in picks))
        return (time.process_time() - cpu) / count


class Instrumented:
    """Counts the pane's getCallStats calls and how many are in flight (wraps the real client, same requests)."""

    def __init__(self, client: CAMClient) -> None:
        self._client = client
        self.calls = 0
        self.failures = 0
        self.in_flight = 0
        self.peak = 0

    def __getattr__(self, name: str):  # everything else: the real client
        return getattr(self._client, name)

    async def get_call_stats(self, room_name: str):
        self.calls += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await self._client.get_call_stats(room_name)
        except Exception:
            self.failures += 1
            raise
        finally:
            self.in_flight -= 1


async def measure(
    url: str, token: str, sids: list[str], interval: float, seconds: float, store_dir: Path, profile: str = ""
) -> dict:
    real = CAMClient(url, token)
    client = Instrumented(real)
    settings = Settings.defaults().with_changes(
        server_url=url, api_token=token, calls_poll_seconds=interval, watch_calls=tuple(sids)
    )
    store = Store.open(store_dir / "bench.db")
    app = CamApp(client, store, settings, server_label="bench")  # type: ignore[arg-type]
    result: dict = {}
    async with app.run_test(size=(160, 48)) as pilot:
        started = time.monotonic()
        while not app.query("#calls"):
            await pilot.pause(0.05)
        pane = app.query_one("#calls", CallsPane)
        await pilot.press("2", "z")
        # warm-up: every call polled once
        while any(r.last_ok is None and r.error is None for r in pane.watched):
            await asyncio.sleep(0.2)
            if time.monotonic() - started > 10 * interval + 60:
                raise SystemExit("the first round did not finish")
        warmup = time.monotonic() - started

        lateness: list[float] = []
        stop = False

        async def probe() -> None:
            while not stop:
                t = time.perf_counter()
                await asyncio.sleep(0.005)
                lateness.append(time.perf_counter() - t - 0.005)

        gc_log: list[tuple[int, float]] = []  # (generation, seconds) of each collection in the window
        gc_started: list[float] = []

        def on_gc(phase: str, info: dict) -> None:
            if phase == "start":
                gc_started.append(time.perf_counter())
            elif gc_started:
                gc_log.append((info["generation"], time.perf_counter() - gc_started.pop()))

        gc.callbacks.append(on_gc)
        probe_task = asyncio.create_task(probe())
        calls0, fails0, rounds0, events0 = client.calls, client.failures, pane.rounds, pane.event_count
        client.peak = client.in_flight
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
        cpu0, wall0 = time.process_time(), time.monotonic()
        await asyncio.sleep(seconds)
        cpu1, wall1 = time.process_time(), time.monotonic()
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        stop = True
        gc.callbacks.remove(on_gc)
        await probe_task
        stale = sum(1 for r in pane.watched if r.stale_reason)
        result = {
            "warmup_s": warmup,
            "cpu_share": (cpu1 - cpu0) / (wall1 - wall0),
            "max_stall_ms": max(lateness) * 1000,
            "p99_stall_ms": statistics.quantiles(lateness, n=100)[98] * 1000,
            "polls_per_s": (client.calls - calls0) / (wall1 - wall0),
            "failures": client.failures - fails0,
            "peak_in_flight": client.peak,
            "rounds": pane.rounds - rounds0,
            "events": pane.event_count - events0,
            "round_log": list(pane.round_log)[-(pane.rounds - rounds0) :] if pane.rounds > rounds0 else [],
            "stale_rows": stale,
            "watched": len(pane.watched),
            "gc": gc_log,
        }
    await real.aclose()
    store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--profile", metavar="FILE", default="", help="write a cProfile (CPU time) of the window"
    )
    parser.add_argument(
        "--no-simulation",
        action="store_true",
        help="keep every call alive and unchanged (the simulation ends some calls, which are then not polled)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = start_sandbox_process(
            db_path=Path(tmp) / "sandbox.db", rooms=24, users=300, simulation=not args.no_simulation
        )
        try:
            t = time.monotonic()
            sids = asyncio.run(create_calls(sandbox.url, sandbox.admin_token, args.calls))
            made = time.monotonic() - t
            r = asyncio.run(
                measure(
                    sandbox.url,
                    sandbox.admin_token,
                    sids,
                    args.interval,
                    args.seconds,
                    Path(tmp),
                    args.profile,
                )
            )
            per_poll, alone_rate = asyncio.run(client_alone(sandbox.url, sandbox.admin_token, sids))
            stock_per_poll = asyncio.run(stock_httpx_alone(sandbox.url, sandbox.admin_token, sids))
        finally:
            sandbox.stop()
    print(
        f"call_monitor: {args.calls} watched calls, interval {args.interval:g} s, measured {args.seconds:g} s, "
        f"simulation {'off' if args.no_simulation else 'on'}"
    )
    print(
        f"  setup: {args.calls} calls created in {made:.1f} s; first round done {r['warmup_s']:.1f} s after start"
    )
    print(
        f"  client CPU: {r['cpu_share'] * 100:.1f}% of one core (whole app: all panes, HTTP, store, rendering)"
    )
    http_share = per_poll * r["polls_per_s"]
    print(
        f"    of which the HTTP client alone (measured apart: {per_poll * 1000:.2f} ms CPU per getCallStats): "
        f"{http_share * 100:.1f}%; everything else (pane, store, Textual, other panes): "
        f"{(r['cpu_share'] - http_share) * 100:.1f}%"
    )
    print(
        f"    stock httpx.AsyncClient, same requests, same run: {stock_per_poll * 1000:.2f} ms CPU per getCallStats "
        f"({stock_per_poll / per_poll:.1f}x ours; at {r['polls_per_s']:.0f} polls/s that alone would be "
        f"{stock_per_poll * r['polls_per_s'] * 100:.1f}% of a core)"
    )
    print(f"  main-thread stall: longest {r['max_stall_ms']:.1f} ms, p99 {r['p99_stall_ms']:.1f} ms")
    full = [t for g, t in r["gc"] if g == 2]
    print(
        f"    garbage collector: {len(r['gc'])} collections ({len(full)} full), "
        f"{sum(t for _g, t in r['gc']) * 1000:.0f} ms in all, longest {max((t for _g, t in r['gc']), default=0) * 1000:.1f} ms"
    )
    if r["polls_per_s"]:
        print(f"  per poll, whole app: {r['cpu_share'] / r['polls_per_s'] * 1000:.2f} ms CPU")
    print(
        f"  poller: {r['polls_per_s']:.0f} polls/s (target {args.calls / args.interval:.0f}), "
        f"peak {r['peak_in_flight']} in flight, {r['rounds']} rounds, {r['failures']} failures, "
        f"{r['events']} flashes, {r['stale_rows']} rows stale at the end"
    )
    print(f"    (the client alone, no app, reaches {alone_rate:.0f} polls/s against this sandbox)")
    rounds = ", ".join(f"{seconds:.1f} s/{polled}" for seconds, polled in r["round_log"])
    print(f"    rounds (length / calls polled; calls the simulation ended are not polled again): {rounds}")
    print(
        f"  goal: CPU <= 15% of a core -> {'met' if r['cpu_share'] <= 0.15 else 'NOT met'}  (pid {os.getpid()})"
    )


if __name__ == "__main__":
    main()
