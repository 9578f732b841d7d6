"""Startup: process start → first rooms data painted, in demo mode (goal ≤ 0.8 s).

Runs `python -m camtui demo` in a pseudo-terminal, N times, with CAMTUI_STARTUP_PROBE set: the app writes its
timings and quits as soon as the rooms pane has posted its first good data and the screen has been refreshed.
The clock starts just before the child process is spawned (so interpreter start-up and imports count).

    .venv/bin/python benchmarks/startup.py [--runs 5] [--in-process] [--rooms 24] [--users 2000]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one_run(args: argparse.Namespace, workdir: Path, index: int) -> dict[str, float] | None:
    probe = workdir / f"probe-{index}.json"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
    env = dict(os.environ, CAMTUI_STARTUP_PROBE=str(probe), TERM="xterm-256color", COLUMNS="160", LINES="50")
    env.pop("CAMTUI_CONFIG", None)
    env["XDG_CONFIG_HOME"] = str(workdir / "no-config")  # the demo must not depend on the user's config
    cmd = [
        sys.executable,
        "-m",
        "camtui",
        "demo",
        "--rooms",
        str(args.rooms),
        "--users",
        str(args.users),
        "--store",
        str(workdir / f"store-{index}.db"),
    ]
    if args.in_process:
        cmd.append("--in-process")

    def drain() -> None:
        while True:
            try:
                if not os.read(master, 65536):
                    return
            except OSError:
                return

    reader = threading.Thread(target=drain, daemon=True)
    spawned = time.time()
    # Textual draws on stderr: all three standard streams are the terminal, as in real use.
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env)
    reader.start()
    os.close(slave)
    try:
        proc.wait(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        print(f"run {index}: no rooms data painted within {args.timeout} s", file=sys.stderr)
        return None
    finally:
        os.close(master)
    if not probe.exists():
        print(f"run {index}: exited with {proc.returncode} without painting rooms data", file=sys.stderr)
        return None
    marks = json.loads(probe.read_text(encoding="utf-8"))
    marks["spawned"] = spawned
    marks["exited"] = time.time()
    return marks


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rooms", type=int, default=24)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--in-process", action="store_true", help="sandbox in a thread instead of a process")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()

    totals: list[float] = []
    phases: dict[str, list[float]] = {"spawn→launch": [], "launch→app built": [], "app built→painted": []}
    with tempfile.TemporaryDirectory(prefix="camtui-startup-") as tmp:
        for index in range(args.runs + 1):  # run 0 warms the OS file cache and .pyc files; not counted
            marks = one_run(args, Path(tmp), index)
            if marks is None:
                return 1
            if index == 0:
                continue
            total = marks["first_rooms_painted"] - marks["spawned"]
            totals.append(total)
            phases["spawn→launch"].append(marks["launch_import"] - marks["spawned"])
            phases["launch→app built"].append(marks["app_built"] - marks["launch_import"])
            phases["app built→painted"].append(marks["first_rooms_painted"] - marks["app_built"])
            steps = sorted((v, k) for k, v in marks.items() if k not in ("process_start", "exited"))
            detail = ", ".join(f"{k} +{(v - marks['spawned']) * 1000:.0f}" for v, k in steps)
            print(f"run {index}: {total * 1000:.0f} ms to first rooms data painted ({detail})")

    mode = "sandbox in-process" if args.in_process else "sandbox in a child process"
    print(f"\ncamtui demo ({mode}, {args.rooms} rooms, {args.users} users), {len(totals)} runs:")
    print(
        f"  process start → first rooms data painted: median {statistics.median(totals) * 1000:.0f} ms, "
        f"min {min(totals) * 1000:.0f} ms, max {max(totals) * 1000:.0f} ms  (goal ≤ 800 ms)"
    )
    for name, values in phases.items():
        print(f"  {name:>20}: median {statistics.median(values) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
