"""Make the README's screenshots: SVGs of the dashboard on the demo sandbox, at a fixed instant, so reruns match.

    .venv/bin/python screenshots/make_screenshots.py [--out screenshots] [--size 160x48]

The sandbox runs with the demo data (fixed seed, fixed clock, simulation advanced a fixed number of steps) and the
app with a fixed clock. Besides the shell's own shots (main screen, help, palette, a maximised pane), each pane
module may list its own as `SCREENSHOTS = [("name", ["keys", "to", "press"]), ...]` (keys pressed on the main screen
after its data arrived; escape is pressed between shots): they are collected here, so pane authors add shots
without editing this file. The admin screen's shots (users table, a CSV diff, the chat room editor) need scripted
steps: they are in admin_shots.py (`--only admin` makes just those).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIXED_NOW = datetime(2026, 3, 2, 1, 40, tzinfo=UTC)  # Monday 10:40 in Tokyo: a busy morning
SIMULATION_STEPS = 12

SHELL_SHOTS: list[tuple[str, list[str]]] = [
    ("dashboard", []),
    ("help", ["question_mark"]),
    ("palette", ["ctrl+p"]),
    ("rooms-maximised", ["1", "z"]),
]
PANE_MODULES = ("camtui.tui.rooms.pane", "camtui.tui.calls.pane", "camtui.tui.composer.pane")


def collect_shots() -> list[tuple[str, list[str]]]:
    shots = list(SHELL_SHOTS)
    for name in PANE_MODULES:
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # a pane that does not import: say so, keep the other shots
            print(f"skipping {name}: {exc}", file=sys.stderr)
            continue
        shots.extend((shot, list(keys)) for shot, keys in getattr(module, "SCREENSHOTS", ()))
    return shots


async def wait_for_data(app, pilot, timeout: float = 15.0) -> None:
    """Until every real pane reported good data once (or the timeout: the shot then shows what there is)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if all(app.status_line.last_good(p) is not None for p in ("rooms", "calls")):
            break
        await pilot.pause(0.1)
    await pilot.pause(0.3)


async def make(out: Path, size: tuple[int, int], only: str | None = None) -> list[Path]:
    from camtui.common.clock import fixed_clock
    from camtui.sandbox.runner import start_sandbox
    from camtui.tui.app import make_app

    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="camtui-shots-") as tmp:
        sandbox = start_sandbox(
            db_path=Path(tmp) / "sandbox.db",
            seed=1,
            rooms=24,
            users=2000,
            simulation=False,
            now=lambda: FIXED_NOW,
        )
        try:
            sandbox.advance_simulation(SIMULATION_STEPS)
            watch = tuple(str(c["sid"]) for c in sandbox.calls())
            for name, keys in collect_shots() if only in (None, "shell") else []:
                app = make_app(
                    sandbox.url,
                    sandbox.admin_token,
                    store_path=Path(tmp) / f"store-{name}.db",
                    clock=fixed_clock(FIXED_NOW),
                    watch_calls=watch,
                )
                app.server_label = "demo sandbox 127.0.0.1"  # stable across runs (the port is random)
                async with app.run_test(size=size) as pilot:
                    await wait_for_data(app, pilot)
                    for key in keys:
                        await pilot.press(key)
                        await pilot.pause(0.2)
                    await pilot.pause(0.3)
                    path = out / f"{name}.svg"
                    path.write_text(app.export_screenshot(title=f"camtui — {name}"), encoding="utf-8")
                    written.append(path)
                    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
            if only in (None, "admin"):
                from admin_shots import make_admin_shots

                written += await make_admin_shots(sandbox, Path(tmp), FIXED_NOW, out, size)
        finally:
            sandbox.stop()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--size", default="160x48", help="terminal COLUMNSxROWS (default 160x48)")
    parser.add_argument("--no-web", action="store_true", help="skip the browser screenshots (PNG)")
    parser.add_argument(
        "--only", choices=("shell", "admin"), help="only the dashboard's / the admin screen's"
    )
    args = parser.parse_args()
    cols, rows = (int(v) for v in args.size.lower().split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(make(args.out, (cols, rows), args.only))
    if not args.no_web and args.only is None:
        from web_shots import make_web_shots

        for path in make_web_shots(args.out):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
