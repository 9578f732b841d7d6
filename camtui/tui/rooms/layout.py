"""How the rooms grid divides its width: the name column and the time-slot columns, and where now falls.

Pure arithmetic (no Textual), shared by the day grid and the month overview.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from camtui.tui.rooms.model import DayAxis

MIN_SLOT_WIDTH, MAX_SLOT_WIDTH = 3, 8
"""Terminal cells per time slot: at least room for "08:00" over two 30-minute slots; wider to fill the pane."""
NAME_MIN, NAME_MAX = 10, 26
"""The room-name column before the slots are fitted: enough for most names without starving the slots."""
NAME_WIDE_MAX = 48
"""How wide the name column may grow with the cells the slots leave over (they come in whole slot widths)."""
ZOOM_HOURS: tuple[int | None, ...] = (None, 8, 4, 2)
"""The rooms grid's zoom levels: the configured hours across the pane (None), then this many hours."""
ZOOM_MAX_SLOT_WIDTH = 64
"""Cells per slot at most when zoomed in (titles get room to be read)."""
HOUR_MS = 3_600_000


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


def now_position(axis: DayAxis, now: datetime) -> tuple[int | None, float]:
    """(slot, fraction 0..1 into it) where the now-line is drawn; (None, 0.0) outside the day's hours."""
    slot = axis.slot_of(now)
    if slot is None:
        return None, 0.0
    start, end = axis.slot_bounds(slot)
    return slot, max(0.0, min(1.0, (now - start) / (end - start)))


def scale_slots(axis: DayAxis, zoom_hours: int | None) -> int:
    """How many slots the pane's width is shared between: the configured hours' slots, not the day's range, so
    a day widened by an early meeting keeps the same scale as the others (its extra slots scroll); zoomed in,
    `zoom_hours` worth of slots (never more than the configured hours)."""
    bounds = axis.bounds_ms
    if len(bounds) < 2:
        return 0
    step = max(b - a for a, b in pairwise(bounds))  # the slot length (the edges' may be shorter)
    lo, hi = axis.hours_ms if axis.hours_ms != (0, 0) else (bounds[0], bounds[-1])
    configured = max(1, -(-(hi - lo) // step))
    if zoom_hours is None:
        return configured
    return max(1, min(configured, zoom_hours * HOUR_MS // step))


def fit_day_columns(
    available: int, scale: int, slots: int, widest_name: int, *, widths: tuple[int, int]
) -> tuple[int, int]:
    """(name column, slot width) for a day grid: the slot width fits `scale` slots (the configured hours, see
    `scale_slots`), so it is the same on every day; a day with more slots (widened by early or late meetings)
    takes the extra cells from the name column's leftover before it scrolls."""
    name, width = fit_columns(available, scale, widest_name, widths=widths)
    if slots > scale:
        natural = max(NAME_MIN, min(NAME_MAX, widest_name + 3))
        name = max(min(name, natural), min(name, available - slots * width))
    return name, width
