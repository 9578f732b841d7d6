"""How the calls table draws: column layout, each row's text and styles, one strip per line (a mixin of
`CallsTable`, split from table.py by concern)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.strip import Strip

from camtui.tui.calls.columns import (
    _KEY_INDEX,
    _STATE_CLASS,
    _STATE_MARK,
    ARROW_DOWN,
    ARROW_UP,
    COLUMN_KEYS,
    COLUMNS,
    SPARK_WINDOW,
    Column,
    _fit,
    header_label,
)
from camtui.tui.calls.model import (
    CallRow,
    CallState,
    countdown_text,
    error_label,
    fmt_time,
    is_stale,
    polled_cell,
    short_id,
    state_of,
)
from camtui.tui.calls.sparkline import resample, sparkline

ID_PRIORITY_WHEN_TITLES_REPEAT = 0.5
"""Two calls with one title are told apart by their ID: it then goes only after Now and State."""


class TablePainting:
    """Geometry, layout and rendering of `CallsTable`: only visible lines are drawn."""

    # -- geometry -------------------------------------------------------------------------------------------

    def _column_span(self, columns: set[int]) -> tuple[int, int] | None:
        """The x range (start, end) covering these columns (indexes into `COLUMN_KEYS`) as laid out now."""
        x = 0
        start, end = -1, -1
        for i, (column, w) in enumerate(self._columns_for(self.size.width)):
            if i:
                x += 1
            if _KEY_INDEX[column.key] in columns:
                start = x if start < 0 else start
                end = x + w
            x += w
        return (start, end) if start >= 0 else None

    def _refresh_runs(self, indexes: list[int], span: tuple[int, int] | None = None) -> None:
        """Refresh these rows (ascending) as one region per run of adjacent rows, and only the columns in
        `span` if given: every visible countdown and poll age changes each second, and one narrow region costs
        Textual far less than forty whole lines."""
        i = 0
        while i < len(indexes):
            j = i
            while j + 1 < len(indexes) and indexes[j + 1] == indexes[j] + 1:
                j += 1
            self._refresh_row(indexes[i], indexes[j] - indexes[i] + 1, span)
            i = j + 1

    def _visible_range(self) -> tuple[int, int]:
        top = self._top
        height = max(0, self._height - 1)
        return top, min(len(self._view), top + height)

    def _is_visible(self, index: int) -> bool:
        top = self._top
        return top <= index < top + self._height - 1 and index < len(self._view)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        self._top = int(new_value)
        self._ready.clear()
        super().watch_scroll_y(old_value, new_value)

    def _refresh_row(self, index: int, count: int = 1, span: tuple[int, int] | None = None) -> None:
        """Refresh `count` rows from `index` (the part of them on screen), only columns `span` if given."""
        size = self.size
        top = index + 1 - int(self.scroll_offset.y)
        y, end = max(1, top), min(size.height, top + count)
        x0, x1 = span or (0, size.width)
        x1 = min(x1, size.width)
        if y < end and x0 < x1:
            self.refresh(Region(x0, y, x1 - x0, end - y))

    def _move_cursor(self, index: int) -> None:
        if not self._view:
            self.cursor = 0
            return
        old = self.cursor
        self.cursor = max(0, min(index, len(self._view) - 1))
        top = int(self.scroll_offset.y)
        height = max(1, self.size.height - 1)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        self._refresh_row(old)
        self._refresh_row(self.cursor)

    def on_resize(self, event: events.Resize) -> None:
        self._height = event.size.height  # cached: `size` is computed on every access, polls ask 200 times/s
        self.virtual_size = Size(event.size.width, len(self._view) + 1)
        self._cells.clear()
        self._ready.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cells.clear()
        self._ready.clear()
        self._base_style = None
        self._row_styles.clear()
        self._scroll_state = None

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        """Skip the scrollbar update when nothing it depends on changed.

        The compositor passes the arranged size as `virtual_size`, which never equals ours (one line per row),
        so ScrollView would repaint the whole scrollbar on every layout anywhere on the screen (another pane's
        clock, say): a full-height repaint of the table area each time.
        """
        state = (size, self.virtual_size, container_size)
        if state == self._scroll_state:
            return self._container_size != container_size
        self._scroll_state = state
        return super()._size_updated(size, virtual_size, container_size, layout)

    def _check_titles(self) -> bool:
        """Whether titles repeat changed (polls fill titles in): then the columns are laid out again."""
        seen: set[str] = set()
        repeat = False
        for row in self._all:
            if row.title in seen:
                repeat = True
                break
            if row.title:
                seen.add(row.title)
        if repeat == self.titles_repeat:
            return False
        self.titles_repeat = repeat
        self._layout_width = -1
        self._cells.clear()
        self.refresh()
        return True

    def _columns_for(self, width: int) -> list[tuple[Column, int]]:
        """Visible columns and their widths: the title takes the slack; low-priority columns go first."""
        if width == self._layout_width:
            return self._layout
        shown = [
            replace(c, priority=ID_PRIORITY_WHEN_TITLES_REPEAT) if c.key == "id" and self.titles_repeat else c
            for c in COLUMNS
        ]
        title_min = COLUMNS[0].width

        def needed(cols: list[Column]) -> int:
            return sum(c.width for c in cols if c.key != "title") + len(cols) + title_min

        while needed(shown) > width and len(shown) > 3:
            worst = max((c for c in shown if c.priority > 0), key=lambda c: c.priority, default=None)
            if worst is None:
                break
            shown.remove(worst)
        fixed = sum(c.width for c in shown if c.key != "title") + len(shown)
        title_width = max(4, min(40, width - fixed))
        layout = [(c, title_width if c.key == "title" else c.width) for c in shown]
        self._layout, self._layout_width = layout, width
        return layout

    # -- rendering ------------------------------------------------------------------------------------------

    def _cell_texts(self, row: CallRow, now: datetime) -> tuple[str, ...]:
        interval = self._interval()
        state = state_of(row, now)
        label = error_label(row) if state is CallState.ERROR else state.value
        if state is CallState.PENDING and row.unchecked:
            label = "unchecked"  # added while the server could not be asked (calls/add.py)
        state_cell = f"{_STATE_MARK[state]} {label}"
        return (
            row.title or "(untitled)",
            short_id(row.sid),
            "—" if row.participants is None else str(row.participants),
            self._spark(row, now),
            state_cell,
            fmt_time(row.created, now, self._tz),
            countdown_text(row, now),
            polled_cell(row, now, interval, self._pane_reason()),
            f"{state.value}|{is_stale(row, now, interval)}",
        )

    def _spark(self, row: CallRow, now: datetime) -> str:
        width = 12
        bucket = SPARK_WINDOW.total_seconds() / width
        slot = int(now.timestamp() // bucket)
        last = row.history[-1] if row.history else None
        key = (len(row.history), last, slot)
        cached = self._spark_cache.get(row.sid)
        if cached is not None and cached[0] == key:
            return cached[1]
        end = datetime.fromtimestamp((slot + 1) * bucket, UTC)
        values = resample(row.history, end - SPARK_WINDOW, end, width)
        text = sparkline(values)
        self._spark_cache[row.sid] = (key, text)
        return text

    def _base(self) -> Style:
        """The widget's own style (colours inherited from the pane), computed once until styles change."""
        if self._base_style is None:
            self._base_style = self.rich_style
            self._row_styles.clear()
        return self._base_style

    def render_lines(self, crop: Region) -> list[Strip]:
        """Read the size, scroll offset and clock once for all the lines of this frame, not once per line."""
        self._render_frame = (self.size.width, int(self.scroll_offset.y), self._clock())
        try:
            return super().render_lines(crop)
        finally:
            self._render_frame = None

    def render_line(self, y: int) -> Strip:
        frame = self._render_frame
        if frame is None:
            width, top, now = self.size.width, int(self.scroll_offset.y), None
        else:
            width, top, now = frame
        base = self._base()
        if y == 0:
            return self._header(width, base)
        index = top + y - 1
        if index >= len(self._view):
            return Strip.blank(width, base)
        row = self._view[index]
        ready = self._ready.pop(row.sid, None)
        if ready is not None:
            now, cells = ready  # just computed by `tick`, which found the text changed
        else:
            now = now or self._clock()
            cells = self._cell_texts(row, now)
        self._cells[row.sid] = cells
        return self._row_strip(row, cells, index == self.cursor, width, base, now)

    def _header(self, width: int, base: Style) -> Strip:
        style = base + self.get_component_rich_style("calls-table--header")
        parts: list[str] = []
        for column, w in self._columns_for(width):
            arrow = None
            if column.key == self.sort_key:
                arrow = ARROW_DOWN if self.sort_reverse else ARROW_UP
            parts.append(header_label(column.label, arrow, w, column.align))
        text = " ".join(parts)
        return Strip([Segment(_fit(text, width), style)], width)

    def _row_strip(
        self, row: CallRow, cells: tuple[str, ...], is_cursor: bool, width: int, base: Style, now: datetime
    ) -> Strip:
        state = state_of(row, now)
        flash = self._flashes.get(row.sid)
        focused_cursor = is_cursor and self.has_focus
        key = (
            state,
            None if flash is None else flash[0],
            2 if focused_cursor else int(is_cursor),
            cells[-1].endswith("True"),
            bool(row.title),
        )
        found = self._row_styles.get(key)
        if found is None:
            found = self._row_styles[key] = self._styles_for(key, base)
        row_style, column_styles = found
        segments: list[Segment] = []
        used = 0
        for i, (column, w) in enumerate(self._columns_for(width)):
            if i:
                segments.append(Segment(" ", row_style))
            index = _KEY_INDEX[column.key]
            segments.append(Segment(_fit(cells[index], w, column.align), column_styles[index]))
            used += w + (1 if i else 0)
        if used < width:
            segments.append(Segment(" " * (width - used), row_style))
        elif used > width:
            return Strip(segments).crop(0, width)
        return Strip(segments, width)

    def _styles_for(self, key: tuple[object, ...], base: Style) -> tuple[Style, tuple[Style, ...]]:
        """The row style and each column's style for one kind of row (see `_row_strip`'s key)."""
        state, flash_kind, cursor, stale, titled = key
        get = self.get_component_rich_style
        state_style = get(_STATE_CLASS[state])  # type: ignore[index]
        row_style = base
        if flash_kind is not None:
            row_style = row_style + get(f"calls-table--flash-{flash_kind.value}")  # type: ignore[attr-defined]
        if cursor == 2:
            row_style = row_style + get("calls-table--cursor")
        elif cursor:
            row_style = row_style + Style(underline=True)
        styles: list[Style] = []
        for column_key in COLUMN_KEYS:
            style = row_style
            if column_key == "state":
                style = row_style + state_style
            elif column_key == "trend":
                style = row_style + get("calls-table--spark")
            elif column_key == "polled" and stale:
                style = row_style + get("calls-table--stale")
            elif column_key in ("id", "created") or (column_key == "title" and not titled):
                style = row_style + get("calls-table--dim")
            if flash_kind is not None or cursor == 2:
                style = style + row_style  # the flash / cursor background wins over cell colours
            styles.append(style)
        return row_style, tuple(styles)

    def on_focus(self) -> None:
        self._refresh_row(self.cursor)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor)
