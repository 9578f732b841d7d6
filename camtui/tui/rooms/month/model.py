"""Month overview arithmetic: for each room and day, the share of the day's hours that is booked.

Overlapping reservations are merged first, so a double-booked hour counts once (the share never exceeds 1).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from camtui.api.models import ConferenceRoom
from camtui.tui.rooms.model import DayAxis


def month_days(year: int, month: int) -> tuple[date, ...]:
    return tuple(date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1))


def shift_month(day: date, months: int) -> date:
    """First day of the month `months` away from `day`'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def merged_minutes(intervals: Iterable[tuple[datetime, datetime]], lo: datetime, hi: datetime) -> float:
    """Minutes of [lo, hi) covered by the union of the intervals."""
    clipped = sorted((max(s, lo), min(e, hi)) for s, e in intervals if s < hi and e > lo and e > s)
    total = 0.0
    cur_s: datetime | None = None
    cur_e: datetime | None = None
    for s, e in clipped:
        if cur_e is None or s > cur_e:
            if cur_s is not None and cur_e is not None:
                total += (cur_e - cur_s).total_seconds()
            cur_s, cur_e = s, e
        elif e > cur_e:
            cur_e = e
    if cur_s is not None and cur_e is not None:
        total += (cur_e - cur_s).total_seconds()
    return total / 60


@dataclass(frozen=True, slots=True)
class MonthRow:
    room: ConferenceRoom
    shares: tuple[float, ...]
    """Booked share (0..1) of each day's hours."""
    counts: tuple[int, ...]
    """Reservations touching each day's hours."""

    @property
    def average(self) -> float:
        return sum(self.shares) / len(self.shares) if self.shares else 0.0


@dataclass(frozen=True, slots=True)
class MonthSummary:
    year: int
    month: int
    days: tuple[date, ...]
    rows: tuple[MonthRow, ...]
    totals: tuple[float, ...]
    """Share of all rooms' hours booked, per day."""


def summarise_month(
    rooms: Sequence[ConferenceRoom],
    year: int,
    month: int,
    tz: str,
    day_start: str = "08:00",
    day_end: str = "21:00",
) -> MonthSummary:
    days = month_days(year, month)
    axes = [DayAxis.build(d, tz, day_start, day_end, 24 * 60) for d in days]
    windows = [(axis.starts[0], axis.end) for axis in axes]
    rows: list[MonthRow] = []
    for room in rooms:
        spans = [(r.start, r.end) for r in room.reservations]
        shares: list[float] = []
        counts: list[int] = []
        for lo, hi in windows:
            length = (hi - lo).total_seconds() / 60
            shares.append(min(1.0, merged_minutes(spans, lo, hi) / length) if length else 0.0)
            counts.append(sum(1 for s, e in spans if s < hi and e > lo and e > s))
        rows.append(MonthRow(room, tuple(shares), tuple(counts)))
    totals = tuple(sum(r.shares[i] for r in rows) / len(rows) if rows else 0.0 for i in range(len(days)))
    return MonthSummary(year, month, days, tuple(rows), totals)


def share_level(share: float) -> int:
    """0: nothing booked, 1: up to a third, 2: up to two thirds, 3: more."""
    if share <= 0:
        return 0
    if share <= 1 / 3:
        return 1
    if share <= 2 / 3:
        return 2
    return 3


def share_text(share: float) -> str:
    """Four cells: "  · " when free, else the booked percentage ("  7 ", " 45 ", "100 ")."""
    if share <= 0:
        return "  · "
    return f"{max(1, round(share * 100)):>3d} "


def period_of(day: date) -> str:
    """The spec's month argument: "yyyyMM"."""
    return f"{day.year:04d}{day.month:02d}"
