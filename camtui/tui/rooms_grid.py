"""The rooms × time-slots grid: a Line API widget that repaints only the rows whose content changed.

Each row's slot part is rendered once into a `Strip` and kept until that row's `render_key` changes; a paint
only crops the cached strip to the horizontal scroll window and joins it to the frozen room-name column.
DataTable was rejected because any cell update invalidates and repaints the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from camtui.tui.rooms_model import Cell, DayAxis, RoomRow, RowDiff, diff_rows

MIN_SLOT_WIDTH, MAX_SLOT_WIDTH = 3, 8
"""Terminal cells per time slot: at least room for "08:00" over two 30-minute slots; wider to fill the pane."""
NAME_MIN, NAME_MAX = 10, 26

_STATE_CLASS = {
    Cell.FREE: "rooms-grid--free",
    Cell.BOOKED: "rooms-grid--booked",
    Cell.IN_PROGRESS: "rooms-grid--in-progress",
    Cell.OVERLAP: "rooms-grid--overlap",
}


@dataclass(frozen=True, slots=True)
class _Styles:
    header: Style
    header_now: Style
    name: Style
    name_cursor: Style
    name_free_now: Style
    free: Style
    booked: Style
    in_progress: Style
    overlap: Style
    cursor: Style
    now: Style
    free_now: Style
    empty: Style

    def state(self, cell: Cell) -> Style:
        return (self.free, self.booked, self.in_progress, self.overlap)[cell]


class RoomsGrid(ScrollView, can_focus=True):
    """Rooms as rows, time slots as columns; the room column and the header row stay put while scrolling."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "rooms-grid--header",
        "rooms-grid--header-now",
        "rooms-grid--name",
        "rooms-grid--name-cursor",
        "rooms-grid--free",
        "rooms-grid--booked",
        "rooms-grid--in-progress",
        "rooms-grid--overlap",
        "rooms-grid--cursor",
        "rooms-grid--now",
        "rooms-grid--free-now",
        "rooms-grid--empty",
    }

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
        self.empty_text = "no rooms"
        self.cursor_row = 0
        self.cursor_col = 0
        self._name_width = NAME_MIN
        self._body_cache: dict[int, Strip] = {}
        self._name_cache: dict[int, Strip] = {}
        self._header: Strip | None = None
        self._styles: _Styles | None = None
        self._style_token: tuple[object, ...] = ()
        self.render_count = 0
        """How many row lines were rendered from scratch (not from cache): lets tests see what repainted."""

    # ---- data -----------------------------------------------------------------------------------------------

    def set_data(
        self, axis: DayAxis, rows: tuple[RoomRow, ...], now_slot: int | None, now_fraction: float = 0.0
    ) -> RowDiff:
        """Show `rows`; repaint only rows whose render key changed unless the columns or the now-line moved."""
        same_columns = self.axis is not None and self.axis.bounds_ms == axis.bounds_ms
        diff = diff_rows(self.rows, rows)
        if now_slot is None:
            now_fraction = 0.0
        moved = (now_slot, self._column_in_slot(now_fraction)) != (self.now_slot, self.now_offset)
        full = diff.structural or not same_columns or moved
        self.axis = axis
        self.rows = rows
        self.now_slot = now_slot
        self.now_fraction = now_fraction
        if full:
            self._name_width = self._measure_names(rows)
            self._fit_slot_width()
            self._invalidate_all()
            self._sync_virtual_size()
            self._clamp_cursor()
            self.refresh()
            return RowDiff(True, tuple(range(len(rows))))
        for index in diff.changed:
            self._body_cache.pop(index, None)
            self._name_cache.pop(index, None)
        self._refresh_rows(diff.changed)
        return diff

    @property
    def now_offset(self) -> int:
        """Column of the now-line inside the now slot."""
        return self._column_in_slot(self.now_fraction) if self.now_slot is not None else 0

    def _column_in_slot(self, fraction: float) -> int:
        return max(0, min(self.slot_width - 1, int(fraction * self.slot_width)))

    def _fit_slot_width(self) -> bool:
        """Widen slots to use the pane's width (labels get room); True if the width changed."""
        slots = len(self.axis) if self.axis is not None else 0
        available = self.size.width - self._name_width - 1  # keep a column for the vertical scrollbar
        width = max(MIN_SLOT_WIDTH, min(MAX_SLOT_WIDTH, available // slots)) if slots else MIN_SLOT_WIDTH
        if width == self.slot_width:
            return False
        self.slot_width = width
        return True

    def on_resize(self) -> None:
        if self._fit_slot_width():
            self._invalidate_all()
            self._sync_virtual_size()
            self._scroll_cursor_into_view()
            self.refresh()

    def set_free_now_highlight(self, on: bool) -> None:
        if on != self.highlight_free_now:
            self.highlight_free_now = on
            self._invalidate_all()
            self.refresh()

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

    def _measure_names(self, rows: tuple[RoomRow, ...]) -> int:
        widest = max((cell_len(r.name) for r in rows), default=0)
        return max(NAME_MIN, min(NAME_MAX, widest + 3))  # " name " + separator

    def _sync_virtual_size(self) -> None:
        slots = len(self.axis) if self.axis is not None else 0
        size = Size(self._name_width + slots * self.slot_width, 1 + max(len(self.rows), 1))
        if size != self.virtual_size:
            self.virtual_size = size

    def _invalidate_all(self) -> None:
        self._body_cache.clear()
        self._name_cache.clear()
        self._header = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._invalidate_all()

    def _refresh_rows(self, indices: object) -> None:
        """Mark the on-screen lines of these rows dirty, merged into as few regions as possible."""
        scroll_y = round(self.scroll_offset.y)
        height = self.size.height
        width = self.size.width
        lines = sorted({1 + i - scroll_y for i in indices})  # type: ignore[attr-defined]
        regions: list[Region] = []
        start = prev = None
        for y in lines:
            if y < 1 or y >= height:
                continue
            if start is None or prev is None or y != prev + 1:
                if start is not None and prev is not None:
                    regions.append(Region(0, start, width, prev - start + 1))
                start = y
            prev = y
        if start is not None and prev is not None:
            regions.append(Region(0, start, width, prev - start + 1))
        if regions:
            self.refresh(*regions)

    # ---- styles ---------------------------------------------------------------------------------------------

    def _get_styles(self) -> _Styles:
        """Component styles, rebuilt (and every cached strip dropped) when the stylesheet or theme changed them."""
        token = tuple(self._component_styles.get(name) for name in sorted(self.COMPONENT_CLASSES))
        if (
            self._styles is not None
            and len(token) == len(self._style_token)
            and all(a is b for a, b in zip(token, self._style_token, strict=True))
        ):
            return self._styles
        get = self.get_component_rich_style
        self._styles = _Styles(
            header=get("rooms-grid--header"),
            header_now=get("rooms-grid--header-now"),
            name=get("rooms-grid--name"),
            name_cursor=get("rooms-grid--name-cursor"),
            name_free_now=get("rooms-grid--free-now"),
            free=get("rooms-grid--free"),
            booked=get("rooms-grid--booked"),
            in_progress=get("rooms-grid--in-progress"),
            overlap=get("rooms-grid--overlap"),
            cursor=get("rooms-grid--cursor", partial=True),
            now=get("rooms-grid--now"),
            free_now=get("rooms-grid--free-now"),
            empty=get("rooms-grid--empty"),
        )
        self._style_token = token
        self._invalidate_all()
        return self._styles

    # ---- rendering ------------------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        styles = self._get_styles()
        width = self.size.width
        scroll_x, scroll_y = (round(v) for v in self.scroll_offset)
        name_w = self._name_width
        view_w = max(0, width - name_w)
        if y == 0:
            header = self._header_strip(styles)
            name = Strip([Segment(set_cell_size(" Room", name_w), styles.header)], name_w)
            body = header.crop(scroll_x, scroll_x + view_w)
            return Strip.join([name, body]).adjust_cell_length(width, styles.header)
        index = y - 1 + scroll_y
        if not self.rows or self.axis is None:
            if y == 1:
                return Strip([Segment(set_cell_size(f" {self.empty_text}", width), styles.empty)], width)
            return Strip.blank(width, self.rich_style)
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        body = self._body_strip(index, styles).crop(scroll_x, scroll_x + view_w)
        name = self._name_strip(index, styles)
        if index == self.cursor_row:
            name = Strip([Segment(s.text, (s.style or Style()) + styles.name_cursor) for s in name], name_w)
            length = body.cell_length
            sw = self.slot_width
            x0 = max(0, min(self.cursor_col * sw - scroll_x, length))
            x1 = max(x0, min(self.cursor_col * sw - scroll_x + sw, length))
            if x1 > x0:
                mid = body.crop(x0, x1)
                mid = Strip([Segment(s.text, (s.style or Style()) + styles.cursor) for s in mid], x1 - x0)
                body = Strip.join([body.crop(0, x0), mid, body.crop(x1, length)])
        return Strip.join([name, body]).adjust_cell_length(width, self.rich_style)

    def _name_strip(self, index: int, styles: _Styles) -> Strip:
        strip = self._name_cache.get(index)
        if strip is None:
            row = self.rows[index]
            w = self._name_width
            free_now = self.highlight_free_now and row.is_free_at(self.now_slot)
            style = styles.name_free_now if free_now else styles.name
            text = set_cell_size(f" {row.name}", w - 1)
            strip = Strip([Segment(text, style), Segment("│", styles.name)], w)
            self._name_cache[index] = strip
        return strip

    def _body_strip(self, index: int, styles: _Styles) -> Strip:
        strip = self._body_cache.get(index)
        if strip is None:
            strip = self._render_body(self.rows[index], styles)
            self._body_cache[index] = strip
            self.render_count += 1
        return strip

    def _render_body(self, row: RoomRow, styles: _Styles) -> Strip:
        """One row's slot cells, unscrolled: free cells one by one, bookings as labelled bars."""
        assert self.axis is not None
        segments: list[Segment] = []
        now = self.now_slot
        free_now_row = self.highlight_free_now and row.is_free_at(now)
        starts = self.axis.starts
        sw = self.slot_width
        hour_cell, blank_cell = "·".ljust(sw), " " * sw
        for run in row.runs:
            if run.state == Cell.FREE:
                for k in range(run.start, run.stop):
                    if k == now:
                        style = styles.free_now if free_now_row else styles.now
                        line = " " * self.now_offset + "│"
                        segments.append(Segment(line.ljust(sw), style))
                    else:
                        segments.append(Segment(hour_cell if starts[k].minute == 0 else blank_cell, styles.free))
                continue
            width = (run.stop - run.start) * sw
            style = styles.state(run.state)
            segments.append(Segment(set_cell_size(f" {run.label}", width), style))
        return Strip(segments, len(row.cells) * sw)

    def _header_strip(self, styles: _Styles) -> Strip:
        if self._header is None:
            self._header = self._render_header(styles)
        return self._header

    def _render_header(self, styles: _Styles) -> Strip:
        """Hour labels ("HH:MM", or "HH" when the hour is narrow), the now slot's columns marked."""
        if self.axis is None:
            return Strip([], 0)
        starts = self.axis.starts
        sw = self.slot_width
        segments: list[Segment] = []
        k = 0
        n = len(starts)
        while k < n:
            if starts[k].minute == 0 or k == 0:
                j = k + 1
                while j < n and starts[j].minute != 0:
                    j += 1
                span = (j - k) * sw
                label = starts[k].strftime("%H:%M") if span >= 6 else starts[k].strftime("%H")
                text = set_cell_size(label, span)
                if self.now_slot is not None and k <= self.now_slot < j:
                    # Split the hour's label so the now slot's own columns are highlighted.
                    a = (self.now_slot - k) * sw
                    b = a + sw
                    for part, style in (
                        (text[:a], styles.header),
                        (text[a:b], styles.header_now),
                        (text[b:], styles.header),
                    ):
                        if part:
                            segments.append(Segment(part, style))
                else:
                    segments.append(Segment(text, styles.header))
                k = j
            else:
                k += 1
        return Strip(segments, n * sw)

    # ---- navigation -----------------------------------------------------------------------------------------

    def _viewport(self) -> tuple[int, int]:
        """Width of the slot window and number of room lines visible (the header and name column excluded)."""
        region = self.scrollable_content_region
        return max(1, region.width - self._name_width), max(1, region.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        view_w, view_h = self._viewport()
        scroll_x, scroll_y = (round(v) for v in self.scroll_offset)
        sw = self.slot_width
        x0 = self.cursor_col * sw
        new_x = scroll_x
        if x0 < scroll_x:
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


def now_position(axis: DayAxis, now: datetime) -> tuple[int | None, float]:
    """(slot, fraction 0..1 into it) where the now-line is drawn; (None, 0.0) outside the day's hours."""
    slot = axis.slot_of(now)
    if slot is None:
        return None, 0.0
    start, end = axis.slot_bounds(slot)
    return slot, max(0.0, min(1.0, (now - start) / (end - start)))
