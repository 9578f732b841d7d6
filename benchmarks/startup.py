"""Startup, memory and idle CPU: camtui against the floor (a trivial Textual app), side by side in one run.

Each target runs in a pseudo-terminal at 160×48 (all three standard streams are the terminal, as in real use), with
a fresh HOME per run, N times (plus one warm-up run that is not counted), and CAMTUI_STARTUP_PROBE set: the app
writes its timings when the first rooms data is on screen (the floor: when its first frame is). The clock starts
just before the child process is spawned, so interpreter start-up and imports count. With `--settle S` the app keeps
running: its RSS is read S seconds after the data appeared, then its CPU over `--cpu-window` seconds (the app's
process only; the sandbox's own process is reported apart), then "children CPU": what the app's ended children
used from the start (the directory's index builder, compose/index_build.py).

Targets (`--targets`, comma-separated; default all):
- `floor`: benchmarks/floor_app.py (Header, Static, Footer);
- `demo`: `camtui demo --rooms R --users U` (the sandbox in a child process on a socket the app bound, built
  while the UI imports and the app starts);
- `server`: `camtui` on an already-running `camtui serve --rooms R --users U` (started once, before the runs, with
  `--no-simulation` unless `--simulation`): what real users run.

    .venv/bin/python benchmarks/startup.py [--runs 5] [--rooms 24] [--users 2000] [--settle 5] [--cpu-window 10]
                                           [--targets floor,demo,server] [--in-process]
                                           [--worlds fresh|shared] [--bytecode cached|none]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Figures:
    to_data: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    cpu_pct: list[float] = field(default_factory=list)
    children_cpu_s: list[float] = field(default_factory=list)
    phases: dict[str, list[float]] = field(default_factory=dict)
    marks: dict[str, list[float]] = field(default_factory=dict)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def children_cpu_seconds(pid: int) -> float:
    """CPU of the app's children that have ended (the directory's index builder; not the demo's sandbox, which
    runs until the app quits): work moved out of the app's process is still counted, apart."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / TICKS  # cutime + cstime


def command_for(target: str, args: argparse.Namespace, workdir: Path, index: int) -> list[str]:
    if target == "floor":
        return [sys.executable, str(ROOT / "benchmarks" / "floor_app.py")]
    if target == "server":
        return [sys.executable, "-m", "camtui"]
    cmd = [sys.executable, "-m", "camtui", "demo", "--rooms", str(args.rooms), "--users", str(args.users)]
    cmd += ["--store", str(workdir / f"store-{index}.db")]
    if args.in_process:
        cmd.append("--in-process")
    return cmd


def one_run(
    target: str, args: argparse.Namespace, workdir: Path, index: int, server_env: dict[str, str]
) -> dict[str, float] | None:
    home = workdir / f"{target}-home-{index}"
    home.mkdir()
    probe = workdir / f"probe-{target}-{index}.json"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    env = dict(os.environ, CAMTUI_STARTUP_PROBE=str(probe), TERM="xterm-256color", COLUMNS="160", LINES="48")
    bytecode_setting(args, env)
    env.pop("CAMTUI_CONFIG", None)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"))
    env["CAMTUI_SANDBOX_WORLDS"] = worlds_setting(args, workdir)
    if target == "server":
        env.update(server_env)
    if args.settle > 0:
        env["CAMTUI_STARTUP_PROBE_STAY"] = "1"

    def drain() -> None:
        while True:
            try:
                if not os.read(master, 65536):
                    return
            except OSError:
                return

    reader = threading.Thread(target=drain, daemon=True)
    spawned = time.time()
    proc = subprocess.Popen(
        command_for(target, args, workdir, index), stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env
    )
    reader.start()
    os.close(slave)
    marks: dict[str, float] | None = None
    try:
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline and proc.poll() is None and not probe.exists():
            time.sleep(0.01)
        time.sleep(0.05)
        if not probe.exists():
            print(f"{target} run {index}: no data on screen within {args.timeout} s", file=sys.stderr)
            return None
        marks = json.loads(probe.read_text(encoding="utf-8"))
        marks["spawned"] = spawned
        if args.settle > 0 and proc.poll() is None:
            time.sleep(args.settle)
            marks["rss_mb"] = rss_mb(proc.pid)
            before, t0 = cpu_seconds(proc.pid), time.monotonic()
            time.sleep(args.cpu_window)
            marks["cpu_pct"] = 100 * (cpu_seconds(proc.pid) - before) / (time.monotonic() - t0)
            marks["children_cpu_s"] = children_cpu_seconds(proc.pid)
        return marks
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        os.close(master)


def worlds_setting(args: argparse.Namespace, workdir: Path) -> str:
    """`fresh`: every sandbox generates its world (a new user's first start); `shared`: the runs share one
    world cache (camtui.sandbox.world_cache), filled by the warm-up run: every later start of the same size."""
    return str(workdir / "worlds") if args.worlds == "shared" else "off"


def bytecode_setting(args: argparse.Namespace, env: dict[str, str]) -> None:
    """`cached`: Python may write .pyc files (the warm-up run does), as `pip install` leaves them for a user;
    `none`: every start compiles camtui's sources again (PYTHONDONTWRITEBYTECODE=1 and no .pyc yet)."""
    if args.bytecode == "cached":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"


