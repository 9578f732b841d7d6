"""Peak memory while refusing hostile answers: a client process against loopback servers that misbehave.

The servers run in this process; the client runs in a child (`camtui.api.CAMClient`, as `camtui rooms` and the
dashboard use it), which prints its RSS when idle (client imported and built) and its peak RSS (ru_maxrss)
after each hostile answer was refused. Before the caps (issue 18) the same answers took 5.9 GB (declared 2 GB)
and 11.5 GB in 30 s (endless chunks).

    .venv/bin/python benchmarks/hostile_answers.py
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.api.hostile import declared_huge, endless_chunks, hostile_server  # noqa: E402

CHILD = r"""
import asyncio, json, resource, sys, time
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
from camtui.api import CAMClient, CAMError
async def main(url, method):
    async with CAMClient(url, "bench-token", timeout=10, read_budget=60) as client:
        idle = rss()
        t = time.perf_counter()
        try:
            await getattr(client, method)(*(("202612",) if method == "get_conference_room_status" else ("x",)))
            outcome = "accepted?!"
        except CAMError as exc:
            outcome = f"{type(exc).__name__}: {exc}"
        took = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"idle": idle, "peak": peak, "outcome": outcome, "seconds": took}))
asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def serve_in_thread(answer):  # type: ignore[no-untyped-def]
    ready = threading.Event()
    box: dict[str, object] = {}

    def run() -> None:
        async def main() -> None:
            async with hostile_server(answer) as server:
                box["server"] = server
                box["stop"] = asyncio.Event()
                ready.set()
                await box["stop"].wait()  # type: ignore[union-attr]

        loop = asyncio.new_event_loop()
        box["loop"] = loop
        loop.run_until_complete(main())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    return box, thread


def main() -> int:
    cases = [
        ("declared Content-Length 2,000,000,000", declared_huge(), "get_conference_room_status"),
        ("endless chunked body", endless_chunks(), "get_conference_room_status"),
        ("endless chunked body, small cap", endless_chunks(), "get_call_stats"),
    ]
    print(
        f"{'answer':<40} {'method':<28} {'idle':>7} {'peak':>7} {'peak-idle':>9} {'read by server':>15}  outcome"
    )
    for label, answer, method in cases:
        box, thread = serve_in_thread(answer)
        server = box["server"]
        out = subprocess.run(
            [sys.executable, "-c", CHILD, server.url, method],  # type: ignore[attr-defined]
            capture_output=True, text=True, cwd=ROOT, timeout=120,
        )  # fmt: skip
        loop = box["loop"]
        loop.call_soon_threadsafe(box["stop"].set)  # type: ignore[attr-defined,union-attr]
        thread.join(5)
        if out.returncode != 0:
            print(out.stderr)
            return 1
        fig = json.loads(out.stdout)
        sent = sum(server.sent) / 2**20  # type: ignore[attr-defined]
        print(
            f"{label:<40} {method:<28} {fig['idle']:>5.0f} MB {fig['peak']:>5.0f} MB {fig['peak'] - fig['idle']:>6.0f} MB"
            f" {sent:>12.0f} MB  {fig['outcome'][:70]} ({fig['seconds']:.2f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
