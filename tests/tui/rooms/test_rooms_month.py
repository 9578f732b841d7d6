"""The month overview screen on its own: synthetic month data from a loader, keys, mouse and a failing load."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.geometry import Offset
from textual.pilot import Pilot
from textual.widgets import Static

from camtui.api import CAMAPIError
from camtui.api.models import RoomStatus
from camtui.tui.rooms.month.grid import DAY_WIDTH, HEADER_LINES, MonthGrid
from camtui.tui.rooms.month.screen import MonthOverviewScreen
from camtui.tui.rooms.synthetic import SAMPLE_DAY, SAMPLE_TZ, STYLES, sample_month_rooms


class MonthHost(App[None]):
    CSS_PATH: ClassVar = [STYLES]

    def __init__(self, *, fail: BaseException | None = None, query: str = "") -> None:
        super().__init__()
        self.fail = fail
        self.query_text = query
        self.periods: list[str] = []
        self.reported: list[BaseException] = []
        self.result: list[date | None] = []

    def compose(self) -> ComposeResult:
        return iter(())

    async def load(self, period: str) -> RoomStatus:
        self.periods.append(period)
        if self.fail is not None:
            raise self.fail
        year, month = int(period[:4]), int(period[4:6])
        return RoomStatus(sample_month_rooms(year, month), period, None, None, SAMPLE_TZ)

    def on_mount(self) -> None:
        screen = MonthOverviewScreen(
            self.load,
            SAMPLE_DAY,
            today=SAMPLE_DAY,
            tz=SAMPLE_TZ,
            query=self.query_text,
            focus_day=SAMPLE_DAY,
            report_error=self.reported.append,
        )
        self.push_screen(screen, self.result.append)


async def loaded(pilot: Pilot) -> MonthOverviewScreen:
    screen = pilot.app.screen
    assert isinstance(screen, MonthOverviewScreen)
    for _ in range(200):
        if screen.loaded:
            return screen
        await pilot.pause(0.01)
    raise AssertionError("month never loaded")


async def test_month_keys_and_periods() -> None:
    app = MonthHost()
    async with app.run_test(size=(150, 16)) as pilot:
        screen = await loaded(pilot)
        grid = screen.query_one(MonthGrid)
        assert app.periods == ["202605"]
        assert grid.cursor_date == SAMPLE_DAY
        assert grid.summary is not None and len(grid.summary.rows) == 8
        huddle2 = next(r for r in grid.summary.rows if r.room.name == "Huddle 2")
        assert huddle2.average == 0
        weekend = grid.summary.days.index(date(2026, 5, 16))
        assert all(row.shares[weekend] == 0 for row in grid.summary.rows)
        await pilot.press("left_square_bracket")
        await loaded(pilot)
        assert app.periods[-1] == "202604" and len(grid.summary.days) == 30
        await pilot.press("t")
        await loaded(pilot)
        assert app.periods[-1] == "202605" and grid.cursor_date == SAMPLE_DAY
        await pilot.press("down", "left", "enter")
        assert app.result == [date(2026, 5, 11)]


async def test_click_a_day_and_double_click_opens_it() -> None:
    app = MonthHost()
    async with app.run_test(size=(150, 16)) as pilot:
        screen = await loaded(pilot)
        grid = screen.query_one(MonthGrid)
        x = grid._name_width + 19 * grid.day_width + 1  # the 20th
        await pilot.click(MonthGrid, offset=Offset(x, HEADER_LINES + 1))
        assert grid.cursor_date == date(2026, 5, 20) and grid.cursor_row == 1
        assert app.result == []
        await pilot.click(MonthGrid, offset=Offset(x, HEADER_LINES + 1), times=2)
        assert app.result == [date(2026, 5, 20)]


async def test_escape_returns_nothing() -> None:
    app = MonthHost()
    async with app.run_test(size=(150, 16)) as pilot:
        await loaded(pilot)
        await pilot.press("escape")
        assert app.result == [None]


async def test_filter_applies_to_the_month() -> None:
    app = MonthHost(query="会議室")
    async with app.run_test(size=(150, 16)) as pilot:
        screen = await loaded(pilot)
        names = [r.room.name for r in screen.query_one(MonthGrid).summary.rows]
        assert names == ["会議室A", "会議室B", "大会議室（東京本社）"]
        assert "filter: 会議室" in str(screen.query_one("#month-title", Static).render())


async def test_a_failing_load_is_reported_and_shown() -> None:
    app = MonthHost(fail=CAMAPIError("491", "リクエスト回数が多すぎます [/x]", http_status=491))
    async with app.run_test(size=(150, 16)) as pilot:
        screen = pilot.app.screen
        for _ in range(100):
            if app.reported:
                break
            await pilot.pause(0.01)
        assert isinstance(app.reported[0], CAMAPIError) and app.reported[0].code == "491"
        status = screen.query_one("#month-status", Static)
        assert status.has_class("-error")
        text = str(status.render())
        assert "could not load May 2026" in text and "[/x]" in text  # shown as text, not markup
        assert not screen.loaded


async def test_the_month_fills_a_wide_screen_and_refits_on_resize() -> None:
    app = MonthHost()
    async with app.run_test(size=(150, 16)) as pilot:
        await loaded(pilot)
        grid = app.screen.query_one(MonthGrid)
        assert grid.summary is not None
        days = len(grid.summary.days)
        assert grid.day_width == DAY_WIDTH  # 150 cells: four per day, the name column takes the rest
        assert grid._name_width + days * grid.day_width == grid.scrollable_content_region.width
        await pilot.resize_terminal(200, 16)
        await pilot.pause()
        # before: four cells a day and a capped name column, ~50 blank cells at the right edge
        assert grid.day_width == 5
        assert grid._name_width + days * grid.day_width == grid.scrollable_content_region.width
        header = grid.render_line(1).text
        assert header.rstrip().endswith(f"{grid.summary.days[-1].day:>4d}")
        assert len(header) == grid.size.width and not grid.show_horizontal_scrollbar
