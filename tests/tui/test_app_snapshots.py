"""SVG snapshots of the shell: the main screen with every pane on the demo data, and the help screen.

Fixed instant, fixed seed, no live simulation (advanced a fixed number of steps), a fixed server label: the
pictures only change when the UI does. Update with `pytest --snapshot-update` after checking the report."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from camtui.common.clock import fixed_clock
from camtui.tui.app import make_app

NOW = datetime(2026, 3, 2, 1, 40, tzinfo=UTC)  # Monday 10:40 in Tokyo
SIZE = (160, 48)


def demo_app(server, tmp_path: Path):
    server.advance_simulation(12)
    watch = tuple(c["sid"] for c in server.calls())
    app = make_app(
        server.url,
        server.admin_token,
        store_path=tmp_path / "store.db",
        clock=fixed_clock(NOW),
        watch_calls=watch,
    )
    app.server_label = "demo sandbox 127.0.0.1"
    return app


async def wait_for_data(pilot) -> None:
    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while loop.time() < deadline:
        if app.status_line.last_good("rooms") and app.status_line.last_good("calls"):
            break
        await pilot.pause(0.05)
    await pilot.pause(0.3)


def test_main_screen(snap_compare, sandbox_factory, tmp_path: Path) -> None:
    server = sandbox_factory(now=lambda: NOW, seed=1, rooms=24, users=500, simulation=False)
    assert snap_compare(demo_app(server, tmp_path), terminal_size=SIZE, run_before=wait_for_data)


def test_help_screen(snap_compare, sandbox_factory, tmp_path: Path) -> None:
    server = sandbox_factory(now=lambda: NOW, seed=1, rooms=24, users=500, simulation=False)

    async def open_help(pilot) -> None:
        await wait_for_data(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.2)

    assert snap_compare(demo_app(server, tmp_path), terminal_size=SIZE, run_before=open_help)
