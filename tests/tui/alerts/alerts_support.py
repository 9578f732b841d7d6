"""Shared by the Alerts view tests: the real app on the real sandbox, one movable clock for both, quick calls
made through the real client, and participants set in the sandbox's own state."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from camtui.api import CAMClient
from camtui.api.read_only import ReadOnlyClient
from camtui.api.retry import RetryPolicy
from camtui.config.settings import Settings
from camtui.store import Store
from camtui.tui.app import CamApp

NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo


class MovableClock:
    """One "now" for the sandbox and the app; the test moves it."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def client_for(sb: Any) -> CAMClient:
    return CAMClient(
        sb.url,
        sb.admin_token,
        read_budget=3.0,
        retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.05, max_retry_after=0.2),
    )


def build_app(
    sb: Any,
    store_path: Path,
    clock: Callable[[], datetime],
    alerts: tuple[dict[str, Any], ...] = (),
    *,
    watch: tuple[str, ...] = (),
    read_only: bool = False,
) -> CamApp:
    """The real app (real client and store); polling slow, so rounds happen when the test presses `r`."""
    config = Settings.defaults().with_changes(
        server_url=sb.url,
        api_token=sb.admin_token,
        calls_poll_seconds=3600.0,
        rooms_poll_seconds=3600.0,
        watch_calls=watch,
        alert_tables=alerts,
    )
    client: Any = client_for(sb)
    if read_only:
        client = ReadOnlyClient(client)
    return CamApp(
        client,
        Store.open(store_path),
        config,
        clock=clock,
        server_label="sandbox",
        close_on_exit=True,
        read_only=read_only,
    )


async def quick_call(sb: Any, clock: Callable[[], datetime], title: str, minutes: int = 120) -> Any:
    """A quick call on the sandbox through the real client (what the calls pane's `n` does)."""
    client = client_for(sb)
    try:
        return await client.create_quick_call(clock() + timedelta(minutes=minutes), "", title)
    finally:
        await client.aclose()


def set_participants(sb: Any, sid: str, participants: int) -> None:
    """The sandbox's `POST /_sandbox/call`: `participants` people in the call (in progress when > 0)."""
    sb.set_call(sid, participants)


async def until(
    pilot: Pilot, condition: Callable[[], bool], what: str = "condition", timeout: float = 15.0
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await pilot.pause(0.02)


async def calls_round(pilot: Pilot) -> None:
    """One calls round now (the pane's `r`), waited for."""
    pane = pilot.app.query_one("#calls")
    done = pane.rounds
    pane.start_round(manual=True)
    await until(pilot, lambda: pane.rounds > done, "a calls round")
    await pilot.pause(0.05)


async def rooms_poll(pilot: Pilot) -> None:
    pane = pilot.app.query_one("#rooms")
    done = pane.polls
    pane.poll_now()
    await until(pilot, lambda: pane.polls > done, "a rooms poll")
    await pilot.pause(0.05)
