"""SVG snapshots of the calls pane (maximised) and of the detail view, on a fixed clock.

The sandbox runs on the same fixed clock, so its demo calls (ids, titles, expiry) are the same every run. The
history the sparklines draw comes from the store, as after a restart. Calls are watched by share URL on a fixed
host so the detail view does not show the sandbox's random port.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from camtui.api import CAMClient
from camtui.config.settings import Settings
from camtui.store import Store
from camtui.store.calls import Sample
from camtui.tui.app import CamApp
from camtui.tui.calls.pane import CallsPane

NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
SIZE = (150, 40)


def _app(sb: Any, tmp_path: Path) -> CamApp:
    live = sb.calls()
    store = Store.open(tmp_path / "s.db")
    for i, call in enumerate(live):
        sid = call["sid"]
        store.calls.watch(sid, url=f"https://calls.example.com/share/{sid}", origin="config", now=NOW)
        points = [
            Sample(NOW - timedelta(minutes=28 - 2 * k), max(0, (k * (i + 2)) % 9 - i), True)
            for k in range(14)
        ]
        store.calls.add_samples(sid, points)
    store.calls.watch("gone0000sid", origin="added", now=NOW)  # deleted on the server: the error state
    client = CAMClient(sb.url, sb.admin_token)
    settings = Settings.defaults().with_changes(
        server_url=sb.url, api_token=sb.admin_token, calls_poll_seconds=3600
    )
    return CamApp(client, store, settings, clock=lambda: NOW, server_label="sandbox", close_on_exit=True)


async def _settle(pilot: Pilot) -> None:
    """Calls polled (and the error toast dismissed), the pane maximised, the cursor on the first row."""
    app = pilot.app
    deadline = time.monotonic() + 15
    while not app.query("#calls"):
        assert time.monotonic() < deadline, "the calls pane did not mount"
        await pilot.pause(0.02)
    pane = app.query_one("#calls", CallsPane)
    while pane.rounds < 1 or any(r.last_attempt is None for r in pane.watched):
        assert time.monotonic() < deadline, "the first round did not finish"
        await pilot.pause(0.02)
    await pilot.press("2", "z")
    app.clear_notifications()
    pane.table.select(pane.watched[0].sid)
    await pilot.pause(0.1)


def test_calls_pane_snapshot(sandbox_factory, tmp_path, snap_compare):
    sb = sandbox_factory(now=lambda: NOW)
    assert snap_compare(_app(sb, tmp_path), terminal_size=SIZE, run_before=_settle)


def test_calls_detail_snapshot(sandbox_factory, tmp_path, snap_compare):
    sb = sandbox_factory(now=lambda: NOW)

    async def open_detail(pilot: Pilot) -> None:
        await _settle(pilot)
        await pilot.press("enter")
        await pilot.pause(0.1)
        pilot.app.screen.query_one("#calls-detail-user").value = "山田 太郎"
        await pilot.pause(0.1)

    assert snap_compare(_app(sb, tmp_path), terminal_size=SIZE, run_before=open_detail)
