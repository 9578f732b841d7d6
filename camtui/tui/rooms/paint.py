"""Painting the rooms grid: component styles, row lines from cached segments, the header of hour labels.

`GridPainter` is the drawing half of `RoomsGrid` (grid.py keeps the data, the cursor and the keys). Three
caches, all plain dicts keyed by row index: the row's unscrolled slot segments (`_body_cache`), its name-column
segments (`_name_cache`), and the finished line for the current view (`_line_cache`: width and horizontal
scroll). A poll drops the entries of changed rows only; a paint of an unchanged row is a dict lookup. The
cursor row is composed fresh on every paint (one line).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.scroll_view import ScrollView
from textual.strip import Strip

from camtui.tui.rooms.model import Cell, DayAxis, RoomRow
from camtui.tui.shell.cells import fit


def _fit(text: str, width: int) -> str:
    """Exactly `width` cells, cut at a character boundary with no ellipsis: labels in a bar of cells."""
    return fit(text, width, ellipsis="")


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
    mark: Style

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


class GridPainter(ScrollView):
    """The drawing half of the rooms grid; the state it paints is kept by RoomsGrid."""

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
        "rooms-grid--mark",
    }

    axis: DayAxis | None
    rows: tuple[RoomRow, ...]
    now_slot: int | None
    now: datetime | None
    slot_width: int
    highlight_free_now: bool
    empty_text: str
    marks: dict[str, str]
    cursor_row: int
    cursor_col: int
    render_count: int
    _name_width: int
    _free_flags: tuple[bool, ...]
    _body_cache: dict[int, tuple[tuple[object, ...], list[Segment], int]]
    _name_cache: dict[int, tuple[tuple[str, bool, str], list[Segment]]]
    _line_cache: dict[int, tuple[tuple[object, ...], Strip]]
    _run_cache: dict[tuple[int, int, Cell, str], Segment]
    _line_view: tuple[int, ...]
    _header: tuple[list[Segment], int] | None
    _free_key: tuple[object, ...]
    _free_text: tuple[str, ...]
    _paint: _Paint | None
    _styles: _Styles | None
    _style_token: tuple[object, ...]

    @property
    def now_offset(self) -> int:
        """Column of the now-line inside the now slot."""
        return self._column_in_slot(self.now_fraction) if self.now_slot is not None else 0

    def _column_in_slot(self, fraction: float) -> int:
        return max(0, min(self.slot_width - 1, int(fraction * self.slot_width)))

    def is_free_now(self, row: RoomRow) -> bool:
        """Whether the row's room is free at the now instant (by cell state when no instant was given)."""
        if self.now is None:
            return row.is_free_at(self.now_slot)
        return row.is_free_now(self.now_slot, self.now)

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
            mark=get("rooms-grid--mark"),
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
                return Strip([Segment(_fit(f" {self.empty_text}", width), paint.styles.empty)], width)
            return Strip.blank(width, paint.base)
        index = y - 1 + paint.scroll_y
        if index >= len(self.rows):
            return Strip.blank(width, paint.base)
        if index == self.cursor_row:
            return self._compose_line(index, paint, cursor=True)
        return self._line(index, paint)

    def _line(self, index: int, paint: _Paint) -> Strip:
        key = (
            (
                self.rows[index].render_key,
                self._free_flags[index] if self._free_flags else False,
                self.marks.get(self.rows[index].room_id, "") if self.marks else "",
            )
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
            name = [Segment(_fit(" Room", self._name_width), styles.header)]
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
        mark = self.marks.get(row.room_id, "") if self.marks else ""
        key = (row.name, free_now, mark)
        cached = self._name_cache.get(index)
        if cached is not None and cached[0] == key:
            return cached[1]
        style = styles.name_free_now if free_now else styles.name
        if mark:  # the alert mark (ghost / squatter) takes the name's last cells, so it is never cut off
            segments = [
                Segment(_fit(f" {row.name}", self._name_width - 3), style),
                Segment(_fit(f" {mark}", 2), styles.mark),
                Segment("│", styles.name),
            ]
        else:
            segments = [
                Segment(_fit(f" {row.name}", self._name_width - 1), style),
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
                        seg = Segment(_fit(f" {label}", (stop - start) * sw), styles.state(state))
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
            segments.append(Segment(_fit(f" {label}", (stop - start) * sw), styles.state(state)))
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
            text = _fit(label, span)
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
