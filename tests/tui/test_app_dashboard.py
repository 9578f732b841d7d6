"""The whole dashboard (real rooms, calls and composer panes) against the real sandbox: first data, auth failure
stops every pane's polling until the token is fixed, offline → recovery when the server comes back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import Input
from textual.widgets._toast import Toast

from camtui.api import CAMClient, RetryPolicy
from camtui.common.clock import fixed_clock
from camtui.config.settings import Settings
from camtui.store import Store
from camtui.tui.app import CamApp

NOW = datetime(2026, 3, 2, 1, 40, tzinfo=UTC)  # 10:40 in Tokyo


async def wait_until(pilot, condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the app run until `condition` holds (fails the test if it never does)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not reached")
        await pilot.pause(0.05)


def build(url: str, token: str, store_path: Path, **changes) -> CamApp:
    settings = Settings.defaults().with_changes(server_url=url, api_token=token, **changes)
    client = CAMClient(url, token, read_budget=1.0, retry=RetryPolicy(max_attempts=1))
    return CamApp(client, Store.open(store_path), settings, clock=fixed_clock(NOW), close_on_exit=True)


def toast_titles(app: CamApp) -> list[str]:
    return [t._notification.title for t in app.screen.query(Toast)]


async def test_every_pane_is_real_and_reports_fresh_data(sandbox_factory, tmp_path: Path) -> None:
    server = sandbox_factory(now=lambda: NOW, simulation=False, rooms=6, users=50)
    watch = tuple(c["sid"] for c in server.calls())
    app = build(server.url, server.admin_token, tmp_path / "s.db", watch_calls=watch)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        from camtui.tui.calls.pane import CallsPane
        from camtui.tui.composer.pane import ComposerPane
        from camtui.tui.rooms.pane import RoomsPane

        for pane_id, pane_class in (("rooms", RoomsPane), ("calls", CallsPane), ("composer", ComposerPane)):
            assert isinstance(app.query_one(f"#{pane_id}"), pane_class)
        await wait_until(
            pilot, lambda: app.status_line.last_good("rooms") and app.status_line.last_good("calls")
        )
        assert app.connection == "connected"
        assert app.status_line.connection_text == "● connected"
        assert "rooms 10:40:00" in app.status_line.panes_text
        assert "calls 10:40:00" in app.status_line.panes_text
        assert toast_titles(app) == []

        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert len(titles) == len(set(titles))
        for pane in ("Rooms", "Calls", "Composer"):
            assert any(t.startswith(f"{pane}: ") for t in titles), pane
        assert not [t for t in titles if t.split(": ")[-1] in ("Up", "Down", "Page up", "Page down")]
        assert "Maximize" not in titles  # Textual's widget maximise is replaced by the pane one


async def test_auth_failure_stops_all_polling_until_the_token_is_fixed(
    sandbox_factory, tmp_path: Path
) -> None:
    server = sandbox_factory(now=lambda: NOW, simulation=False, rooms=4, users=30)
    watch = tuple(c["sid"] for c in server.calls())[:2]
    app = build(
        server.url,
        "wrong-token",
        tmp_path / "s.db",
        watch_calls=watch,
        rooms_poll_seconds=1.0,
        calls_poll_seconds=1.0,
    )
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await wait_until(pilot, lambda: app.auth_failed)
        await pilot.pause(0.5)  # let polls already in flight land
        titles = toast_titles(app)
        assert titles and all("805 Invalid API token" in t for t in titles)
        assert len(titles) == len(set(titles))  # at most one per pane
        assert app.status_line.connection_text == "✖ auth failed"
        before = server.stats()["requests"]
        await pilot.pause(2.5)  # more than two poll intervals of every pane
        assert server.stats()["requests"] == before, "a pane kept polling with a rejected token"

        app.action_set_token()
        await pilot.pause()
        app.screen.query_one(Input).value = server.admin_token
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.connection == "connected")
        assert not app.auth_failed
        await wait_until(pilot, lambda: server.stats()["requests"] > before)


async def test_offline_then_recovers_when_the_server_comes_back(sandbox_factory, tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    server = sandbox_factory(db_path=db, now=lambda: NOW, simulation=False, rooms=4, users=30)
    url, token = server.url, server.admin_token
    port = int(url.rsplit(":", 1)[1])
    app = build(url, token, tmp_path / "s.db", rooms_poll_seconds=1.0, calls_poll_seconds=1.0)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await wait_until(pilot, lambda: app.connection == "connected")
        server.stop()
        await wait_until(pilot, lambda: "rooms: server not reachable" in toast_titles(app))
        await wait_until(pilot, lambda: app.connection == "offline")
        assert app.status_line.connection_text == "○ offline"
        await wait_until(pilot, lambda: "rooms 10:40:00 stale: offline" in app.status_line.panes_text)

        sandbox_factory(
            db_path=db, now=lambda: NOW, simulation=False, rooms=4, users=30, port=port, admin_token=token
        )
        await pilot.press("ctrl+r")  # retry now, rather than waiting out the panes' back-off
        await wait_until(pilot, lambda: app.connection == "connected", timeout=30)
        await wait_until(pilot, lambda: "rooms 10:40:00" in app.status_line.panes_text)
        assert "rooms 10:40:00 stale" not in app.status_line.panes_text


async def test_deferred_lower_panes_arrive_after_the_rooms_data(sandbox_factory, tmp_path: Path) -> None:
    server = sandbox_factory(now=lambda: NOW, simulation=False, rooms=6, users=50)
    settings = Settings.defaults().with_changes(server_url=server.url, api_token=server.admin_token)
    client = CAMClient(server.url, server.admin_token, read_budget=1.0, retry=RetryPolicy(max_attempts=1))
    app = CamApp(
        client,
        Store.open(tmp_path / "s.db"),
        settings,
        clock=fixed_clock(NOW),
        close_on_exit=True,
        defer_lower_panes=True,
    )
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        assert app.pane("rooms") is not None
        await wait_until(pilot, lambda: "lower_panes_mounted" in app.startup_marks)
        marks = app.startup_marks
        assert marks["first_rooms_data"] <= marks["lower_panes_mounted"]  # rooms first, the rest after
        assert not app.query(".pane-loading")
        await pilot.press("3")
        assert app.focused is not None and app.focused_pane() is app.pane("composer")


async def test_deferred_lower_panes_come_even_if_rooms_never_answers(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # nobody listens there
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    settings = Settings.defaults().with_changes(server_url=url, api_token="t" * 20)
    client = CAMClient(url, "t" * 20, read_budget=0.2, retry=RetryPolicy(max_attempts=1))
    app = CamApp(client, Store.open(":memory:"), settings, close_on_exit=True, defer_lower_panes=True)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await wait_until(pilot, lambda: "lower_panes_mounted" in app.startup_marks)
        assert app.pane("calls") is not None and app.pane("composer") is not None
        await wait_until(pilot, lambda: app.connection == "offline")
