"""PNG screenshots of `camtui demo --web` in Debian's chromium: the dashboard, and the kiosk wall display.

Called by make_screenshots.py (`--web`, on by default when chromium is installed); runs the real command."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "web"))

SHOTS = (  # (file, extra flags, viewport)
    ("web-dashboard.png", (), (1400, 900)),
    ("web-kiosk.png", ("--kiosk",), (1920, 1080)),
)


def make_web_shots(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright
    from webtools import wait_for_text

    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium is not installed: no browser screenshots", file=sys.stderr)
        return []
    made = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for name, flags, (width, height) in SHOTS:
            with tempfile.TemporaryDirectory() as home:
                env = {**os.environ, "HOME": home, "XDG_DATA_HOME": f"{home}/data"}
                proc = subprocess.Popen(
                    [sys.executable, "-m", "camtui", "demo", "--web", "--port", "0", *flags],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    start_new_session=True,
                )
                try:
                    url = ""
                    assert proc.stdout is not None
                    for line in proc.stdout:
                        if "open http" in line:
                            url = line.split("open ", 1)[1].strip()
                            break
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(url)
                    wait_for_text(page, "会議室A")
                    wait_for_text(page, "Calls")
                    time.sleep(2.0)  # the calls' first round and the sparklines
                    path = out / name
                    page.screenshot(path=str(path))
                    page.close()
                    made.append(path)
                finally:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=20)
        browser.close()
    return made
