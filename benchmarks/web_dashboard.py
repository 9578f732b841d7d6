"""`camtui web`: page load → first rooms data drawn in a real browser, and the memory each tab's app costs.

Starts a sandbox (its own process), `camtui web` on a free loopback port, and Debian's chromium (playwright). Each
run opens a new tab, and times from `page.goto` to the moment the terminal in the page shows a demo room's name
(read from xterm's buffer, polled every 20 ms); the tab is then closed and its process reaped before the next.
RSS per session is read from /proc for the tab's `web-session` process once its data is drawn and settled (2 s).

    .venv/bin/python benchmarks/web_dashboard.py [--runs 5] [--rooms 24] [--users 2000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "web"))

from webtools import screen_text  # noqa: E402

from camtui.sandbox.runner import start_sandbox_process  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def session_pids(server_pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"web-session" in (entry / "cmdline").read_bytes():
                    out.append(int(entry.name))
            except OSError:
                pass
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rooms", type=int, default=24)
    parser.add_argument("--users", type=int, default=2000)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory() as tmp,
        start_sandbox_process(
            db_path=Path(tempfile.mkdtemp()) / "sb.db", rooms=args.rooms, users=args.users
        ) as sb,
    ):
        env = {
            **os.environ,
            "HOME": tmp,
            "XDG_DATA_HOME": f"{tmp}/data",
            "XDG_CONFIG_HOME": f"{tmp}/config",
            "CAMTUI_SERVER_URL": sb.url,
            "CAMTUI_API_TOKEN": sb.admin_token,
        }
        web = subprocess.Popen(
            [sys.executable, "-m", "camtui", "web", "--port", "0"],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = ""
        assert web.stdout is not None
        for line in web.stdout:
            if "open http" in line:
                url = line.split("open ", 1)[1].strip()
                break
        times, rss = [], []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=shutil.which("chromium"),
                    args=[
                        "--no-sandbox",
                        "--disable-gpu",
                        "--no-first-run",
                        "--disable-background-networking",
                    ],
                )
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                for _ in range(args.runs):
                    page = context.new_page()
                    t0 = time.perf_counter()
                    page.goto(url)
                    while "会議室A" not in screen_text(page):
                        page.wait_for_timeout(20)
                    times.append((time.perf_counter() - t0) * 1000)
                    page.wait_for_timeout(2000)
                    pids = session_pids(web.pid)
                    rss.append(sum(rss_mb(pid) for pid in pids) / max(1, len(pids)))
                    page.close()
                    while session_pids(web.pid):
                        time.sleep(0.05)
                browser.close()
        finally:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(timeout=15)
    print(f"camtui web ({args.rooms} rooms, {args.users} users), {args.runs} tabs, one after another:")
    print(
        f"  page load → first rooms data drawn: median {statistics.median(times):.0f} ms "
        f"(min {min(times):.0f}, max {max(times):.0f})"
    )
    print(
        f"  RSS of one tab's app process, settled: median {statistics.median(rss):.0f} MB "
        f"(min {min(rss):.0f}, max {max(rss):.0f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
