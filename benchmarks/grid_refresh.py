"""Rooms grid refresh: main-thread time to apply a poll and repaint, against a stock DataTable doing the same.

1,000 rooms × 28 half-hour slots (08:00–22:00); each "poll" flips 5% of the cells (free ↔ booked). Both widgets
run in a headless Textual app (`run_test`) at the same terminal size. For each poll we measure, on the main
thread, from the start of the apply until the compositor update that follows it has been rendered to terminal
bytes (`render_segments`, the work a real terminal driver does; headless apps skip it, so we add it back):

- RoomsGrid: `grid.set_data(...)` (diff by row render key, invalidate changed rows, refresh their lines);
  the new rows are built beforehand, as the pane does in a worker thread for sites this big (that build time is
  reported separately, and also the all-on-the-main-thread variant);
- DataTable: `update_cell(row, column, value)` for every changed cell (no width update).

Main-thread time is `time.thread_time()` (CPU of this thread: idle waits for the screen's update timer are not
counted); wall latency (apply → bytes ready) is shown too. Run: `python benchmarks/grid_refresh.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from camtui.api.models import ConferenceRoom
from camtui.tui.rooms.grid import RoomsGrid, now_position
from camtui.tui.rooms.model import DayAxis, RoomRow, RowDiff, build_rows, prepare
from camtui.tui.rooms.synthetic import SAMPLE_DAY, SAMPLE_NOW, SAMPLE_TZ, STYLES, random_rooms, toggle_cells


@dataclass
class Sample:
    cpu_ms: float
    wall_ms: float


class Host(App[None]):
    """One widget filling a headless screen; records when each compositor update has been rendered."""

    CSS_PATH: ClassVar = [STYLES]
    CSS = "DataTable { height: 1fr; }"

    def __init__(self, widget_factory: Callable[[], Any]) -> None:
        super().__init__()
        self._factory = widget_factory
        self.displayed = asyncio.Event()
        self.display_count = 0

    def compose(self) -> ComposeResult:
        yield self._factory()

    def _display(self, screen: Any, renderable: Any) -> None:  # type: ignore[override]
        if renderable is not None and hasattr(renderable, "render_segments"):
            renderable.render_segments(self.console)  # the terminal bytes a real driver would write
        super()._display(screen, renderable)
        self.display_count += 1
        self.displayed.set()


async def measure(app: Host, apply: Callable[[], None]) -> Sample:
    """Main-thread CPU and wall time from the start of `apply` until the next update is rendered."""
    await asyncio.sleep(0.05)  # let anything pending settle first
    app.displayed.clear()
    wall0, cpu0 = time.perf_counter(), time.thread_time()
    apply()
    await app.displayed.wait()
    cpu1, wall1 = time.thread_time(), time.perf_counter()
    return Sample((cpu1 - cpu0) * 1000, (wall1 - wall0) * 1000)


def summary(name: str, samples: list[Sample]) -> str:
    cpu = sorted(s.cpu_ms for s in samples)
    wall = sorted(s.wall_ms for s in samples)
    p95 = cpu[max(0, round(len(cpu) * 0.95) - 1)]
    return (
        f"{name:<34} main-thread median {statistics.median(cpu):8.2f} ms  p95 {p95:8.2f} ms"
        f"   (wall median {statistics.median(wall):8.2f} ms)"
    )


async def bench_grid(
    states: list[list[ConferenceRoom]],
    axis: DayAxis,
    now: datetime,
    size: tuple[int, int],
    polls: int,
    marks: int = 0,
) -> tuple[list[Sample], list[Sample], float, int]:
    """Returns (apply+repaint samples, build+apply+repaint samples, mean build ms, rows rendered per poll).
    `marks`: that many rooms (spread over the list) carry an alert mark (∅ / ⊕) during the polls."""
    slot, fraction = now_position(axis, now)
    # As the pane does: each poll's rows are built with the current rows as `previous`, so rooms that did not
    # change keep their row objects.
    # The diff against the rows on screen is computed there too (`prepare`), like the DataTable below is handed
    # the list of changed cells.
    first = build_rows(states[0], axis, now)
    t0 = time.perf_counter()
    second = build_rows(states[1], axis, now, {r.room_id: r for r in first})
    diffs = [prepare(second, first, "", slot).diff, prepare(first, second, "", slot).diff]
    build_ms = (time.perf_counter() - t0) * 1000
    built: list[tuple[RoomRow, ...]] = [first, second]
    app = Host(lambda: RoomsGrid(id="grid"))
    applied: list[Sample] = []
    full: list[Sample] = []
    rendered: list[int] = []
    async with app.run_test(size=size) as pilot:
        grid = app.query_one(RoomsGrid)
        grid.set_data(axis, built[0], slot, fraction)
        if marks:
            step = max(1, len(built[0]) // marks)
            grid.set_marks({r.room_id: "∅⊕"[k % 2] for k, r in enumerate(built[0][::step][:marks])})
        await pilot.pause()
        await asyncio.sleep(0.1)
        current = 0
        for i in range(1, polls + 2):
            current = 1 - current  # every poll flips the same cells back and forth
            rows, diff, base = built[current], diffs[current], built[1 - current]
            before = grid.render_count

            def apply(
                rows: tuple[RoomRow, ...] = rows, diff: RowDiff = diff, base: tuple[RoomRow, ...] = base
            ) -> None:
                grid.set_data(axis, rows, slot, fraction, diff=diff, base=base)

            sample = await measure(app, apply)
            if i > 1:  # the first one warms caches
                applied.append(sample)
                rendered.append(grid.render_count - before)
        for i in range(1, polls + 2):
            current = 1 - current
            rooms = states[current]

            def build_and_apply(rooms: list[ConferenceRoom] = rooms) -> None:
                previous = {r.room_id: r for r in grid.rows}
                grid.set_data(axis, build_rows(rooms, axis, now, previous), slot, fraction)  # diffs here too

            sample = await measure(app, build_and_apply)
            if i > 1:
                full.append(sample)
    return applied, full, build_ms, round(statistics.median(rendered))


def cell_text(rooms: list[ConferenceRoom], slots: int) -> list[list[str]]:
    table = []
    for room in rooms:
        cells = ["·"] * slots
        for r in room.reservations:
            cells[int(r.id.rsplit("-", 1)[1])] = "M" + r.id[-2:]
        table.append(cells)
    return table


async def bench_datatable(
    states: list[list[ConferenceRoom]],
    flips: list[tuple[int, int]],
    axis: DayAxis,
    size: tuple[int, int],
    polls: int,
) -> list[Sample]:
    slots = len(axis)
    texts = [cell_text(rooms, slots) for rooms in states]
    app = Host(lambda: DataTable(id="table", cursor_type="cell"))
    samples: list[Sample] = []
    async with app.run_test(size=size) as pilot:
        table = app.query_one(DataTable)
        table.add_column("Room", key="room")
        for k, start in enumerate(axis.starts):
            table.add_column(f"{start:%H:%M}", key=f"s{k}")
        for room, cells in zip(states[0], texts[0], strict=True):
            table.add_row(room.name, *cells, key=room.id)
        await pilot.pause()
        await asyncio.sleep(0.2)
        row_keys = [room.id for room in states[0]]
        col_keys = [f"s{k}" for k in range(slots)]
        for i in range(1, polls + 2):
            target = texts[i % 2]

            def apply(target: list[list[str]] = target) -> None:
                for row, slot in flips:
                    table.update_cell(row_keys[row], col_keys[slot], target[row][slot])

            sample = await measure(app, apply)
            if i > 1:
                samples.append(sample)
    return samples


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--share", type=float, default=0.05, help="share of cells each poll flips")
    parser.add_argument("--polls", type=int, default=20)
    parser.add_argument("--size", default="200x60", help="terminal WIDTHxHEIGHT")
    parser.add_argument("--marks", type=int, default=0, help="rooms with an alert mark (ghost / squatter)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    axis = DayAxis.build(SAMPLE_DAY, SAMPLE_TZ, "08:00", "22:00", 30)
    now = SAMPLE_NOW
    base = random_rooms(args.rooms, axis, booked_share=0.4, seed=1)
    flipped, flips = toggle_cells(base, axis, args.share, seed=2)
    states = [base, flipped]
    print(
        f"grid_refresh: {args.rooms} rooms × {len(axis)} slots, {len(flips)} cells change per poll "
        f"({args.share:.0%}), terminal {width}×{height}, {args.polls} polls each (median of measured polls)"
        + (f", {args.marks} rooms marked" if args.marks else "")
    )
    applied, full, build_ms, rendered = await bench_grid(
        states, axis, now, (width, height), args.polls, args.marks
    )
    table = await bench_datatable(states, flips, axis, (width, height), args.polls)
    print(summary("RoomsGrid apply + repaint", applied))
    print(f"{'':34} rows re-rendered per poll: {rendered} (the visible ones whose content changed)")
    print(f"{'':34} build + diff for {args.rooms} rooms (a worker thread in the pane): {build_ms:.2f} ms")
    print(summary("RoomsGrid build + apply + repaint", full))
    print(summary("DataTable update_cell × changes", table))
    grid_ms = statistics.median(s.cpu_ms for s in applied)
    table_ms = statistics.median(s.cpu_ms for s in table)
    print(
        f"RESULT RoomsGrid {grid_ms:.2f} ms (goal ≤ 8 ms: {'met' if grid_ms <= 8 else 'NOT met'}); "
        f"DataTable {table_ms:.1f} ms; speed-up {table_ms / grid_ms:.0f}× (goal ≥ 30×: "
        f"{'met' if table_ms / grid_ms >= 30 else 'NOT met'})"
    )


if __name__ == "__main__":
    asyncio.run(main())
