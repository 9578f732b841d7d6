"""Participants over time as text: the one-line sparkline in the table and the multi-line plot in the detail view.

History is a list of points `(time, participants)` taken when the value changed or a heartbeat passed
(see `calls_model.take_sample`). A point holds until the next one, but never longer than `max_gap`: time
nobody watched is drawn blank rather than invented. A negative value marks where polls started failing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

BLOCKS = "▁▂▃▄▅▆▇█"
EMPTY = "·"
"""Zero participants: visibly "nobody", unlike a gap (a space)."""
DEFAULT_MAX_GAP = 750.0
"""Longer than two heartbeats (`calls_model.HEARTBEAT_SECONDS`) plus the slowest polling interval."""


def resample(
    points: Sequence[tuple[datetime, int]],
    start: datetime,
    end: datetime,
    buckets: int,
    *,
    max_gap: float = DEFAULT_MAX_GAP,
) -> list[int | None]:
    """The highest participant count in each of `buckets` equal slices of [start, end); None where unknown."""
    if buckets <= 0:
        return []
    out: list[int | None] = [None] * buckets
    span = (end - start).total_seconds()
    if span <= 0 or not points:
        return out
    width = span / buckets
    gap = timedelta(seconds=max_gap)
    for i, (at, value) in enumerate(points):
        if value < 0:
            continue  # the count was unknown from here (polls failing): a gap
        seg_end = at + gap
        if i + 1 < len(points):
            seg_end = min(seg_end, points[i + 1][0])
        seg_end = max(seg_end, at + timedelta(microseconds=1))
        lo = (at - start).total_seconds()
        hi = (seg_end - start).total_seconds()
        if hi <= 0 or lo > span:
            continue
        first = min(buckets - 1, max(0, int(lo // width)))  # a point exactly at `end` is the last bucket's
        last = min(buckets - 1, math.ceil(hi / width) - 1)
        for b in range(first, last + 1):
            current = out[b]
            if current is None or value > current:
                out[b] = value
    return out


def sparkline(values: Sequence[int | None], top: int | None = None) -> str:
    """One character per value: a gap is a space, zero a dot, else a block scaled to `top` (default: the max)."""
    known = [v for v in values if v is not None]
    scale = top if top is not None else max(known, default=0)
    chars: list[str] = []
    for v in values:
        if v is None:
            chars.append(" ")
        elif v <= 0 or scale <= 0:
            chars.append(EMPTY)
        else:
            level = min(len(BLOCKS), max(1, math.ceil(v * len(BLOCKS) / scale)))
            chars.append(BLOCKS[level - 1])
    return "".join(chars)


def plot(values: Sequence[int | None], height: int, top: int | None = None) -> list[str]:
    """A bar chart `height` lines tall, eighth-blocks at the tips; top line first. Gaps are blank columns."""
    if height <= 0:
        return []
    known = [v for v in values if v is not None]
    scale = top if top is not None else max(known, default=0)
    units = height * 8
    columns: list[int | None] = []
    for v in values:
        if v is None:
            columns.append(None)
        elif scale <= 0 or v <= 0:
            columns.append(0)
        else:
            columns.append(max(1, round(v * units / scale)))
    lines: list[str] = []
    for row in range(height):
        floor = (height - 1 - row) * 8  # units below this line
        chars: list[str] = []
        for c in columns:
            if c is None:
                chars.append(" ")
            elif c == 0:
                chars.append(EMPTY if row == height - 1 else " ")
            elif c >= floor + 8:
                chars.append("█")
            elif c > floor:
                chars.append(BLOCKS[c - floor - 1])
            else:
                chars.append(" ")
        lines.append("".join(chars))
    return lines
