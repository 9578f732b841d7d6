"""The calls table redraws only what changed (a few rows, a few columns): check nothing that changed is missed.

Each second the tick refreshes just the changed rows, and when only the countdown and poll age changed, just
those columns. A missed cell would stay stale on the terminal while every full render looks right, so the test
compares two full renders and requires every cell that differs to lie inside a region that was refreshed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult
from textual.geometry import Region

from camtui.tui.calls.model import CallRow, EventKind
from camtui.tui.calls.table import CallsTable

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


class TableApp(App[None]):
    def __init__(self, rows: list[CallRow]) -> None:
        super().__init__()
        self.now = T0
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield CallsTable(id="t", clock=lambda: self.now, tz="UTC", interval=lambda: 10.0)

    def on_mount(self) -> None:
        self.query_one(CallsTable).set_rows(self.rows)


def _screen_text(app: App[None]) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _rows() -> list[CallRow]:
    rows = []
    for i in range(30):
        rows.append(
            CallRow(
                sid=f"call{i:04d}",
                title=f"call {i}",
                created=T0 - timedelta(hours=1),
                expires=T0 + timedelta(minutes=5 + i, seconds=30),
                participants=i % 4,
                in_progress=i % 4 > 0,
                last_ok=T0 - timedelta(seconds=i),
                last_attempt=T0 - timedelta(seconds=i),
                history=[(T0 - timedelta(minutes=10), i % 4)],
            )
        )
    rows[3].last_ok = T0 - timedelta(seconds=25)  # goes stale during the test: its style changes too
    rows[3].last_attempt = rows[3].last_ok
    return rows


async def test_each_tick_refreshes_every_cell_that_changed_and_only_changed_rows() -> None:
    app = TableApp(_rows())
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(CallsTable)
        await pilot.pause()
        for step in range(4):
            before = _screen_text(app)
            app.now = T0 + timedelta(seconds=step + 1)
            table._dirty_regions.clear()
            table._repaint_regions.clear()
            if step == 2:
                table.flash("call0001", EventKind.JOIN)
                table._frame()  # the batched redraw, now rather than in 0.25 s
            redrawn = table.tick(app.now)
            assert redrawn > 0
            offset = table.region.offset
            regions: list[Region] = [r.translate(offset) for r in table._dirty_regions]
            assert regions and all(r.height < table.region.height for r in regions)  # never the whole table
            await pilot.pause()
            after = _screen_text(app)
            for y, (old, new) in enumerate(zip(before, after, strict=True)):
                for x, (a, b) in enumerate(zip(old, new, strict=True)):
                    if a != b:
                        assert any(r.contains(x, y) for r in regions), (step, x, y, old, new)


async def test_flashes_end_by_themselves_and_the_rows_are_redrawn(monkeypatch) -> None:
    monkeypatch.setattr(CallsTable, "FLASH_SECONDS", 0.1)
    app = TableApp(_rows())
    async with app.run_test(size=(120, 20)) as pilot:
        table = app.query_one(CallsTable)
        await pilot.pause()
        table.flash("call0001", EventKind.JOIN)
        table.flash("call0025", EventKind.LEAVE)  # below the visible rows
        assert table.flashing("call0001") is EventKind.JOIN
        await pilot.pause(0.8)
        assert table.flashing("call0001") is None and table.flashing("call0025") is None
        assert table._frame_timer is None  # nothing left to do: no timer keeps waking the app
