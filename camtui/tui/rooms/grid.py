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
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len, get_character_cell_size, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from camtui.tui.rooms.model import Cell, DayAxis, RoomRow, RowDiff, diff_rows

MIN_SLOT_WIDTH, MAX_SLOT_WIDTH = 3, 8
"""Terminal cells per time slot: at least room for "08:00" over two 30-minute slots; wider to fill the pane."""
NAME_MIN, NAME_MAX = 10, 26
"""The room-name column before the slots are fitted: enough for most names without starving the slots."""
NAME_WIDE_MAX = 48
"""How wide the name column may grow with the cells the slots leave over (they come in whole slot widths)."""


def fit_columns(
    available: int,
    columns: int,
    widest_name: int,
    *,
    widths: tuple[int, int] = (MIN_SLOT_WIDTH, MAX_SLOT_WIDTH),
    name_min: int = NAME_MIN,
) -> tuple[int, int]:
    """(name column width, column width) that fill `available` cells: the columns (time slots, or days) get
    the widest whole width in `widths` that fits beside a NAME_MAX-capped name column, and the name column
    takes what is left over (up to NAME_WIDE_MAX), so long room names are not cut while blank cells remain at
    the right edge. Too narrow for the smallest width: the columns scroll and the name column stays put."""
    name = max(name_min, min(NAME_MAX, widest_name + 3))  # " name " + separator
    low, high = widths
    if not columns:
        return name, low
    width = max(low, min(high, (available - name) // columns))
    spare = available - name - columns * width
    return name + max(0, min(spare, NAME_WIDE_MAX - name)), width


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


_PLAIN = Style()


@dataclass(frozen=True, slots=True)
class _Paint:
    """What every line of one paint shares, computed once per paint instead of once per line."""

    styles: _Styles
    width: int
    scroll_x: int
    scroll_y: int
    view_w: int
    base: Style


def snap_cut(segments: Iterable[Segment], x: int) -> int:
    """The first character boundary at or after column `x`: a wide character that starts at x - 1 belongs
    to the cell it starts in, so a cut there moves after it instead of blanking both halves."""
    pos = 0
    for seg in segments:
        width = cell_len(seg.text)
        if pos + width <= x:
            pos += width
            continue
        for char in seg.text:
            if pos >= x:
                return pos
            pos += get_character_cell_size(char)
        if pos >= x:
            return pos
    return max(pos, x)


def _crop(segments: list[Segment], length: int, start: int, end: int) -> list[Segment]:
    """The cells [start, end) of a line of `length` cells (wide characters cut in half become spaces)."""
    if start <= 0 and end >= length:
        return segments
    if start >= length:
        return []
    return list(Segment.divide(segments, [start, min(end, length)]))[1]


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
        self.now: datetime | None = None
        """The instant the rows were built for (free-now asks who is running at it); None: by cell state."""
        self._free_flags: tuple[bool, ...] = ()
        self.empty_text = "no rooms"
        self.cursor_row = 0
        self.cursor_col = 0
        self._name_width = NAME_MIN
        self._widest_name = 0
        """Cells of the longest room name shown (measured when the rows change, not on every resize)."""
        self._body_cache: dict[int, tuple[tuple[object, ...], list[Segment], int]] = {}
        self._name_cache: dict[int, tuple[tuple[str, bool], list[Segment]]] = {}
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
        if not same_columns and self.axis is not None and len(self.axis):
            old = self.axis.starts[max(0, min(self.cursor_col, len(self.axis) - 1))]
            wanted = (old.hour, old.minute)
            col = next((i for i, st in enumerate(axis.starts) if (st.hour, st.minute) == wanted), None)
            if col is not None and col != self.cursor_col:
                self.cursor_col = col
                remapped = True
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
            self._widest_name = max((cell_len(r.name) for r in rows), default=0)
            self._fit_columns()
            self._invalidate_all()
            self._sync_virtual_size()
            self._clamp_cursor()
            if remapped:
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

    def is_free_now(self, row: RoomRow) -> bool:
        """Whether the row's room is free at the now instant (by cell state when no instant was given)."""
        if self.now is None:
            return row.is_free_at(self.now_slot)
        return row.is_free_now(self.now_slot, self.now)

    def _free_now_flags(self) -> tuple[bool, ...]:
        if not self.highlight_free_now or self.now_slot is None:
            return ()
        return tuple(self.is_free_now(row) for row in self.rows)

    @property
    def now_offset(self) -> int:
        """Column of the now-line inside the now slot."""
        return self._column_in_slot(self.now_fraction) if self.now_slot is not None else 0

    def _column_in_slot(self, fraction: float) -> int:
        return max(0, min(self.slot_width - 1, int(fraction * self.slot_width)))

    def _fit_columns(self) -> bool:
        """Fit the name column and the slots to the pane's width (see `fit_columns`); True if either changed.

        A column is kept for the vertical scrollbar only when the rows will need one, so a grid whose rows all
        fit ends flush with the pane's right edge."""
        slots = len(self.axis) if self.axis is not None else 0
        scrollbar = 1 + max(len(self.rows), 1) > self.size.height
        available = self.size.width - (self.styles.scrollbar_size_vertical if scrollbar else 0)
        fitted = fit_columns(available, slots, self._widest_name)
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

    def set_free_now_highlight(self, on: bool) -> None:
        if on != self.highlight_free_now:
            self.highlight_free_now = on
            self._free_flags = self._free_now_flags()
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

    def _sync_virtual_size(self) -> None:
        slots = len(self.axis) if self.axis is not None else 0
        size = Size(self._name_width + slots * self.slot_width, 1 + max(len(self.rows), 1))
        if size != self.virtual_size:
            self.virtual_size = size

    def _invalidate_all(self) -> None:
        self._body_cache.clear()
        self._name_cache.clear()
        self._line_cache.clear()
        self._run_cache.clear()
        self._header = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._invalidate_all()

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
    #
    # Three caches, all plain dicts keyed by row index: the row's unscrolled slot segments (`_body_cache`), its
    # name-column segments (`_name_cache`), and the finished line for the current view (`_line_cache`: width
    # and horizontal scroll). A poll drops the entries of changed rows only; a paint of an unchanged row is a
    # dict lookup. The cursor row is composed fresh on every paint (one line).

    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint = self._paint_context()
        return super().render_lines(crop)

    def _paint_context(self) -> _Paint:
        styles = self._get_styles()
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        scroll_x, scroll_y = int(scroll_x), int(scroll_y)
        view = (width, scroll_x, self._name_width, self.slot_width)
        if view != self._line_view:
            self._line_cache.clear()
            self._line_view = view
        return _Paint(styles, width, scroll_x, scroll_y, max(0, width - self._name_width), self.rich_style)

    def render_line(self, y: int) -> Strip:
        paint = self._paint or self._paint_context()
        width = paint.width
        if y == 0:
            return self._line(-1, paint)
        if not self.rows or self.axis is None:
            if y == 1:
                return Strip(
                    [Segment(set_cell_size(f" {self.empty_text}", width), paint.styles.empty)], width
                )
            return Strip.blank(width, paint.base)
        index = y - 1 + paint.scroll_y
        if index >= len(self.rows):
            return Strip.blank(width, paint.base)
        if index == self.cursor_row:
            return self._compose_line(index, paint, cursor=True)
        return self._line(index, paint)

    def _line(self, index: int, paint: _Paint) -> Strip:
        key = (
            (self.rows[index].render_key, self._free_flags[index] if self._free_flags else False)
            if index >= 0
            else None
        )
        cached = self._line_cache.get(index)
        if cached is not None and cached[0] == key:
            return cached[1]
        strip = self._compose_line(index, paint, cursor=False)
        self._line_cache[index] = (key, strip)  # type: ignore[assignment]
        return strip

    def _compose_line(self, index: int, paint: _Paint, *, cursor: bool) -> Strip:
        """One finished line: the frozen name column, then the slots cropped to the scroll window."""
        styles = paint.styles
        if index < 0:
            name = [Segment(set_cell_size(" Room", self._name_width), styles.header)]
            body, length = self._header_segments(styles)
            base = styles.header
        else:
            name = self._name_segments(index, styles)
            body, length = self._body_segments(index, styles)
            base = paint.base
        start, end = paint.scroll_x, paint.scroll_x + paint.view_w
        visible = _crop(body, length, start, end)
        if cursor:
            name = [Segment(seg.text, (seg.style or _PLAIN) + styles.name_cursor) for seg in name]
            sw = self.slot_width
            x0 = max(0, min(self.cursor_col * sw - start, paint.view_w))
            x1 = max(x0, min(self.cursor_col * sw - start + sw, paint.view_w, length - start))
            # A wide character across a slot edge stays whole: it goes with the cell it starts in.
            x0, x1 = snap_cut(visible, x0), snap_cut(visible, x1)
            if x1 > x0:
                left, mid, right = Segment.divide(visible, [x0, x1, max(x1, length - start)])
                mid = [Segment(seg.text, (seg.style or _PLAIN) + styles.cursor) for seg in mid]
                visible = [*left, *mid, *right]
        segments = [*name, *visible]
        shown = self._name_width + max(0, min(length, end) - start)
        if shown < paint.width:
            segments.append(Segment(" " * (paint.width - shown), base))
        return Strip(segments, paint.width)

    def _name_segments(self, index: int, styles: _Styles) -> list[Segment]:
        row = self.rows[index]
        free_now = self.highlight_free_now and self.is_free_now(row)
        key = (row.name, free_now)
        cached = self._name_cache.get(index)
        if cached is not None and cached[0] == key:
            return cached[1]
        style = styles.name_free_now if free_now else styles.name
        segments = [
            Segment(set_cell_size(f" {row.name}", self._name_width - 1), style),
            Segment("│", styles.name),
        ]
        self._name_cache[index] = (key, segments)
        return segments

    def _body_segments(self, index: int, styles: _Styles) -> tuple[list[Segment], int]:
        row = self.rows[index]
        cached = self._body_cache.get(index)
        if cached is not None and cached[0] == row.render_key:
            return cached[1], cached[2]
        segments, length = self._render_body(row, styles)
        self._body_cache[index] = (row.render_key, segments, length)
        self.render_count += 1
        return segments, length

    def _render_body(self, row: RoomRow, styles: _Styles) -> tuple[list[Segment], int]:
        """One row's slot cells, unscrolled: free stretches as one segment each, bookings as labelled bars."""
        assert self.axis is not None
        sw = self.slot_width
        now = self.now_slot
        free_cells = self._free_cells()
        memo = self._run_cache
        if len(memo) > 20_000:
            memo.clear()
        segments: list[Segment] = []
        for run in row.runs:
            start, stop, state, label = run
            if now is None or not start <= now < stop:
                seg = memo.get(run)
                if seg is None:
                    if state == Cell.FREE:
                        seg = Segment("".join(free_cells[start:stop]), styles.free)
                    else:
                        seg = Segment(set_cell_size(f" {label}", (stop - start) * sw), styles.state(state))
                    memo[run] = seg
                segments.append(seg)
                continue
            if state == Cell.FREE:  # the now-line crosses this free stretch
                free_now = self.highlight_free_now and row.is_free_at(now)
                if now > start:
                    segments.append(Segment("".join(free_cells[start:now]), styles.free))
                line = (" " * self.now_offset + "│").ljust(sw)
                segments.append(Segment(line, styles.free_now if free_now else styles.now))
                if stop > now + 1:
                    segments.append(Segment("".join(free_cells[now + 1 : stop]), styles.free))
                continue
            segments.append(Segment(set_cell_size(f" {label}", (stop - start) * sw), styles.state(state)))
        return segments, len(row.cells) * sw

    def _free_cells(self) -> tuple[str, ...]:
        """The text of each free slot: a dot at the start of each hour."""
        key = (self.axis.bounds_ms if self.axis is not None else (), self.slot_width)
        if self._free_key != key:
            sw = self.slot_width
            starts = self.axis.starts if self.axis is not None else ()
            self._free_text = tuple("·".ljust(sw) if s.minute == 0 else " " * sw for s in starts)
            self._free_key = key
        return self._free_text

    def _header_segments(self, styles: _Styles) -> tuple[list[Segment], int]:
        if self._header is None:
            self._header = self._render_header(styles)
        return self._header

    def _render_header(self, styles: _Styles) -> tuple[list[Segment], int]:
        """Hour labels ("HH:MM", or "HH" when the hour is narrow), the now slot's columns marked."""
        if self.axis is None:
            return [], 0
        starts = self.axis.starts
        sw = self.slot_width
        segments: list[Segment] = []
        k = 0
        n = len(starts)
        while k < n:
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
        return segments, n * sw

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