def start_server(
    args: argparse.Namespace, workdir: Path
) -> tuple[subprocess.Popen[str], dict[str, str], float]:
    cmd = [sys.executable, "-m", "camtui", "serve", "--port", "0", "--db", str(workdir / "server.db")]
    cmd += ["--rooms", str(args.rooms), "--users", str(args.users), "--admin-token", "bench-admin-token-000"]
    if not args.simulation:
        cmd.append("--no-simulation")
    env = dict(os.environ, CAMTUI_SANDBOX_WORLDS=worlds_setting(args, workdir))
    bytecode_setting(args, env)
    if args.worlds == "shared":  # fill the cache first, so "ready" is a start with the world cached
        warm = subprocess.Popen(
            [*cmd[:7], str(workdir / "warm.db"), *cmd[8:]],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT, env=env,
        )  # fmt: skip
        assert warm.stdout is not None
        for line in warm.stdout:
            if line.startswith("Ctrl+C stops"):
                break
        warm.terminate()
        warm.wait(timeout=15)
    t0 = time.monotonic()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT, env=env
    )
    url = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("camtui sandbox: "):
            url = line.split(": ", 1)[1].strip()
        if line.startswith("Ctrl+C stops"):
            break
    ready = time.monotonic() - t0
    return proc, {"CAMTUI_SERVER_URL": url, "CAMTUI_API_TOKEN": "bench-admin-token-000"}, ready


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rooms", type=int, default=24)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--targets", default="floor,demo,server")
    parser.add_argument(
        "--settle", type=float, default=0.0, help="seconds after the data before RSS (0: quit)"
    )
    parser.add_argument("--cpu-window", type=float, default=10.0)
    parser.add_argument(
        "--simulation", action="store_true", help="the running server simulates (default off)"
    )
    parser.add_argument("--in-process", action="store_true", help="demo: sandbox in a thread, not a process")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument(
        "--marks",
        action="store_true",
        help="also print every start-up mark the app wrote (median ms from spawn)",
    )
    parser.add_argument(
        "--worlds",
        choices=("fresh", "shared"),
        default="fresh",
        help="sandbox worlds generated each start (fresh) or cached across starts (shared)",
    )
    parser.add_argument(
        "--bytecode",
        choices=("cached", "none"),
        default="cached",
        help="camtui's .pyc files written by the warm-up run, as an installed package has them (cached), or "
        "its sources compiled at every start (none: what PYTHONDONTWRITEBYTECODE=1 without .pyc files gives)",
    )
    args = parser.parse_args()
    if args.bytecode == "none":
        stale = list((ROOT / "camtui").rglob("__pycache__"))
        if stale:
            print(
                f"--bytecode none: remove {len(stale)} __pycache__ folders under camtui/ first",
                file=sys.stderr,
            )
            return 2
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]

    results: dict[str, Figures] = {t: Figures() for t in targets}
    with tempfile.TemporaryDirectory(prefix="camtui-startup-") as tmp:
        work = Path(tmp)
        server, server_env = None, {}
        if "server" in targets:
            server, server_env, ready = start_server(args, work)
            print(f"camtui serve --rooms {args.rooms} --users {args.users}: ready in {ready * 1000:.0f} ms")
        try:
            for index in range(args.runs + 1):  # run 0 warms the OS file cache and .pyc files; not counted
                for target in targets:  # interleaved, so a noisy moment hits every target alike
                    marks = one_run(target, args, work, index, server_env)
                    if marks is None:
                        return 1
                    if index == 0:
                        continue
                    fig = results[target]
                    fig.to_data.append(marks["first_rooms_painted"] - marks["spawned"])
                    if "rss_mb" in marks:
                        fig.rss_mb.append(marks["rss_mb"])
                        fig.cpu_pct.append(marks["cpu_pct"])
                        fig.children_cpu_s.append(marks["children_cpu_s"])
                    for name, when in marks.items():
                        if name not in ("spawned", "rss_mb", "cpu_pct", "children_cpu_s"):
                            fig.marks.setdefault(name, []).append(when - marks["spawned"])
                    for name, a, b in (
                        ("spawn→launch", "spawned", "launch_import"),
                        ("launch→app built", "launch_import", "app_built"),
                        ("app built→data", "app_built", "first_rooms_painted"),
                    ):
                        if a in marks and b in marks:
                            fig.phases.setdefault(name, []).append(marks[b] - marks[a])
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=15)

    floor = statistics.median(results["floor"].to_data) if "floor" in results else None
    print(
        f"\n{args.rooms} rooms, {args.users} users, 160×48, fresh HOME per run, worlds {args.worlds}, "
        f"bytecode {args.bytecode}, median of {args.runs}:"
    )
    print(
        f"{'target':<8} {'start → data':>14} {'× floor':>8} {'RSS settled':>12} {'CPU settled':>12} "
        f"{'children CPU':>13}"
    )
    for target, fig in results.items():
        med = statistics.median(fig.to_data)
        ratio = f"{med / floor:.1f}×" if floor else "-"
        rss = f"{statistics.median(fig.rss_mb):.0f} MB" if fig.rss_mb else "-"
        cpu = f"{statistics.median(fig.cpu_pct):.1f} %" if fig.cpu_pct else "-"
        kids = f"{statistics.median(fig.children_cpu_s):.2f} s" if fig.children_cpu_s else "-"
        print(f"{target:<8} {med * 1000:>11.0f} ms {ratio:>8} {rss:>12} {cpu:>12} {kids:>13}")
        phases = ", ".join(f"{k} {statistics.median(v) * 1000:.0f} ms" for k, v in fig.phases.items())
        if target != "floor" and phases:
            print(f"{'':<8} ({phases})")
        if args.marks and target != "floor":
            ordered = sorted((statistics.median(v), k) for k, v in fig.marks.items())
            print(f"{'':<8} marks: " + ", ".join(f"{k} {t * 1000:.0f}" for t, k in ordered))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
