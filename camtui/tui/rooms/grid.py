"""The rooms × time-slots grid: a Line API widget that repaints only the rows whose content changed.

Each row's line is rendered once and cached with the `render_key` it was drawn from; a poll marks dirty only
the on-screen lines of rows whose key changed, and painting an unchanged row is a dict lookup. The room-name
column and the header row are frozen; the slot part is cropped to the horizontal scroll window.
DataTable was rejected because any cell update invalidates and repaints the whole table (~170 ms for a 5%
poll of 1,000 rooms; see benchmarks/grid_refresh.py).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from camtui.tui.rooms.layout import (
    MAX_SLOT_WIDTH,
    MIN_SLOT_WIDTH,
    NAME_MAX,
    NAME_MIN,
    NAME_WIDE_MAX,
    ZOOM_MAX_SLOT_WIDTH,
    fit_columns,
    fit_day_columns,
    now_position,
    scale_slots,
)
from camtui.tui.rooms.model import Cell, DayAxis, RoomRow, RowDiff, diff_rows
from camtui.tui.rooms.paint import GridPainter, _Paint, _Styles, snap_cut

__all__ = [
    "MAX_SLOT_WIDTH",
    "MIN_SLOT_WIDTH",
    "NAME_MAX",
    "NAME_MIN",
    "NAME_WIDE_MAX",
    "RoomsGrid",
    "fit_columns",
    "now_position",
    "snap_cut",
]


class RoomsGrid(GridPainter, can_focus=True):
    """Rooms as rows, time slots as columns; the room column and the header row stay put while scrolling."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(0, -1)", "Up", show=False),
        Binding("down", "cursor(0, 1)", "Down", show=False),
        Binding("left", "cursor(-1, 0)", "Left", show=False),
        Binding("right", "cursor(1, 0)", "Right", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "cursor_home", "First slot", show=False),
        Binding("end", "cursor_end", "Last slot", show=False),
        Binding("enter", "select", "Detail", show=True),
    ]

    class CellSelected(Message):
        """Enter (or a double click) on a cell: the pane opens the reservation detail."""

        def __init__(self, grid: RoomsGrid, row: RoomRow, slot: int) -> None:
            super().__init__()
            self.grid = grid
            self.row = row
            self.slot = slot

        @property
        def control(self) -> RoomsGrid:
            return self.grid

    class CursorMoved(Message):
        def __init__(self, grid: RoomsGrid, row: int, slot: int) -> None:
            super().__init__()
            self.grid = grid
            self.row = row
            self.slot = slot

        @property
        def control(self) -> RoomsGrid:
            return self.grid

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.axis: DayAxis | None = None
        self.rows: tuple[RoomRow, ...] = ()
        self.now_slot: int | None = None
        self.now_fraction = 0.0
        """How far (0..1) into the now slot the now-line is."""
        self.slot_width = MIN_SLOT_WIDTH
        self.highlight_free_now = False
        self.now: datetime | None = None
        """The instant the rows were built for (free-now asks who is running at it); None: by cell state."""
        self._free_flags: tuple[bool, ...] = ()
        self.marks: dict[str, str] = {}
        """Room id → the alert mark drawn after its name (`camtui.tui.rooms.marks`); empty: no lookups."""
        self.empty_text = "no rooms"
        self.cursor_row = 0
        self.cursor_col = 0
        self._name_width = NAME_MIN
        self._widest_name = 0
        """Cells of the longest room name shown (measured when the rows change, not on every resize)."""
        self._body_cache: dict[int, tuple[tuple[object, ...], list[Segment], int]] = {}
        self._name_cache: dict[int, tuple[tuple[str, bool, str], list[Segment]]] = {}
        self._line_cache: dict[int, tuple[tuple[object, ...], Strip]] = {}
        self._run_cache: dict[tuple[int, int, Cell, str], Segment] = {}
        self._line_view: tuple[int, ...] = ()
        self._header: tuple[list[Segment], int] | None = None
        self._free_key: tuple[object, ...] = ()
        self._free_text: tuple[str, ...] = ()
        self._paint: _Paint | None = None
        self._styles: _Styles | None = None
        self._style_token: tuple[object, ...] = ()
        self.render_count = 0
        """How many row lines were rendered from scratch (not from cache): lets tests see what repainted."""
        self.zoom_hours: int | None = None
        """Hours across the pane (None: the configured hours); see `layout.ZOOM_HOURS`."""
        self._placed = False
        """The cursor was put on now when the first rows arrived (only once: after that it is the user's)."""
        self._rows_hint = 0
        """Rows of the last non-empty data: while a day loads, the scrollbar decision (and so the scale) holds."""

    # ---- data -----------------------------------------------------------------------------------------------

    def set_data(
        self,
        axis: DayAxis,
        rows: tuple[RoomRow, ...],
        now_slot: int | None,
        now_fraction: float = 0.0,
        *,
        diff: RowDiff | None = None,
        base: tuple[RoomRow, ...] | None = None,
        now: datetime | None = None,
    ) -> RowDiff:
        """Show `rows`; repaint only rows whose render key changed unless the columns or the now-line moved.

        `diff` (with the `base` rows it was computed against, e.g. in a worker thread) saves the O(rooms)
        comparison here; it is used only if `base` is still what the grid shows. When the columns change
        (another day, or the range widened to show early meetings) the cursor keeps its time of day.
        """
        same_columns = self.axis is not None and self.axis.bounds_ms == axis.bounds_ms
        remapped = False
        left: int | None = None
        """The slot, in the new axis, with the time of day that was at the view's left edge."""
        if not same_columns and self.axis is not None and len(self.axis):
            col = _same_time(self.axis, self.cursor_col, axis)
            if col is not None and col != self.cursor_col:
                self.cursor_col = col
                remapped = True
            left = _same_time(self.axis, round(self.scroll_offset.x) // max(1, self.slot_width), axis)
        placing = not self._placed and bool(rows)
        if placing:  # the first data: the cursor starts on now, not on the day's first slot
            self._placed = True
            if now_slot is not None:
                self.cursor_col = now_slot
        if diff is None or base is not self.rows:
            diff = diff_rows(self.rows, rows)
        if now_slot is None:
            now_fraction = 0.0
        moved = (now_slot, self._column_in_slot(now_fraction)) != (self.now_slot, self.now_offset)
        full = diff.structural or not same_columns or moved
        self.axis = axis
        self.rows = rows
        self.now_slot = now_slot
        self.now_fraction = now_fraction
        self.now = now
        old_flags, self._free_flags = self._free_flags, self._free_now_flags()
        if full:
            if rows:
                self._rows_hint = len(rows)
                self._widest_name = max((cell_len(r.name) for r in rows), default=0)
            self._fit_columns()
            self._invalidate_all()
            self._sync_virtual_size()
            self._clamp_cursor()
            if left is not None:  # another day: the same hours stay in view, at the same scale
                x = left * self.slot_width
                if x != round(self.scroll_offset.x):
                    self.scroll_to(x, None, animate=False, immediate=True, force=True)
            if placing:
                self._scroll_cursor_into_view(lead=True)
            elif remapped or left is not None:
                self._scroll_cursor_into_view()
            self.refresh()
            return RowDiff(True, tuple(range(len(rows))))
        # Cached lines carry the render key they were drawn from, so nothing is dropped here: a changed row
        # misses its cache when painted. Only the changed rows on screen are marked dirty (and rows whose
        # free-now mark changed while their cells did not, e.g. a meeting started inside an overlap).
        changed = diff.changed
        if old_flags != self._free_flags and len(old_flags) == len(self._free_flags):
            flips = {i for i, (a, b) in enumerate(zip(old_flags, self._free_flags, strict=True)) if a != b}
            changed = tuple(sorted(flips.union(changed)))
        self._refresh_rows(changed)
        return diff

    def _free_now_flags(self) -> tuple[bool, ...]:
        if not self.highlight_free_now or self.now_slot is None:
            return ()
        return tuple(self.is_free_now(row) for row in self.rows)

    def _fit_columns(self) -> bool:
        """Fit the name column and the slots to the pane's width (see `fit_columns`); True if either changed.

        A column is kept for the vertical scrollbar only when the rows will need one, so a grid whose rows all
        fit ends flush with the pane's right edge."""
        scale = scale_slots(self.axis, self.zoom_hours) if self.axis is not None else 0
        slots = len(self.axis) if self.axis is not None else 0
        scrollbar = 1 + max(len(self.rows), self._rows_hint, 1) > self.size.height
        available = self.size.width - (self.styles.scrollbar_size_vertical if scrollbar else 0)
        widest = MAX_SLOT_WIDTH if self.zoom_hours is None else ZOOM_MAX_SLOT_WIDTH
        fitted = fit_day_columns(available, scale, slots, self._widest_name, widths=(MIN_SLOT_WIDTH, widest))
        if fitted == (self._name_width, self.slot_width):
            return False
        self._name_width, self.slot_width = fitted
        return True

    def on_resize(self) -> None:
        if self._fit_columns():
            self._invalidate_all()
            self._sync_virtual_size()
            self._scroll_cursor_into_view()
            self.refresh()

    def set_zoom(self, hours: int | None) -> None:
        """Show `hours` across the pane (None: the configured hours); the cursor's slot stays in view."""
        if hours == self.zoom_hours:
            return
        self.zoom_hours = hours
        if self._fit_columns():
            self._invalidate_all()
            self._sync_virtual_size()
            self._scroll_cursor_into_view(lead=True)
            self.refresh()

    def set_free_now_highlight(self, on: bool) -> None:
        if on != self.highlight_free_now:
            self.highlight_free_now = on
            self._free_flags = self._free_now_flags()
            self._invalidate_all()
            self.refresh()

    def set_marks(self, marks: dict[str, str]) -> None:
        """Room id → mark glyph (ghost / squatter); repaints only the rows whose mark changed."""
        if marks == self.marks:
            return
        changed = {
            room for room in marks.keys() | self.marks.keys() if marks.get(room) != self.marks.get(room)
        }
        self.marks = dict(marks)
        self._refresh_rows(i for i, row in enumerate(self.rows) if row.room_id in changed)

    def set_empty_text(self, text: str) -> None:
        if text != self.empty_text:
            self.empty_text = text
            self.refresh()

    @property
    def cursor_room(self) -> RoomRow | None:
        return self.rows[self.cursor_row] if 0 <= self.cursor_row < len(self.rows) else None

    def move_cursor(self, row: int | None = None, col: int | None = None) -> None:
        """Put the cursor on a cell (clamped) and scroll it into view."""
        old_row = self.cursor_row
        if row is not None:
            self.cursor_row = row
        if col is not None:
            self.cursor_col = col
        self._clamp_cursor()
        self._refresh_rows({old_row, self.cursor_row})
        self._scroll_cursor_into_view()
        self.post_message(self.CursorMoved(self, self.cursor_row, self.cursor_col))

    def _clamp_cursor(self) -> None:
        slots = len(self.axis) if self.axis is not None else 0
        self.cursor_row = max(0, min(self.cursor_row, len(self.rows) - 1))
        self.cursor_col = max(0, min(self.cursor_col, slots - 1))

    def _sync_virtual_size(self) -> None:
        slots = len(self.axis) if self.axis is not None else 0
        size = Size(self._name_width + slots * self.slot_width, 1 + max(len(self.rows), 1))
        if size != self.virtual_size:
            self.virtual_size = size

    def _refresh_rows(self, indices: Iterable[int]) -> None:
        """Mark the on-screen lines of these rows dirty, merged into as few regions as possible."""
        scroll_y = int(self.scroll_offset.y)
        height = self.size.height
        width = self.size.width
        ordered = indices if isinstance(indices, tuple) else tuple(sorted(set(indices)))
        # `ordered` is ascending: only the slice that is on screen matters.
        first = bisect_left(ordered, scroll_y)
        last = bisect_left(ordered, scroll_y + height - 1)
        regions: list[Region] = []
        start = prev = -2
        for index in ordered[first:last]:
            y = 1 + index - scroll_y
            if y != prev + 1:
                if start >= 1:
                    regions.append(Region(0, start, width, prev - start + 1))
                start = y
            prev = y
        if start >= 1:
            regions.append(Region(0, start, width, prev - start + 1))
        if regions:
            self.refresh(*regions)

    # ---- navigation -----------------------------------------------------------------------------------------

    def _viewport(self) -> tuple[int, int]:
        """Width of the slot window and number of room lines visible (the header and name column excluded)."""
        region = self.scrollable_content_region
        return max(1, region.width - self._name_width), max(1, region.height - 1)

    def _scroll_cursor_into_view(self, *, lead: bool = False) -> None:
        """Scroll as little as needed to show the cursor; `lead`: with a quarter of the view before it (the
        first placement on now, a zoom), so what is coming shows too."""
        view_w, view_h = self._viewport()
        scroll_x, scroll_y = (round(v) for v in self.scroll_offset)
        sw = self.slot_width
        x0 = self.cursor_col * sw
        new_x = scroll_x
        if lead:
            slots = len(self.axis) if self.axis is not None else 0
            new_x = max(0, min(x0 - view_w // 4, slots * sw - view_w))
        elif x0 < scroll_x:
            new_x = x0
        elif x0 + sw > scroll_x + view_w:
            new_x = x0 + sw - view_w
        new_y = scroll_y
        if self.cursor_row < scroll_y:
            new_y = self.cursor_row
        elif self.cursor_row >= scroll_y + view_h:
            new_y = self.cursor_row - view_h + 1
        if (new_x, new_y) != (scroll_x, scroll_y):
            self.scroll_to(new_x, new_y, animate=False, immediate=True, force=True)

    def action_cursor(self, dx: int, dy: int) -> None:
        self.move_cursor(self.cursor_row + dy, self.cursor_col + dx)

    def action_page(self, direction: int) -> None:
        _, view_h = self._viewport()
        self.move_cursor(self.cursor_row + direction * view_h)

    def action_cursor_home(self) -> None:
        self.move_cursor(col=0)

    def action_cursor_end(self) -> None:
        self.move_cursor(col=len(self.axis) - 1 if self.axis is not None else 0)

    def action_select(self) -> None:
        row = self.cursor_room
        if row is not None and self.axis is not None and len(self.axis):
            self.post_message(self.CellSelected(self, row, self.cursor_col))

    def cell_at(self, x: int, y: int) -> tuple[int, int | None] | None:
        """(row, slot) under a content offset; slot None over the name column; None over the header/blank."""
        if y < 1 or not self.rows:
            return None
        scroll_x, scroll_y = (round(v) for v in self.scroll_offset)
        row = y - 1 + scroll_y
        if row >= len(self.rows):
            return None
        if x < self._name_width:
            return row, None
        slot = (x - self._name_width + scroll_x) // self.slot_width
        if self.axis is None or slot >= len(self.axis):
            return row, None
        return row, slot

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        hit = self.cell_at(offset.x, offset.y)
        if hit is None:
            return
        row, slot = hit
        self.move_cursor(row, slot)
        if event.chain >= 2:
            self.action_select()


def _same_time(old: DayAxis, col: int, new: DayAxis) -> int | None:
    """The slot of `new` starting at the time of day slot `col` of `old` starts at (None: not on it)."""
    if not len(old):
        return None
    start = old.starts[max(0, min(col, len(old) - 1))]
    wanted = (start.hour, start.minute)
    return next((i for i, st in enumerate(new.starts) if (st.hour, st.minute) == wanted), None)
