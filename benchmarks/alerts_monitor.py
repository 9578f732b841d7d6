"""Part 2 of benchmarks/alerts_eval.py: the call monitor (benchmarks/call_monitor.py's setup: the real app,
headless, 2,000 calls on a sandbox in its own process, the calls pane maximised) without and with the alert
engine fed from the calls pane's rows after each of its poll rounds — 200 rules, plus 1,000 synthetic rooms
observed every 15 s — and the process's CPU share (CPU time / wall time) of each run."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from alerts_eval import make_rooms, make_rules
from call_monitor import Instrumented, create_calls

from camtui.alerts.engine import AlertEngine
from camtui.alerts.model import CallSeen
from camtui.api import CAMClient
from camtui.config.settings import Settings
from camtui.sandbox.runner import start_sandbox_process
from camtui.store import Store
from camtui.tui.app import CamApp
from camtui.tui.calls.pane import CallsPane


async def run_app(url: str, token: str, sids: list[str], interval: float, seconds: float, store_dir: Path,
                  with_alerts: bool, mix: str = "typical") -> tuple[float, float, float, int]:  # fmt: skip
    """(CPU share of the whole process, engine CPU ms per round: mean and worst, rounds) over `seconds`."""
    real = CAMClient(url, token)
    client = Instrumented(real)
    settings = Settings.defaults().with_changes(
        server_url=url, api_token=token, calls_poll_seconds=interval, watch_calls=tuple(sids)
    )
    store_dir.mkdir(parents=True, exist_ok=True)
    store = Store.open(store_dir / "bench.db")
    app = CamApp(client, store, settings, server_label="bench")  # type: ignore[arg-type]
    rng = random.Random(1)
    engine = AlertEngine(make_rules(sids, rng, mix), store, server_url=url)
    rooms = make_rooms(1000, sids, datetime.now(UTC), rng)
    engine_cpu: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        while not app.query("#calls"):
            await pilot.pause(0.05)
        pane = app.query_one("#calls", CallsPane)
        await pilot.press("2", "z")
        while any(r.last_ok is None and r.error is None for r in pane.watched):
            await asyncio.sleep(0.2)
        stop = False

        async def feed() -> None:
            seen_rounds, rooms_at = -1, 0.0
            while not stop:
                await asyncio.sleep(0.25)
                if pane.rounds == seen_rounds:
                    continue
                seen_rounds = pane.rounds
                t = time.thread_time()
                now = datetime.now(UTC)
                calls = [
                    CallSeen(r.sid)
                    if r.stale_reason or r.error or r.last_ok is None
                    else CallSeen(r.sid, r.title, r.url, r.participants, r.in_progress, r.expires)
                    for r in pane.watched
                ]
                engine.observe_calls(now, calls)
                if time.monotonic() - rooms_at >= 15:
                    engine.observe_rooms(now, rooms)
                    rooms_at = time.monotonic()
                engine.observe_server(now, "ok")
                engine.evaluate(now)
                engine_cpu.append((time.thread_time() - t) * 1000)

        task = asyncio.create_task(feed()) if with_alerts else None
        await asyncio.sleep(interval + 1)  # the engine's first (every-pair) round is outside the window
        cpu0, wall0, n0 = time.process_time(), time.monotonic(), len(engine_cpu)
        await asyncio.sleep(seconds)
        cpu1, wall1 = time.process_time(), time.monotonic()
        stop = True
        if task is not None:
            await task
    await real.aclose()
    store.close()
    window = engine_cpu[n0:]
    per_round = sum(window) / len(window) if window else 0.0
    return (cpu1 - cpu0) / (wall1 - wall0), per_round, max(window, default=0.0), len(window)


def compare(seconds: float, interval: float, calls: int = 2000, mix: str = "typical", pairs: int = 2) -> None:
    """`pairs` × (without, with), interleaved on the same sandbox and calls: the machine's load drifts, so one
    pair alone can be a point off either way."""
    plain: list[float] = []
    alerts: list[float] = []
    per_round: list[float] = []
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = start_sandbox_process(
            db_path=Path(tmp) / "sandbox.db", rooms=24, users=300, simulation=True
        )
        try:
            sids = asyncio.run(create_calls(sandbox.url, sandbox.admin_token, calls))
            for n in range(pairs):
                for with_alerts in (False, True):
                    share, ms, top, _rounds = asyncio.run(
                        run_app(sandbox.url, sandbox.admin_token, sids, interval, seconds,
                                Path(tmp) / f"{n}-{with_alerts}", with_alerts, mix)
                    )  # fmt: skip
                    (alerts if with_alerts else plain).append(share)
                    if with_alerts:
                        per_round.append(ms)
                        worst = max(worst, top)
        finally:
            sandbox.stop()
    print(
        f"call_monitor ({calls} calls, {interval:g} s interval, {pairs} × {seconds:g} s windows each), "
        "CPU share of one core:"
    )
    print(f"  without alerts: {', '.join(f'{p * 100:.2f}' for p in plain)} %")
    print(
        f"  with 200 alert rules ({mix}) fed from the pane: {', '.join(f'{a * 100:.2f}' for a in alerts)} % "
        f"(the engine's own CPU: {sum(per_round) / len(per_round):.1f} ms per evaluation, worst {worst:.1f} ms)"
    )
    diff = (sum(alerts) / len(alerts) - sum(plain) / len(plain)) * 100
    print(f"  difference of the means: {diff:+.2f} points (limit: 1 point)")
