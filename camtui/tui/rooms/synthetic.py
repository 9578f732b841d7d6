"""Deterministic synthetic room data and a one-widget preview app, for the grid's tests, snapshots and benchmark.

`python -m camtui.tui.rooms.synthetic` shows the grid on the sample day without any server.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

from textual.app import App, ComposeResult

from camtui.api.models import ConferenceRoom, Reservation
from camtui.tui.rooms.grid import RoomsGrid, now_position
from camtui.tui.rooms.model import DayAxis, build_rows

STYLES = Path(__file__).parent.parent / "styles" / "rooms.tcss"
SAMPLE_TZ = "Asia/Tokyo"
SAMPLE_DAY = date(2026, 5, 12)
SAMPLE_NOW = datetime(2026, 5, 12, 10, 40, tzinfo=ZoneInfo(SAMPLE_TZ))
"""A Tuesday, 10:40 in Tokyo: mid-morning, with meetings in progress."""


def _at(day: date, tz: str, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), ZoneInfo(tz)).astimezone(UTC)


def sample_rooms(day: date = SAMPLE_DAY, tz: str = SAMPLE_TZ) -> tuple[ConferenceRoom, ...]:
    """Eight rooms with wide (Japanese) and ASCII names, an overlap, in-progress and free-now rooms."""
    n = 0

    def res(
        room: str, title: str, start: tuple[int, int], end: tuple[int, int], who: str, mail: str
    ) -> Reservation:
        nonlocal n
        n += 1
        return Reservation(f"rsv-{n:03d}", room, title, _at(day, tz, *start), _at(day, tz, *end), who, mail)

    yamada = ("山田 太郎", "taro.yamada@example.co.jp")
    suzuki = ("鈴木 花子", "hanako.suzuki@example.co.jp")
    smith = ("Alex Smith", "alex.smith@xxx.com")
    return (
        ConferenceRoom(
            "room-001",
            "会議室A",
            8,
            "本社 3F",
            3,
            (
                res("room-001", "週次定例", (9, 0), (10, 0), *yamada),
                res("room-001", "1on1", (10, 30), (11, 0), *suzuki),
                res("room-001", "採用面接", (14, 0), (15, 30), *yamada),
            ),
        ),
        ConferenceRoom(
            "room-002",
            "会議室B",
            6,
            "本社 3F",
            3,
            (res("room-002", "予算レビュー", (13, 0), (14, 0), *suzuki),),
        ),
        ConferenceRoom(
            "room-003",
            "大会議室（東京本社）",
            40,
            "本社 5F",
            5,
            (
                res("room-003", "全社朝会", (9, 0), (9, 30), *yamada),
                res("room-003", "Quarterly review [/x]", (10, 0), (12, 0), *smith),
                res("room-003", "二重予約", (11, 0), (12, 30), *suzuki),
            ),
        ),
        ConferenceRoom(
            "room-004", "Board Room", 20, "HQ 10F", 10, (res("room-004", "Budget", (16, 0), (18, 0), *smith),)
        ),
        ConferenceRoom(
            "room-005",
            "Huddle 1",
            4,
            "HQ 2F",
            2,
            (
                res("room-005", "Standup", (10, 0), (10, 15), *smith),
                res("room-005", "Sync", (10, 15), (11, 30), *smith),
            ),
        ),
        ConferenceRoom("room-006", "Huddle 2", 4, "HQ 2F", 2, ()),
        ConferenceRoom(
            "room-007",
            "セミナールーム",
            60,
            "大阪支社 1F",
            1,
            (res("room-007", "新人研修", (9, 0), (17, 0), *suzuki),),
        ),
        ConferenceRoom(
            "room-008",
            "Focus Pod",
            1,
            "HQ 2F",
            2,
            (res("room-008", "Deep work", (18, 30), (20, 0), *smith),),
        ),
    )


def sample_month_rooms(year: int, month: int, tz: str = SAMPLE_TZ) -> tuple[ConferenceRoom, ...]:
    """The sample rooms with the sample day's meetings repeated on the month's weekdays, thinned out
    deterministically so the days differ (the month overview's data)."""
    import calendar

    template = sample_rooms(date(year, month, 1), tz)
    out = []
    for room in template:
        reservations = []
        for d in range(1, calendar.monthrange(year, month)[1] + 1):
            day = date(year, month, d)
            if day.weekday() >= 5:
                continue
            rng = random.Random(f"{room.id}:{day.isoformat()}")
            shift = timedelta(days=d - 1)
            for r in room.reservations:
                if rng.random() < 0.7:
                    reservations.append(
                        Reservation(
                            f"{r.id}-{d:02d}",
                            r.room_id,
                            r.title,
                            r.start + shift,
                            r.end + shift,
                            r.organizer_name,
                            r.organizer_email,
                        )
                    )
        out.append(
            ConferenceRoom(room.id, room.name, room.capacity, room.location, room.floor, tuple(reservations))
        )
    return tuple(out)


def random_rooms(
    count: int,
    axis: DayAxis,
    *,
    booked_share: float = 0.4,
    seed: int = 1,
) -> list[ConferenceRoom]:
    """`count` rooms with one-slot reservations on about `booked_share` of the cells (benchmark data)."""
    rng = random.Random(seed)
    rooms = []
    for i in range(count):
        rid = f"room-{i:04d}"
        reservations = tuple(
            slot_reservation(rid, axis, k) for k in range(len(axis)) if rng.random() < booked_share
        )
        rooms.append(ConferenceRoom(rid, f"Room {i:04d} 会議室", 8, f"Floor {i % 40}", i % 40, reservations))
    return rooms


def slot_reservation(room_id: str, axis: DayAxis, slot: int) -> Reservation:
    start, end = axis.slot_bounds(slot)
    return Reservation(
        f"{room_id}-{slot:02d}",
        room_id,
        f"Meeting {slot:02d}",
        start.astimezone(UTC),
        end.astimezone(UTC),
        "Test User",
        "user1@xxx.com",
    )


def toggle_cells(
    rooms: list[ConferenceRoom], axis: DayAxis, share: float, *, seed: int = 2
) -> tuple[list[ConferenceRoom], list[tuple[int, int]]]:
    """A "poll" that flips `share` of all cells (free ↔ booked): the new rooms and the (row, slot) flipped."""
    rng = random.Random(seed)
    slots = len(axis)
    total = len(rooms) * slots
    flipped = sorted(rng.sample(range(total), round(total * share)))
    by_room: dict[int, set[int]] = {}
    for cell in flipped:
        row, slot = divmod(cell, slots)
        by_room.setdefault(row, set()).add(slot)
    out = list(rooms)
    for row, toggled in by_room.items():
        room = rooms[row]
        have = {int(r.id.rsplit("-", 1)[1]): r for r in room.reservations}
        for slot in toggled:
            if slot in have:
                del have[slot]
            else:
                have[slot] = slot_reservation(room.id, axis, slot)
        out[row] = ConferenceRoom(
            room.id, room.name, room.capacity, room.location, room.floor, tuple(have[k] for k in sorted(have))
        )
    return out, [divmod(c, slots) for c in flipped]


class GridPreviewApp(App[None]):
    """The grid alone on synthetic data: the widget tests' host and a quick visual check."""

    CSS_PATH: ClassVar = [STYLES]

    def __init__(
        self,
        rooms: tuple[ConferenceRoom, ...] | list[ConferenceRoom] | None = None,
        *,
        day: date = SAMPLE_DAY,
        tz: str = SAMPLE_TZ,
        now: datetime = SAMPLE_NOW,
        day_start: str = "08:00",
        day_end: str = "21:00",
        slot_minutes: int = 30,
    ) -> None:
        super().__init__()
        self.rooms = tuple(sample_rooms(day, tz) if rooms is None else rooms)
        self.axis = DayAxis.build(day, tz, day_start, day_end, slot_minutes)
        self.now = now
        self.selected: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        yield RoomsGrid(id="grid")

    def on_mount(self) -> None:
        grid = self.query_one(RoomsGrid)
        slot, fraction = now_position(self.axis, self.now)
        grid.set_data(self.axis, build_rows(self.rooms, self.axis, self.now), slot, fraction)
        grid.focus()

    def on_rooms_grid_cell_selected(self, event: RoomsGrid.CellSelected) -> None:
        self.selected.append((event.row.room_id, event.slot))


if __name__ == "__main__":
    GridPreviewApp().run()
