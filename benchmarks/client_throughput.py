"""getCallStats throughput: CAMClient (sequential, and concurrent on its pool) against the spec's own client,
`curl` (one process per request: sequential, and from a small pool of workers), same sandbox, same run.

    .venv/bin/python benchmarks/client_throughput.py [--requests 2000] [--concurrency 8]

The sandbox runs in a child process (its own interpreter), so the client and the server do not share a GIL.
The token reaches curl through a header file (`-H @file`), never on its command line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from camtui.api import CAMClient
from camtui.sandbox.runner import start_sandbox_process


def summary(name: str, latencies: list[float], total: float) -> dict[str, float | str]:
    ordered = sorted(latencies)
    return {
        "mode": name,
        "requests": len(latencies),
        "seconds": total,
        "per_second": len(latencies) / total,
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[int(len(ordered) * 0.95) - 1] * 1000,
    }


async def client_sequential(url: str, token: str, sid: str, n: int) -> dict[str, float | str]:
    latencies = []
    async with CAMClient(url, token) as client:
        await client.get_call_stats(sid)  # warm the connection, as curl's timing includes its own connect
        started = time.perf_counter()
        for _ in range(n):
            t0 = time.perf_counter()
            stats = await client.get_call_stats(sid)
            latencies.append(time.perf_counter() - t0)
            assert stats.room_name == sid
        total = time.perf_counter() - started
    return summary("CAMClient sequential", latencies, total)


async def client_concurrent(url: str, token: str, sid: str, n: int, workers: int) -> dict[str, float | str]:
    latencies: list[float] = []
    remaining = iter(range(n))
    async with CAMClient(url, token, max_connections=workers) as client:
        await asyncio.gather(*(client.get_call_stats(sid) for _ in range(workers)))  # open the pool

        async def worker() -> None:
            for _ in remaining:
                t0 = time.perf_counter()
                stats = await client.get_call_stats(sid)
                latencies.append(time.perf_counter() - t0)
                assert stats.room_name == sid

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(workers)))
        total = time.perf_counter() - started
    return summary(f"CAMClient concurrent ({workers})", latencies, total)


def curl_runner(url: str, header_file: Path, sid: str) -> Callable[[int], float]:
    command = ["curl", "-s", "-S", "--fail-with-body", "-H", f"@{header_file}", "-d", f"roomName={sid}",
               f"{url}/getCallStats"]  # fmt: skip

    def once(_: int) -> float:
        t0 = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        elapsed = time.perf_counter() - t0
        body = json.loads(done.stdout or b"{}")
        if done.returncode != 0 or body.get("status") != 200 or body.get("roomName") != sid:
            raise RuntimeError(f"curl failed: rc={done.returncode} {done.stderr[:200]!r}")
        return elapsed

    return once


def curl_bench(url: str, header_file: Path, sid: str, n: int, workers: int) -> dict[str, float | str]:
    once = curl_runner(url, header_file, sid)
    started = time.perf_counter()
    if workers == 1:
        latencies = [once(i) for i in range(n)]
        name = "curl sequential"
    else:
        with ThreadPoolExecutor(workers) as pool:  # each task forks one curl process
            latencies = list(pool.map(once, range(n)))
        name = f"curl pool ({workers})"
    return summary(name, latencies, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    if shutil.which("curl") is None:
        print("curl is not installed", file=sys.stderr)
        return 2
    n, workers = args.requests, args.concurrency

    with (
        tempfile.TemporaryDirectory() as tmp,
        start_sandbox_process(
            db_path=Path(tmp) / "bench.db", seed=1, rooms=12, users=300, simulation=False
        ) as sandbox,
    ):
        header_file = Path(tmp) / "token.header"
        header_file.write_text(f"x-cam-apiToken: {sandbox.user_token}\n", encoding="utf-8")
        os.chmod(header_file, 0o600)

        async def make_call() -> str:
            async with CAMClient(sandbox.url, sandbox.user_token) as client:
                call = await client.create_quick_call(datetime.now(UTC) + timedelta(hours=2), title="bench")
                return call.sid

        sid = asyncio.run(make_call())
        results = [
            asyncio.run(client_sequential(sandbox.url, sandbox.user_token, sid, n)),
            curl_bench(sandbox.url, header_file, sid, n, 1),
            asyncio.run(client_concurrent(sandbox.url, sandbox.user_token, sid, n, workers)),
            curl_bench(sandbox.url, header_file, sid, n, workers),
        ]
        served = sandbox.stats()["byMethod"].get("getCallStats", 0)

    print(f"getCallStats × {n} against one sandbox (child process) on loopback; {os.cpu_count()} CPUs")
    print(f"{'mode':<28}{'seconds':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for r in results:
        print(
            f"{r['mode']:<28}{r['seconds']:>9.2f}{r['per_second']:>9.0f}{r['p50_ms']:>9.2f}{r['p95_ms']:>9.2f}"
        )
    by_mode = {r["mode"]: r["per_second"] for r in results}
    seq = by_mode["CAMClient sequential"] / by_mode["curl sequential"]
    conc = by_mode[f"CAMClient concurrent ({workers})"] / by_mode[f"curl pool ({workers})"]
    print(f"ratio CAMClient / curl: sequential {seq:.1f}x, concurrent {conc:.1f}x")
    print(f"server answered {served} getCallStats requests")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
