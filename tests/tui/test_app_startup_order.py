"""What makes the start fast: the rooms data is drawn before the user directory is fetched (the directory never
blocks it), and the composer works from a cold store (nothing cached) and from a warm one (the cached directory
at once, the refresh behind it)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from camtui.api import CAMClient
from camtui.api.models import User
from camtui.config.settings import Settings
from camtui.store import Store
from camtui.tui.app import CamApp
from tests.bookings import book_tonight

SLOW_EXPORT = {"latency_ms": 1500, "methods": ["exportUsers"]}


async def until(pilot: Pilot, condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await pilot.pause(0.02)


def _app(sb, store: Store) -> CamApp:
    settings = Settings.defaults().with_changes(server_url=sb.url, api_token=sb.admin_token)
    return CamApp(
        CAMClient(sb.url, sb.admin_token), store, settings, close_on_exit=True, defer_lower_panes=True
    )


def _composer_state(app: CamApp) -> str | None:
    pane = app.pane("composer")
    return getattr(pane, "_directory_state", None) if pane is not None else None


async def test_cold_store_rooms_first_then_the_directory(sandbox_factory, tmp_path: Path) -> None:
    sb = sandbox_factory(faults=SLOW_EXPORT)
    store = Store.open(tmp_path / "cold.db")
    app = _app(sb, store)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: "first_rooms_data" in app.startup_marks, "first rooms data")
        assert _composer_state(app) in (None, "loading")  # the export is still on its way
        await until(pilot, lambda: _composer_state(app) == "fresh", "the directory", timeout=30)
        fresh_at = time.time()
        assert app.startup_marks["first_rooms_data"] < fresh_at - 1.0  # not held back by the 1.5 s export
        matcher = app.pane("composer").matcher  # type: ignore[union-attr]
        assert matcher.match("user1@xxx.com")[0].email == "user1@xxx.com"
    assert len(Store.open(tmp_path / "cold.db").directory) > 0  # cached for the next start


async def test_warm_store_offers_the_cached_directory_before_the_refresh(
    sandbox_factory, tmp_path: Path
) -> None:
    path = tmp_path / "warm.db"
    seeded = Store.open(path)
    seeded.directory.replace(
        [
            User(
                "u-cached",
                "cached.only@example.co.jp",
                "キャッシュ 花子",
                "Hanako Cache",
                "総務部",
                "",
                False,
            )
        ]
    )
    seeded.close()
    sb = sandbox_factory(faults=SLOW_EXPORT)
    app = _app(sb, Store.open(path))
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: _composer_state(app) == "cached", "the cached directory")
        matcher = app.pane("composer").matcher  # type: ignore[union-attr]
        assert [c.email for c in matcher.match("hanako cache")] == ["cached.only@example.co.jp"]
        await until(pilot, lambda: _composer_state(app) == "fresh", "the refreshed directory", timeout=30)
        refreshed = app.pane("composer").matcher  # type: ignore[union-attr]
        assert refreshed.get("cached.only@example.co.jp") is None  # the server's directory replaced the cache
        assert refreshed.get("user1@xxx.com") is not None


async def test_the_first_rooms_data_is_painted_before_the_alert_engine_starts(
    sandbox, tmp_path: Path
) -> None:
    """The alert engine (its import, its state read from the store) starts after the frame that shows the first
    rooms data, then takes that poll: the rooms it was given are the ones painted."""
    seen: dict[str, bool] = {}
    settings = Settings.defaults().with_changes(server_url=sandbox.url, api_token=sandbox.admin_token)

    def painted(_when: float) -> None:
        seen["engine_at_paint"] = app._alerts_started

    app = CamApp(
        CAMClient(sandbox.url, sandbox.admin_token), Store.open(tmp_path / "s.db"), settings,
        close_on_exit=True, defer_lower_panes=True, on_first_rooms_paint=painted,
    )  # fmt: skip
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: "engine_at_paint" in seen, "the first rooms paint")
        assert seen["engine_at_paint"] is False
        await until(pilot, lambda: app._alerts is not None, "the engine started")
        await until(pilot, lambda: bool(app._today_rooms), "today's rooms known to the alerts")
        await until(pilot, lambda: "lower_panes_mounted" in app.startup_marks, "the lower panes")
        assert not app.error_log


async def test_a_big_sites_first_rows_are_built_at_once_and_later_polls_in_a_thread(
    sandbox_factory, tmp_path: Path, monkeypatch
) -> None:
    """Nothing is on screen to keep responsive before the first rows: they are built in the event loop (a
    thread took twice as long while the loop painted the first frame). Later polls build in a thread."""
    import asyncio

    from camtui.tui.rooms import polling

    built_in_thread: list[int] = []
    to_thread = asyncio.to_thread

    async def recording(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        if func is polling._build:
            built_in_thread.append(len(args[0]))
        return await to_thread(func, *args, **kwargs)

    monkeypatch.setattr(polling.asyncio, "to_thread", recording)
    sb = sandbox_factory(rooms=polling.THREAD_THRESHOLD + 40)
    app = _app(sb, Store.open(tmp_path / "s.db"))
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: "first_rooms_data" in app.startup_marks, "first rooms data")
        marks = app.startup_marks
        assert marks["rooms_poll_start"] <= marks["rooms_answer_parsed"] <= marks["rooms_rows_built"]
        assert marks["rooms_rows_built"] <= marks["first_rooms_data"]
        assert built_in_thread == []
        pane = app.pane("rooms")
        assert pane is not None and len(pane.all_rows) == polling.THREAD_THRESHOLD + 40  # type: ignore[attr-defined]
        polls = pane.polls  # type: ignore[attr-defined]
        book_tonight(
            tmp_path / "sandbox-0.db", "rsv-late", "late"
        )  # the next answer differs: its rows are built again
        pane.poll_now()  # type: ignore[attr-defined]
        await until(pilot, lambda: pane.polls > polls, "the second poll")  # type: ignore[attr-defined]
        assert built_in_thread == [polling.THREAD_THRESHOLD + 40]
        assert marks["rooms_rows_built"] < marks["first_rooms_data"]  # the marks are the first poll's only
