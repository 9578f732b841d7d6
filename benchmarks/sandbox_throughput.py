"""getCallStats requests/s against the sandbox, and a bare Starlette hello-world as the ceiling.

Both servers run in their own child process (uvicorn, same settings); the load comes from a third process
holding several keep-alive HTTP/1.1 connections over raw asyncio streams (so the client costs little).
Goal: ≥ 1,500 getCallStats/s on 2 cores. The two are measured alternately, best of `--rounds` reported.
Then, at 1,000 rooms: how long making a month of reservations takes (at start-up, and on the first
getConferenceRoomStatus request for a day of next month), against a repeat of that request.

    .venv/bin/python benchmarks/sandbox_throughput.py [--seconds 5] [--connections 8] [--rounds 3]
                                                      [--rooms 1000] [--no-reservations]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import platform
import sys
import time
from urllib.parse import urlsplit

GOAL = 1500.0


# ---------------------------------------------------------------- the ceiling: hello world


def _hello_app():  # type: ignore[no-untyped-def]
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def hello(request):  # type: ignore[no-untyped-def]
        await request.body()
        return JSONResponse({"status": 200, "hello": "world"})

    return Starlette(routes=[Route("/{name}", hello, methods=["GET", "POST"])])


def _hello_server(pipe) -> None:  # type: ignore[no-untyped-def]
    import threading

    import uvicorn

    config = uvicorn.Config(
        _hello_app(),
        host="127.0.0.1",
        port=0,
        log_config=None,
        log_level="warning",
        access_log=False,
        ws="none",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.005)
    pipe.send(server.servers[0].sockets[0].getsockname()[1])
    with contextlib.suppress(EOFError):
        pipe.recv()
    server.should_exit = True
    thread.join(timeout=5)


# ---------------------------------------------------------------- the load


async def _connection(host: str, port: int, request: bytes, deadline: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    done = 0
    try:
        while time.perf_counter() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            if b'"status":200' not in body:
                raise RuntimeError(body[:200].decode("utf-8", "replace"))
            done += 1
    finally:
        writer.close()
        counts.append(done)


async def _load(url: str, request: bytes, seconds: float, connections: int) -> float:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    # warm-up
    await asyncio.gather(*(_connection(host, port, request, time.perf_counter() + 0.3, []) for _ in range(2)))
    counts: list[int] = []
    start = time.perf_counter()
    await asyncio.gather(
        *(_connection(host, port, request, start + seconds, counts) for _ in range(connections))
    )
    return sum(counts) / (time.perf_counter() - start)


def _client(url: str, request: bytes, seconds: float, connections: int, pipe) -> None:  # type: ignore[no-untyped-def]
    try:
        pipe.send(("ok", asyncio.run(_load(url, request, seconds, connections))))
    except Exception as exc:  # report, do not hang the parent
        pipe.send(("error", f"{type(exc).__name__}: {exc}"))


def measure(url: str, request: bytes, seconds: float, connections: int) -> float:
    """Requests/s seen by a client in a separate process."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_client, args=(url, request, seconds, connections, child))
    proc.start()
    kind, value = parent.recv()
    proc.join()
    if kind != "ok":
        raise RuntimeError(value)
    return float(value)


def build_request(url: str, path: str, token: str, body: bytes) -> bytes:
    host = urlsplit(url).netloc
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nx-cam-apiToken: {token}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def reservation_figures(rooms: int) -> None:
    """Month-making cost at `rooms` rooms: in-process, then over HTTP (first request vs a repeat)."""
    from datetime import UTC, date, datetime

    import httpx

    from camtui.common.clock import fixed_clock
    from camtui.sandbox import db, demo, reservations
    from camtui.sandbox.runner import start_sandbox

    now = datetime(2026, 3, 31, 5, 0, tzinfo=UTC)  # the last day of a month: "tomorrow" is next month
    conn = db.connect(None)
    demo.generate(conn, seed=1, rooms=rooms, users=2000, now=now)
    started = time.perf_counter()
    reservations.ensure_months(conn, 1, [date(2026, 3, 1)], now)
    made = time.perf_counter() - started
    count = conn.execute("SELECT COUNT(*) FROM reservations").fetchone()[0]
    conn.close()
    print(f"reservations at {rooms} rooms: one month ({count} meetings) made in {made * 1000:.0f} ms")
    with (
        start_sandbox(rooms=rooms, users=2000, simulation=False, now=fixed_clock(now)) as sandbox,
        httpx.Client(base_url=sandbox.url, timeout=60, trust_env=False) as client,
    ):
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            reply = client.post(
                "/getConferenceRoomStatus",
                headers={"x-cam-apiToken": sandbox.user_token},
                data={"yyyyMMdd": "20260401"},
            )
            timings.append(time.perf_counter() - started)
            assert reply.json()["status"] == 200
    print(
        f"  getConferenceRoomStatus 20260401 (next month): first {timings[0] * 1000:.0f} ms (makes April),"
        f" then {min(timings[1:]) * 1000:.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rooms", type=int, default=1000, help="rooms for the reservation figures")
    parser.add_argument("--no-reservations", action="store_true", help="skip the reservation figures")
    args = parser.parse_args(argv)

    import uvicorn

    from camtui.sandbox.runner import start_sandbox_process

    try:
        import httptools  # noqa: F401

        http_impl = "httptools"
    except ImportError:
        http_impl = "h11"
    print(
        f"python {platform.python_version()}, uvicorn {uvicorn.__version__} ({http_impl}), "
        f"{multiprocessing.cpu_count()} cores, {args.connections} keep-alive connections, {args.seconds:g} s each"
    )

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    hello = ctx.Process(target=_hello_server, args=(child,), daemon=True)
    hello.start()
    hello_url = f"http://127.0.0.1:{parent.recv()}"
    hello_request = build_request(hello_url, "/hello", "-", b"x=1")
    ceilings: list[float] = []
    rates: list[float] = []
    try:
        with start_sandbox_process(seed=1, rooms=24, users=2000, simulation=False) as sandbox:
            sid = sandbox.calls()[0]["sid"]
            request = build_request(
                sandbox.url, "/getCallStats", sandbox.user_token, f"roomName={sid}".encode()
            )
            for n in range(args.rounds):  # alternate, so a noisy neighbour hurts both alike
                ceilings.append(measure(hello_url, hello_request, args.seconds, args.connections))
                rates.append(measure(sandbox.url, request, args.seconds, args.connections))
                print(
                    f"  round {n + 1}: hello-world {ceilings[-1]:6.0f} req/s, getCallStats {rates[-1]:6.0f} req/s"
                )
            served = sandbox.stats()["byMethod"].get("getCallStats", 0)
    finally:
        parent.send("stop")
        hello.join(timeout=10)
    ceiling, rate = max(ceilings), max(rates)
    print(f"starlette hello-world (ceiling): {ceiling:8.0f} req/s (best of {args.rounds})")
    print(
        f"sandbox getCallStats:            {rate:8.0f} req/s (best of {args.rounds}; {rate / ceiling:.0%} of the ceiling)"
    )
    print(
        f"goal >= {GOAL:,.0f} req/s: {'met' if rate >= GOAL else 'NOT met'} (server answered {served} getCallStats)"
    )
    if not args.no_reservations:
        reservation_figures(args.rooms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
