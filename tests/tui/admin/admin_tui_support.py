"""The real shell with the admin screen; the three panes are placeholders so only the admin screen talks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from camtui.api import CAMClient
from camtui.common.clock import fixed_clock
from camtui.config.settings import Settings
from camtui.store import Store
from camtui.tui.app import CamApp

NOW = datetime(2026, 12, 7, 5, 2, tzinfo=UTC)  # 14:02 in Tokyo


def admin_app(
    client: CAMClient, store: Store, clock: Callable[[], datetime] | None = None, **changes: Any
) -> CamApp:
    settings = Settings.defaults().with_changes(server_url=client.server_url, api_token="x", **changes)
    return CamApp(
        client,
        store,
        settings,
        clock=clock or fixed_clock(NOW),
        panes={name: (lambda n=name: Static(n)) for name in ("rooms", "calls", "composer")},
    )


async def until(
    pilot: Pilot[Any], condition: Callable[[], object], what: str = "condition", limit: float = 20.0
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await pilot.pause(0.02)


def text_of(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def open_store(path: Any = ":memory:") -> Store:
    """The store on the same fixed clock as the app (the export's age is "just now")."""
    return Store.open(path, clock=fixed_clock(NOW))
