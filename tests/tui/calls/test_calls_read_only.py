"""A read-only dashboard (`camtui web --read-only`, kiosk) offers no key that would create a call."""

from __future__ import annotations

from datetime import UTC, datetime

from camtui.api import CAMClient
from camtui.api.read_only import ReadOnlyClient
from camtui.config.settings import Settings
from camtui.store import Store
from camtui.tui.app import CamApp
from camtui.tui.calls.create import QuickCallDialog
from camtui.tui.calls.pane import CallsPane

NOW = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)


def _app(sb, tmp_path, *, read_only: bool) -> CamApp:
    client = CAMClient(sb.url, sb.admin_token)
    config = Settings.defaults().with_changes(
        server_url=sb.url, api_token=sb.admin_token, calls_poll_seconds=3600
    )
    return CamApp(
        ReadOnlyClient(client) if read_only else client,
        Store.open(tmp_path / "s.db"),
        config,
        clock=lambda: NOW,
        close_on_exit=True,
        read_only=read_only,
    )


def _shown(app: CamApp) -> set[str]:
    return {active.binding.action for active in app.screen.active_bindings.values()}


async def test_new_call_and_successor_are_gone_on_a_read_only_dashboard(sandbox_factory, tmp_path):
    sb = sandbox_factory(now=lambda: NOW)
    app = _app(sb, tmp_path, read_only=True)
    async with app.run_test(size=(170, 50)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.focused, CallsPane) or app.focused in app.query_one(CallsPane).walk_children()
        assert not {"new_call", "successor"} & _shown(app)
        await pilot.press("n", "N")
        await pilot.pause()
        assert not isinstance(app.screen, QuickCallDialog)


async def test_read_write_dashboard_still_offers_new_call(sandbox_factory, tmp_path):
    sb = sandbox_factory(now=lambda: NOW)
    app = _app(sb, tmp_path, read_only=False)
    async with app.run_test(size=(170, 50)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert "new_call" in _shown(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, QuickCallDialog)


async def test_a_token_typed_into_a_read_only_dashboard_stays_read_only(sandbox_factory, tmp_path):
    from camtui.api.read_only import ReadOnlyError
    from camtui.tui.shell.palette import pane_commands

    sb = sandbox_factory(now=lambda: NOW)
    app = _app(sb, tmp_path, read_only=True)
    async with app.run_test(size=(170, 50)) as pilot:
        first = app.client
        app._swap_client(sb.admin_token)
        for _ in range(100):
            if app.client is not first:
                break
            await pilot.pause(0.02)
        assert app.client is not first and isinstance(app.client, ReadOnlyClient)
        try:
            await app.client.send_message("messenger", "from the wall", users=["user1@xxx.com"])
        except ReadOnlyError:
            pass
        else:
            raise AssertionError("a read-only dashboard sent a message")
        titles = {c.title for c in pane_commands(app, app.screen)}
        assert not any(t.startswith("Admin:") for t in titles)  # no admin work offered either
    assert sb.delivered_messages() == []
