"""Rooms × days of a month, each cell the booked share of that day: a small Line API widget.

Three header lines stay put (weekday, day number, all rooms' share) and so does the room-name column.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from camtui.tui.rooms.layout import fit_columns
from camtui.tui.rooms.month.model import MonthSummary, share_level, share_text
from camtui.tui.shell.cells import fit

DAY_WIDTH, MAX_DAY_WIDTH = 4, 6
"""Cells per day: the four of `share_text` ("100 "), right-aligned in up to six when the screen is wide."""
HEADER_LINES = 3
NAME_MIN = 12


class MonthGrid(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "month-grid--header",
        "month-grid--weekend",
        "month-grid--today",
        "month-grid--name",
        "month-grid--share-0",
        "month-grid--share-1",
        "month-grid--share-2",
        "month-grid--share-3",
        "month-grid--cursor",
        "month-grid--total",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(0, -1)", "Up", show=False),
        Binding("down", "cursor(0, 1)", "Down", show=False),
        Binding("left", "cursor(-1, 0)", "Left", show=False),
        Binding("right", "cursor(1, 0)", "Right", show=False),
        Binding("enter", "select", "Open day", show=True),
    ]

    class DaySelected(Message):
        def __init__(self, grid: MonthGrid, day: date) -> None:
            super().__init__()
            self.grid = grid
            self.day = day

        @property
        def control(self) -> MonthGrid:
            return self.grid

    def __init__(self, *, today: date | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.summary: MonthSummary | None = None
        self.today = today
        self.cursor_row = 0
        self.cursor_day = 0
        self._name_width = NAME_MIN
        self.day_width = DAY_WIDTH
        self._widest_name = 0
        self._cache: dict[int, Strip] = {}

    def set_summary(self, summary: MonthSummary, *, focus_day: date | None = None) -> None:
        self.summary = summary
        self._widest_name = max((cell_len(r.room.name) for r in summary.rows), default=0)
        self._fit_columns()
        self._cache.clear()
        if focus_day is not None and focus_day in summary.days:
            self.cursor_day = summary.days.index(focus_day)
        self.cursor_day = max(0, min(self.cursor_day, len(summary.days) - 1))
        self.cursor_row = max(0, min(self.cursor_row, len(summary.rows) - 1))
        self.refresh()

    def _fit_columns(self) -> bool:
        """Fit the name column and the day width to the widget's width, like the day grid (`fit_columns`);
        True if either changed. A column is kept for the vertical scrollbar only when the rows need one."""
        summary = self.summary
        if summary is None:
            return False
        scrollbar = HEADER_LINES + max(1, len(summary.rows)) > self.size.height
        available = self.size.width - (self.styles.scrollbar_size_vertical if scrollbar else 0)
        fitted = fit_columns(
            available,
            len(summary.days),
            self._widest_name,
            widths=(DAY_WIDTH, MAX_DAY_WIDTH),
            name_min=NAME_MIN,
        )
        changed = fitted != (self._name_width, self.day_width)
        self._name_width, self.day_width = fitted
        size = Size(
            self._name_width + len(summary.days) * self.day_width, HEADER_LINES + max(1, len(summary.rows))
        )
        if size != self.virtual_size:
            self.virtual_size = size
        return changed

    def on_resize(self) -> None:
        if self._fit_columns():
            self._cache.clear()
            self.move_cursor()  # keeps the cursor's day in view at the new widths (and repaints)

    @property
    def cursor_date(self) -> date | None:
        if self.summary is None or not self.summary.days:
            return None
        return self.summary.days[self.cursor_day]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"month-grid--{name}")

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        summary = self.summary
        if summary is None:
            return Strip.blank(width, self.rich_style)
        scroll_x, scroll_y = (round(v) for v in self.scroll_offset)
        name_w = self._name_width
        view_w = max(0, width - name_w)
        if y < HEADER_LINES:
            key = -1 - y
        else:
            key = y - HEADER_LINES + scroll_y
            if key >= len(summary.rows):
                if not summary.rows and y == HEADER_LINES:
                    return Strip([Segment(fit(" no rooms", width, ellipsis=""), self._style("total"))], width)
                return Strip.blank(width, self.rich_style)
        full = self._cache.get(key)
        if full is None:
            full = self._render_full(key, summary)
            self._cache[key] = full
        name = full.crop(0, name_w)
        body = full.crop(name_w + scroll_x, name_w + scroll_x + view_w)
        if key == self.cursor_row:
            x0 = self.cursor_day * self.day_width - scroll_x
            x1 = x0 + self.day_width
            length = body.cell_length
            a, b = max(0, min(x0, length)), max(0, min(x1, length))
            if b > a:
                cursor = self._style("cursor")
                mid = Strip([Segment(s.text, (s.style or Style()) + cursor) for s in body.crop(a, b)], b - a)
                body = Strip.join([body.crop(0, a), mid, body.crop(b, length)])
        return Strip.join([name, body]).adjust_cell_length(width, self.rich_style)

    def _render_full(self, key: int, summary: MonthSummary) -> Strip:
        name_w = self._name_width
        dw = self.day_width
        header, weekend, today = self._style("header"), self._style("weekend"), self._style("today")
        segments: list[Segment] = []
        if key == -1:  # weekday names
            segments.append(Segment(fit(f" {summary.year}-{summary.month:02d}", name_w, ellipsis=""), header))
            for d in summary.days:
                style = today if d == self.today else (header + weekend if d.weekday() >= 5 else header)
                segments.append(Segment(fit(f"{d:%a}"[: dw - 2].rjust(dw - 1) + " ", dw, ellipsis=""), style))
        elif key == -2:  # day numbers
            segments.append(Segment(fit(" Room", name_w, ellipsis=""), header))
            for d in summary.days:
                style = today if d == self.today else (header + weekend if d.weekday() >= 5 else header)
                segments.append(Segment(f"{d.day:>3d} ".rjust(dw), style))
        elif key == -3:  # all rooms
            total = self._style("total")
            segments.append(Segment(fit(" all rooms", name_w - 1, ellipsis=""), total))
            segments.append(Segment("│", total))
            for share in summary.totals:
                segments.append(
                    Segment(share_text(share).rjust(dw), total + self._style(f"share-{share_level(share)}"))
                )
        else:
            row = summary.rows[key]
            name = self._style("name")
            segments.append(Segment(fit(f" {row.room.name}", name_w - 1), name))
            segments.append(Segment("│", name))
            for share in row.shares:
                segments.append(
                    Segment(share_text(share).rjust(dw), self._style(f"share-{share_level(share)}"))
                )
        return Strip(segments, name_w + len(summary.days) * dw)

    def move_cursor(self, row: int | None = None, day: int | None = None) -> None:
        if self.summary is None:
            return
        if row is not None:
            self.cursor_row = max(0, min(row, len(self.summary.rows) - 1))
        if day is not None:
            self.cursor_day = max(0, min(day, len(self.summary.days) - 1))
        scroll_x, scroll_y = (round(v) for v in self.scroll_offset)
        region = self.scrollable_content_region
        view_w = max(1, region.width - self._name_width)
        view_h = max(1, region.height - HEADER_LINES)
        dw = self.day_width
        x0 = self.cursor_day * dw
        new_x = x0 if x0 < scroll_x else (x0 + dw - view_w if x0 + dw > scroll_x + view_w else scroll_x)
        r = self.cursor_row
        new_y = r if r < scroll_y else (r - view_h + 1 if r >= scroll_y + view_h else scroll_y)
        if (new_x, new_y) != (scroll_x, scroll_y):
            self.scroll_to(new_x, new_y, animate=False, immediate=True, force=True)
        self.refresh()

    def action_cursor(self, dx: int, dy: int) -> None:
        self.move_cursor(self.cursor_row + dy, self.cursor_day + dx)

    def action_select(self) -> None:
        day = self.cursor_date
        if day is not None:
            self.post_message(self.DaySelected(self, day))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.summary is None:
            return
        scroll_x, scroll_y = (round(v) for v in self.scroll_offset)
        day = None
        if offset.x >= self._name_width:
            day = (offset.x - self._name_width + scroll_x) // self.day_width
            if day >= len(self.summary.days):
                return
        row = offset.y - HEADER_LINES + scroll_y if offset.y >= HEADER_LINES else None
        self.move_cursor(row, day)
        if event.chain >= 2:
            self.action_select()
