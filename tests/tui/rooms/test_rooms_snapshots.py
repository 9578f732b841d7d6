"""SVG snapshots of the rooms grid, the reservation detail, the month overview and the pane (fixed clock).

Update after an intended visual change with `pytest tests/tui/test_rooms_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from camtui.api import CAMClient, RetryPolicy
from camtui.api.models import RoomStatus
from camtui.common.clock import Clock, fixed_clock
from camtui.config.settings import Settings
from camtui.tui.rooms.detail import ReservationDetailScreen
from camtui.tui.rooms.model import DayAxis, build_rows
from camtui.tui.rooms.month.screen import MonthOverviewScreen
from camtui.tui.rooms.pane import RoomsPane
from camtui.tui.rooms.synthetic import (
    SAMPLE_DAY,
    SAMPLE_NOW,
    SAMPLE_TZ,
    STYLES,
    GridPreviewApp,
    sample_month_rooms,
    sample_rooms,
)


async def _settle(pilot: Pilot, done, limit: int = 400) -> None:
    for _ in range(limit):
        if done():
            break
        await pilot.pause(0.025)
    await pilot.pause()


def test_grid(snap_compare) -> None:
    """Wide names aligned, now-line at 10:40, booked / in progress / overlap colours, cursor on a cell."""
    assert snap_compare(
        GridPreviewApp(), press=["down", "down", "right", "right", "right"], terminal_size=(120, 12)
    )


def test_grid_scrolled_with_free_now(snap_compare) -> None:
    """Narrow terminal scrolled to the evening: the room column and the header stay; free-now highlighted."""

    async def run_before(pilot: Pilot) -> None:
        pilot.app.query_one("#grid").set_free_now_highlight(True)
        await pilot.press("end")

    assert snap_compare(GridPreviewApp(), run_before=run_before, terminal_size=(64, 12))


class DetailHost(App[None]):
    CSS_PATH: ClassVar = [STYLES]

    def __init__(self, room_index: int, slot: int, locale: str) -> None:
        super().__init__()
        self._args = (room_index, slot, locale)

    def compose(self) -> ComposeResult:
        return iter(())

    def on_mount(self) -> None:
        room_index, slot, locale = self._args
        axis = DayAxis.build(SAMPLE_DAY, SAMPLE_TZ)
        row = build_rows(sample_rooms(), axis, SAMPLE_NOW)[room_index]
        self.push_screen(ReservationDetailScreen(row, slot, axis, SAMPLE_NOW, locale))


def test_detail_of_an_overlap_in_japanese(snap_compare) -> None:
    """大会議室 at 11:00: two reservations overlap; both listed, humanised in Japanese; "[/x]" shown as text."""
    assert snap_compare(DetailHost(2, 6, "ja"), terminal_size=(90, 24))


def test_detail_in_english(snap_compare) -> None:
    assert snap_compare(DetailHost(0, 5, "en"), terminal_size=(90, 18))


class MonthHost(App[None]):
    CSS_PATH: ClassVar = [STYLES]

    def compose(self) -> ComposeResult:
        return iter(())

    def on_mount(self) -> None:
        async def load(period: str) -> RoomStatus:
            year, month = int(period[:4]), int(period[4:6])
            return RoomStatus(sample_month_rooms(year, month), period, None, None, SAMPLE_TZ)

        self.push_screen(
            MonthOverviewScreen(load, SAMPLE_DAY, today=SAMPLE_DAY, tz=SAMPLE_TZ, focus_day=SAMPLE_DAY)
        )


def test_month_overview(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await _settle(pilot, lambda: getattr(pilot.app.screen, "loaded", False))

    assert snap_compare(MonthHost(), run_before=run_before, terminal_size=(150, 16))


class PaneHost(App[None]):
    """What the pane needs from the shell (contract names), hosting only the pane: a stable picture."""

    CSS_PATH: ClassVar = [STYLES]

    def __init__(self, url: str, token: str, clock: Clock) -> None:
        super().__init__()
        self.settings = Settings.defaults().with_changes(server_url=url, api_token=token, locale="en")
        self.client = CAMClient(url, token, retry=RetryPolicy(max_attempts=1))
        self.clock = clock
        self.errors: list[BaseException] = []

    def report_error(self, exc: BaseException, source: str) -> None:
        self.errors.append(exc)

    def compose(self) -> ComposeResult:
        yield RoomsPane()

    async def on_unmount(self) -> None:
        await self.client.aclose()


def test_pane_on_the_sandbox(snap_compare, sandbox_factory) -> None:
    """The pane's bar (date, counts, data age) over the grid, on the sandbox's demo data at a fixed time."""
    now = SAMPLE_NOW
    server = sandbox_factory(now=fixed_clock(now))
    app = PaneHost(server.url, server.admin_token, fixed_clock(now))

    async def run_before(pilot: Pilot) -> None:
        pane = pilot.app.query_one(RoomsPane)
        await _settle(pilot, lambda: pane.polls >= 1)
        assert pane.day == date(2026, 5, 12) and not pilot.app.errors  # type: ignore[attr-defined]

    assert snap_compare(app, run_before=run_before, terminal_size=(150, 18))


def test_pane_before_the_hours(snap_compare, sandbox_factory) -> None:
    """06:40: the grid widens to 06:00 so the meetings running now (06:00–07:30) and the now-line show."""
    now = datetime(2026, 11, 30, 6, 40, tzinfo=ZoneInfo(SAMPLE_TZ))
    server = sandbox_factory(now=fixed_clock(now))
    app = PaneHost(server.url, server.admin_token, fixed_clock(now))

    async def run_before(pilot: Pilot) -> None:
        pane = pilot.app.query_one(RoomsPane)
        await _settle(pilot, lambda: pane.polls >= 1)
        await pilot.press("f")
        await pilot.pause()
        assert pane.grid.axis is not None and pane.grid.axis.widened

    assert snap_compare(app, run_before=run_before, terminal_size=(150, 18))
