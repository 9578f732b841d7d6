"""The watched-calls table: a Line API widget, because it must stay cheap with thousands of rows.

Only visible lines are rendered. `tick(now)` (once a second) recomputes the visible rows' text and refreshes
just the lines whose text changed; `row_changed(sid)` does the same for one row when a poll lands. Sorting and
filtering are applied lazily (at most once per tick) so a burst of poll results does not re-sort 2,000 rows
200 times a second. Rows flash (a component class) when people join or leave, a call starts, empties or expires.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.timer import Timer

from camtui.tui.calls.columns import (  # noqa: F401  (re-exported)
    _EPOCH,
    _KEY_INDEX,
    _STATE_ORDER,
    ARROW_DOWN,
    ARROW_UP,
    COLUMN_KEYS,
    COLUMNS,
    SPARK_WINDOW,
    Column,
    header_label,
)
from camtui.tui.calls.model import (
    CallRow,
    EventKind,
    state_of,
    state_text,
)
from camtui.tui.calls.table_paint import TablePainting


class CallsTable(TablePainting, ScrollView, can_focus=True):
    """Rows of `CallRow`, sortable by any column and filterable; line 0 is the header."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "", show=False),
        Binding("down,j", "cursor(1)", "", show=False),
        Binding("pageup", "page(-1)", "", show=False),
        Binding("pagedown", "page(1)", "", show=False),
        Binding("home", "jump(0)", "", show=False),
        Binding("end", "jump(-1)", "", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "calls-table--header",
        "calls-table--cursor",
        "calls-table--dim",
        "calls-table--spark",
        "calls-table--progress",
        "calls-table--waiting",
        "calls-table--expired",
        "calls-table--error",
        "calls-table--pending",
        "calls-table--stale",
        "calls-table--flash-join",
        "calls-table--flash-leave",
        "calls-table--flash-start",
        "calls-table--flash-empty",
        "calls-table--flash-expire",
    }

    FLASH_SECONDS: ClassVar[float] = 1.5
    BATCH_SECONDS: ClassVar[float] = 0.25
    """Rows changed by polls and flashes are redrawn together at most this often: with 2,000 calls a result
    lands every 5 ms, and a frame per result costs more than the polling itself."""

    class Selected(Message):
        """Enter (or a double click) on a row."""

        def __init__(self, table: CallsTable, sid: str) -> None:
            super().__init__()
            self.table = table
            self.sid = sid

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        tz: str = "Asia/Tokyo",
        interval: Callable[[], float] | None = None,
        pane_reason: Callable[[], str | None] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._tz = ZoneInfo(tz)
        self._interval = interval or (lambda: 5.0)
        self._pane_reason = pane_reason or (lambda: None)
        self._all: list[CallRow] = []
        self._view: list[CallRow] = []
        self._index: dict[str, int] = {}
        """sid → position in `_view`."""
        self.sort_key: str | None = None
        self.sort_reverse = False
        self.filter_text = ""
        self.cursor = 0
        self._dirty_order = False
        self._cells: dict[str, tuple[str, ...]] = {}
        """The text last drawn for each visible row (to redraw only rows whose text changed)."""
        self._spark_cache: dict[str, tuple[tuple[object, ...], str]] = {}
        self._flashes: dict[str, tuple[EventKind, float]] = {}
        self._flash_ends: deque[tuple[float, str]] = deque()
        """(until, sid) in the order flashes end (all last `FLASH_SECONDS`), so ending them never scans them all."""
        self._dirty_rows: set[str] = set()
        self._frame_timer: Timer | None = None
        self._frame_due = 0.0
        self._top = 0
        """`int(scroll_y)`, kept by `watch_scroll_y`: polls ask whether their row is visible 200 times a second,
        and reading a reactive costs more than the rest of the check."""
        self._layout: list[tuple[Column, int]] = []
        self._layout_width = -1
        self.titles_repeat = False
        """Two watched calls share a title: the ID column is then kept (see `_columns_for`)."""
        self._base_style: Style | None = None
        self._height = 0
        self._scroll_state: tuple[Size, Size, Size] | None = None
        self._render_frame: tuple[int, int, datetime] | None = None
        """(width, top row, now) while `render_lines` runs."""
        self._ready: dict[str, tuple[datetime, tuple[str, ...]]] = {}
        """Rows `tick` found changed, with the text it computed: the redraw that follows uses it."""
        self._row_styles: dict[tuple[object, ...], tuple[Style, tuple[Style, ...]]] = {}
        """Per kind of row (state, flash, cursor, stale, untitled): the row style and each column's style."""
        self.flash_log: list[tuple[str, EventKind]] = []
        """Every flash, oldest first (capped): what tests and the detail view can read back."""

    # -- data -----------------------------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[CallRow]:
        """The rows as shown: filtered and sorted."""
        return self._view

    @property
    def cursor_row(self) -> CallRow | None:
        if 0 <= self.cursor < len(self._view):
            return self._view[self.cursor]
        return None

    def set_rows(self, rows: Iterable[CallRow]) -> None:
        """Replace all rows (keeps the cursor on the same call when it is still there)."""
        keep = self.cursor_row.sid if self.cursor_row else None
        self._all = list(rows)
        self._check_titles()
        self._rebuild(keep)

    def row_changed(self, sid: str) -> None:
        """A poll changed this row: redraw its line if visible; a re-sort/re-filter waits for the next tick."""
        if self.sort_key is not None or self.filter_text:
            self._dirty_order = True
        index = self._index.get(sid)
        if index is not None and self._is_visible(index):
            self._queue_row(sid)

    def _queue_row(self, sid: str) -> None:
        """Redraw this row with the next batch (see `BATCH_SECONDS`)."""
        self._dirty_rows.add(sid)
        self._arm_frame(self.BATCH_SECONDS)

    def _arm_frame(self, delay: float) -> None:
        """One timer for queued rows and ending flashes: a Textual timer costs a task and a message, so with
        2,000 calls flashing they share at most one every `BATCH_SECONDS` rather than one per flash."""
        due = time.monotonic() + delay
        if self._frame_timer is not None:
            if self._frame_due <= due + 0.001:
                return
            self._frame_timer.stop()
        self._frame_due = due
        self._frame_timer = self.set_timer(delay, self._frame)

    def _frame(self) -> None:
        self._frame_timer = None
        now = time.monotonic()
        self._end_flashes(now)
        self._redraw_queued()
        if self._flash_ends:
            self._arm_frame(max(self.BATCH_SECONDS, self._flash_ends[0][0] - now))

    def _redraw_queued(self) -> None:
        if not self._dirty_rows:
            return
        dirty, self._dirty_rows = self._dirty_rows, set()
        for sid in dirty:
            index = self._index.get(sid)
            if index is not None:
                self._refresh_row(index)

    def set_sort(self, key: str | None, reverse: bool = False) -> None:
        if key is not None and key not in COLUMN_KEYS:
            raise ValueError(f"unknown column {key!r}")
        self.sort_key, self.sort_reverse = key, reverse
        self._rebuild(self.cursor_row.sid if self.cursor_row else None)

    def cycle_sort(self) -> str:
        """Next column (after the last: back to the watch-list order). Returns a label for the status."""
        if self.sort_key is None:
            key: str | None = COLUMN_KEYS[0]
        else:
            i = COLUMN_KEYS.index(self.sort_key) + 1
            key = COLUMN_KEYS[i] if i < len(COLUMN_KEYS) else None
        self.set_sort(key, self.sort_reverse)
        return self.sort_label()

    def reverse_sort(self) -> str:
        self.set_sort(self.sort_key, not self.sort_reverse)
        return self.sort_label()

    def sort_label(self) -> str:
        if self.sort_key is None:
            return "watch-list order" + (" (reversed)" if self.sort_reverse else "")
        label = next(c.label for c in COLUMNS if c.key == self.sort_key)
        return f"{label} {ARROW_DOWN if self.sort_reverse else ARROW_UP}"

    def set_filter(self, text: str) -> None:
        self.filter_text = text.strip()
        self._rebuild(self.cursor_row.sid if self.cursor_row else None)

    def select(self, sid: str) -> bool:
        index = self._index.get(sid)
        if index is None:
            return False
        self._move_cursor(index)
        return True

    def _rebuild(self, keep: str | None) -> None:
        now = self._clock()
        view = [r for r in self._all if self._matches(r, now)] if self.filter_text else list(self._all)
        if self.sort_key is not None:
            key = self._sort_func(self.sort_key, now)
            view.sort(key=key, reverse=self.sort_reverse)
        elif self.sort_reverse:
            view.reverse()
        self._view = view
        self._index = {r.sid: i for i, r in enumerate(view)}
        self._dirty_order = False
        self._cells.clear()
        self._ready.clear()
        if keep is not None and keep in self._index:
            self.cursor = self._index[keep]
        self.cursor = max(0, min(self.cursor, len(view) - 1))
        self.virtual_size = Size(self.size.width, len(view) + 1)
        self.refresh()

    def _matches(self, row: CallRow, now: datetime) -> bool:
        needle = self.filter_text.casefold()
        hay = f"{row.title}\n{row.sid}\n{state_text(row, now)}".casefold()
        return needle in hay

    def _sort_func(self, key: str, now: datetime) -> Callable[[CallRow], object]:
        far = datetime.max.replace(tzinfo=UTC)
        funcs: dict[str, Callable[[CallRow], object]] = {
            "title": lambda r: (r.title or "\uffff").casefold(),
            "id": lambda r: r.sid,
            "now": lambda r: -1 if r.participants is None else r.participants,
            "trend": lambda r: max((v for _, v in r.history), default=-1),
            "state": lambda r: _STATE_ORDER[state_of(r, now)],
            "created": lambda r: r.created or far,
            "expires": lambda r: r.expires or far,
            "polled": lambda r: r.last_ok or _EPOCH,
        }
        return funcs[key]

    # -- flashing -------------------------------------------------------------------------------------------

    def flash(self, sid: str, kind: EventKind) -> None:
        until = time.monotonic() + self.FLASH_SECONDS
        self._flashes[sid] = (kind, until)
        self._flash_ends.append((until, sid))
        self.flash_log.append((sid, kind))
        if len(self.flash_log) > 500:
            del self.flash_log[:250]
        index = self._index.get(sid)
        if index is not None and self._is_visible(index):
            self._queue_row(sid)
        else:
            self._arm_frame(max(self.BATCH_SECONDS, self.FLASH_SECONDS))

    def flashing(self, sid: str) -> EventKind | None:
        found = self._flashes.get(sid)
        return found[0] if found else None

    def _end_flashes(self, now: float) -> None:
        """End the flashes that are due (a row flashed again since keeps its newer flash)."""
        ends = self._flash_ends
        while ends and ends[0][0] <= now + 0.01:
            until, sid = ends.popleft()
            found = self._flashes.get(sid)
            if found is None or found[1] != until:
                continue
            del self._flashes[sid]
            index = self._index.get(sid)
            if index is not None and self._is_visible(index):
                self._dirty_rows.add(sid)

    # -- the clock tick -------------------------------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> int:
        """Re-sort if polls changed the order, then redraw visible rows whose text changed. Returns lines redrawn."""
        now = now or self._clock()
        if self._check_titles():  # a poll gave two calls the same title: the ID column comes in
            return -1
        if self._dirty_rows:
            self._redraw_queued()
        if self._dirty_order:
            self._rebuild(self.cursor_row.sid if self.cursor_row else None)
            return -1
        ready = self._ready
        ready.clear()
        changed: list[int] = []
        columns: set[int] = set()
        whole = False
        first, last = self._visible_range()
        for index in range(first, last):
            row = self._view[index]
            cells = self._cell_texts(row, now)
            old = self._cells.get(row.sid)
            if old != cells:
                ready[row.sid] = (now, cells)
                changed.append(index)
                if whole:
                    continue
                if old is None or old[-1] != cells[-1]:
                    whole = True  # the state or staleness changed: the row's styles may have too
                else:
                    columns.update(i for i, (a, b) in enumerate(zip(old, cells, strict=True)) if a != b)
        span = None if whole else self._column_span(columns)
        self._refresh_runs(changed, span)
        return len(changed)

    # -- input ----------------------------------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        self._move_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move_cursor(self.cursor + direction * max(1, self.size.height - 2))

    def action_jump(self, where: int) -> None:
        self._move_cursor(0 if where == 0 else len(self._view) - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x)
            if column is not None:
                if self.sort_key == column:
                    self.set_sort(column, not self.sort_reverse)
                else:
                    self.set_sort(column, False)
            return
        index = int(self.scroll_offset.y) + event.y - 1
        if 0 <= index < len(self._view):
            self._move_cursor(index)
            if event.chain >= 2:
                self.post_message(self.Selected(self, self._view[index].sid))

    def _column_at(self, x: int) -> str | None:
        pos = 0
        for column, w in self._columns_for(self.size.width):
            if pos <= x < pos + w + 1:
                return column.key
            pos += w + 1
        return None
