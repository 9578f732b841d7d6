"""Wide text is never garbled on screen (issue 11): every widget that cuts text, checked on the composited
screen (what the terminal receives), with kanji, kana, emoji and combining marks.

A garbled cut blanks the cells of a character that straddles a widget edge (Textual divides each screen line
at every widget's edge, and a double-width character cut there becomes two spaces): 情報システム部 drawn as
`情  シ …`. The check: wherever a sample starts on screen, what follows is the sample, possibly cut at a
character boundary (then an ellipsis, a border or the end of the line), never the sample with holes in it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from camtui.api import CAMClient
from camtui.tui.shell.cells import cut, fit

NOW = datetime(2026, 12, 3, 1, 30, tzinfo=UTC)
SAMPLES = ("情報システム部", "マーケティング部", "🎉打ち上げ🎉会議", "Cafe\u0301 de\u0301ja\u0300 vu")
"""Kanji, kana, emoji (two cells each) and combining marks (no cell)."""


def screen_lines(pilot: Pilot[Any]) -> list[str]:
    """The screen as composited: one string per line, each character once (wide ones are not doubled)."""
    return [strip.text for strip in pilot.app.screen._compositor.render_strips()]


def holes(line: str, sample: str) -> str | None:
    """Where `sample` starts on `line` but continues after blanked cells: the garbled run, else None."""
    start = line.find(sample[0])
    while start >= 0:
        run = line[start : start + len(sample) + 4]
        k = 0
        while k < len(sample) and k < len(run) and run[k] == sample[k]:
            k += 1
        if k < len(sample):
            rest = run[k:]
            stripped = rest.lstrip(" ")
            if len(stripped) < len(rest) and stripped and stripped[0] in sample[k + 1 : k + 4]:
                return run
        start = line.find(sample[0], start + 1)
    return None


def garbled(lines: list[str], samples: tuple[str, ...] = SAMPLES) -> list[str]:
    return [f"{y}: {found!r}" for y, line in enumerate(lines) for s in samples if (found := holes(line, s))]


def test_the_check_catches_the_reported_garbling() -> None:
    assert holes("│情  シ …│", "情報システム部") == "情  シ …│"
    assert holes("│  理部", "経理部") is None  # (the first character gone entirely is caught by `seen` below)
    assert holes("│情報シス…│", "情報システム部") is None
    assert holes("│情報システム部  │", "情報システム部") is None


def test_cells_cut_at_a_character_boundary() -> None:
    for sample in SAMPLES:
        for width in range(1, 14):
            short = cut(sample, width)
            assert short.rstrip("…") == sample[: len(short.rstrip("…"))] or sample.startswith(
                short.rstrip(" …")
            )
            from rich.cells import cell_len

            assert cell_len(short) <= width and cell_len(fit(sample, width)) == width


WIDE_PEOPLE = "uid,email,name,romaji,department,position,admin\n" + "".join(
    f",wide{i}@example.co.jp,東雲 {i},Shinonome {i},{dept},主任,false\n" for i, dept in enumerate(SAMPLES)
)


def composer_app(client: CAMClient, store_path: Path) -> Any:
    """The real shell with only the composer talking to the server."""
    from textual.widgets import Static

    from camtui.common.clock import fixed_clock
    from camtui.config.settings import Settings
    from camtui.store import Store
    from camtui.tui.app import CamApp

    settings = Settings.defaults().with_changes(server_url=client.server_url, api_token="x")
    return CamApp(
        client,
        Store.open(store_path),
        settings,
        clock=fixed_clock(NOW),
        panes={"rooms": lambda: Static("rooms"), "calls": lambda: Static("calls")},
    )


async def wait(pilot: Pilot[Any], condition: Any, what: str, limit: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await pilot.pause(0.02)


async def test_composer_recipient_dropdown(sandbox, tmp_path: Path) -> None:
    """The reported case: the dropdown over the message area, at every terminal width from 80 to 200."""
    from camtui.tui.composer.dropdown import SuggestionDropdown
    from camtui.tui.composer.pane import ComposerPane

    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        await client.update_users_csv(WIDE_PEOPLE)
        app = composer_app(client, tmp_path / "c.db")
        async with app.run_test(size=(160, 48)) as pilot:
            pane = app.query_one("#composer", ComposerPane)
            await wait(pilot, lambda: pane.directory_state == "fresh", "the directory")
            await pilot.press("3")
            pane.recipients.input.focus()
            await pilot.pause()
            for ch in "shinonome":
                await pilot.press(ch)
            dropdown = pane.recipients.query_one(SuggestionDropdown)
            await wait(
                pilot, lambda: dropdown.is_open and len(dropdown.suggestions) >= len(SAMPLES), "the list"
            )
            found: list[str] = []
            departments = 0
            for width in range(80, 201, 3):
                await pilot.resize_terminal(width, 48)
                await pilot.pause()
                assert dropdown.is_open
                lines = screen_lines(pilot)
                found.extend(f"width {width}, line {bad}" for bad in garbled(lines))
                departments += all(sample[:2] in "\n".join(lines) for sample in SAMPLES)
            assert found == []
            assert departments  # the check saw the departments, not just names cut short before them


def test_styled_text_is_cut_like_plain_text() -> None:
    from rich.cells import cell_len
    from textual.content import Content

    from camtui.tui.shell.cells import cut_content

    for sample in SAMPLES:
        styled = Content.assemble((sample, "bold"), ("  tail", "italic"))
        for width in range(1, 20):
            short = cut_content(styled, width)
            assert short.plain == cut(styled.plain, width)
            assert cell_len(short.plain) <= width


async def sweep(pilot: Pilot[Any], check: Any = None, widths: range = range(80, 201, 3)) -> list[str]:
    """Garbled runs at each terminal width (`check()` must still hold at each, e.g. a list still open)."""
    found: list[str] = []
    for width in widths:
        await pilot.resize_terminal(width, 40)
        await pilot.pause()
        if check is not None:
            assert check(), f"at width {width}"
        found.extend(f"width {width}, line {bad}" for bad in garbled(screen_lines(pilot)))
    return found


async def test_calls_table_titles(sandbox_factory, tmp_path: Path) -> None:
    """Call titles in the calls table (its Title column is cut to the slack), maximised and not."""
    from datetime import timedelta

    from camtui.config.settings import Settings
    from camtui.store import Store
    from camtui.tui.app import CamApp
    from camtui.tui.calls.pane import CallsPane

    sb = sandbox_factory(now=lambda: NOW)
    client = CAMClient(sb.url, sb.admin_token)
    settings = Settings.defaults().with_changes(server_url=sb.url, api_token=sb.admin_token)
    app = CamApp(
        client,
        Store.open(tmp_path / "s.db"),
        settings,
        clock=lambda: NOW,
        server_label="sandbox",
        close_on_exit=True,
    )
    async with app.run_test(size=(160, 40)) as pilot:
        pane = app.query_one("#calls", CallsPane)
        for sample in SAMPLES:
            pane._created(await client.create_quick_call(NOW + timedelta(hours=2), "", sample * 2))
        await wait(pilot, lambda: all(r.last_ok for r in pane.watched), "the calls polled")
        await pilot.press("2")
        assert await sweep(pilot) == []
        await pilot.press("z")
        assert await sweep(pilot) == []
        shown = "\n".join(screen_lines(pilot))
        assert all(sample[:2] in shown for sample in SAMPLES)


async def test_composer_outbox_and_sent_lists(sandbox, tmp_path: Path) -> None:
    """What the Outbox and Sent tabs cut: destinations, recipients and message previews."""
    from camtui.store import Store
    from camtui.tui.composer.form import TAB_OUTBOX, TAB_SENT
    from camtui.tui.composer.pane import ComposerPane

    store_path = tmp_path / "c.db"
    store = Store.open(store_path)
    for i, sample in enumerate(SAMPLES):
        store.outbox.add(sample, f"{sample}の件 " * 6, False, [f"{sample}@example.co.jp"])
        store.sent_log.add(sample, f"{sample}のお知らせ " * 6, True, [f"wide{i}@example.co.jp"], f"m{i}")
    store.close()
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        app = composer_app(client, store_path)
        async with app.run_test(size=(160, 40)) as pilot:
            pane = app.query_one("#composer", ComposerPane)
            await wait(pilot, lambda: pane.directory_state == "fresh", "the directory")
            await pilot.press("3")
            pane.show_tab(TAB_OUTBOX)
            assert await sweep(pilot, widths=range(80, 201, 5)) == []
            pane.show_tab(TAB_SENT)
            assert await sweep(pilot, widths=range(80, 201, 5)) == []


def wide_rooms(day: Any = None) -> tuple[Any, ...]:
    """The sample rooms renamed to the samples (long, so names get cut), with the samples as meeting titles."""
    from dataclasses import replace

    from camtui.tui.rooms.synthetic import SAMPLE_DAY, sample_rooms

    rooms = sample_rooms(day or SAMPLE_DAY)
    out = []
    for i, room in enumerate(rooms):
        sample = SAMPLES[i % len(SAMPLES)]
        titles = [
            replace(r, title=SAMPLES[(i + k) % len(SAMPLES)] * 2) for k, r in enumerate(room.reservations)
        ]
        out.append(replace(room, name=sample * 3, reservations=tuple(titles)))
    return tuple(out)


async def test_rooms_grid_names_and_titles_at_every_width_and_zoom() -> None:
    """The day grid: room names (cut to the name column) and titles (cut to their slots), at each zoom."""
    from camtui.tui.rooms.grid import RoomsGrid
    from camtui.tui.rooms.layout import ZOOM_HOURS
    from camtui.tui.rooms.synthetic import GridPreviewApp

    app = GridPreviewApp(wide_rooms())
    async with app.run_test(size=(160, 40)) as pilot:
        grid = app.query_one(RoomsGrid)
        for hours in ZOOM_HOURS:
            grid.set_zoom(hours)
            for col in (0, len(app.axis) // 2, len(app.axis) - 1):  # scrolled to the start, middle, end
                grid.move_cursor(col=col)
                assert await sweep(pilot, widths=range(80, 201, 7)) == []
        shown = "\n".join(screen_lines(pilot))
        assert all(sample[:2] in shown for sample in SAMPLES)


async def test_month_overview_room_names(tmp_path: Path) -> None:
    """The month overview's name column (its own painter)."""
    from datetime import date

    from camtui.api.models import RoomStatus
    from camtui.tui.rooms.month.screen import MonthOverviewScreen
    from camtui.tui.rooms.synthetic import SAMPLE_DAY, SAMPLE_TZ, GridPreviewApp

    async def load(period: str) -> RoomStatus:
        return RoomStatus(
            wide_rooms(date(int(period[:4]), int(period[4:6]), 1)), period, None, None, SAMPLE_TZ
        )

    app = GridPreviewApp(wide_rooms())
    async with app.run_test(size=(160, 40)) as pilot:
        screen = MonthOverviewScreen(load, SAMPLE_DAY, today=SAMPLE_DAY, tz=SAMPLE_TZ)
        app.push_screen(screen)
        await wait(pilot, lambda: "情報" in "\n".join(screen_lines(pilot)), "the month")
        assert await sweep(pilot, widths=range(80, 201, 7)) == []


def test_short_reasons_are_cut_by_cells() -> None:
    from rich.cells import cell_len

    from camtui.tui.calls.model import short_reason

    for sample in SAMPLES:
        short = short_reason(sample * 2)
        assert cell_len(short) <= 11 and short.endswith("…") and (sample * 2).startswith(short[:-1].rstrip())
