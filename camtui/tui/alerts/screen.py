"""The Alerts view (`5`, alt+5 while typing; palette "Alerts…"): every rule of the config with its state now,
the selected rule's last firings with what was sent, and the snooze / mute keys. Escape goes back.

The screen only shows and asks: the rules, their states and the outbox records live in the engine the shell
feeds after each poll (`camtui.tui.shell.alerts_host`). It reads them through the `AlertsSource` the shell
passes in and repaints once a second (a pending rule counts its seconds) and after each evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from camtui.tui.alerts.text import (
    EMPTY_TEXT,
    READ_ONLY_TEXT,
    clock_text,
    firing_lines,
    last_fired_text,
    seconds_text,
    state_text,
    tomorrow,
)
from camtui.tui.shell.footer import KeysFooter
from camtui.tui.shell.keys import OPEN_ALERTS

COLUMNS = (
    ("rule", "Rule"),
    ("target", "Watches"),
    ("when", "When"),
    ("state", "State"),
    ("last", "Last fired"),
)


class AlertsSource(Protocol):
    """What the view needs from the shell (the app's AlertsHost)."""

    read_only: bool
    alerts_problem: str | None

    @property
    def alerts_note(self) -> str: ...

    @property
    def alerts_muted(self) -> bool: ...
    def alert_views(self) -> Sequence[Any]: ...
    def snooze_rule(self, name: str, until: datetime | None) -> None: ...
    def mute_alerts(self, muted: bool) -> None: ...
    def clock(self) -> datetime: ...


class AlertsScreen(Screen[None]):
    CSS_PATH = Path(__file__).parent.parent / "styles" / "alerts.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back to the dashboard"),
        replace(OPEN_ALERTS, action="close", description="Back"),
        Binding("s", "snooze(900)", "Snooze 15 m", id="alert-snooze-15m"),
        Binding("h", "snooze(3600)", "Snooze 1 h", id="alert-snooze-1h"),
        Binding("t", "snooze_tomorrow", "Snooze until tomorrow", id="alert-snooze-tomorrow"),
        Binding("u", "unsnooze", "Unsnooze", id="alert-unsnooze"),
        Binding("m", "toggle_mute", "Mute all / unmute", id="alert-mute"),
    ]

    def __init__(self, source: AlertsSource, tz: str) -> None:
        super().__init__(id="alerts")
        self.source = source
        self.tz = ZoneInfo(tz)
        self._names: tuple[str, ...] = ()
        self._cells: dict[tuple[str, str], str] = {}
        self._firings_text = ""
        self._ready = False

    def compose(self) -> ComposeResult:
        yield Static("", id="alerts-title", markup=False)
        note = self.source.alerts_note or (READ_ONLY_TEXT if self.source.read_only else "")
        if note:
            yield Static(note, id="alerts-note", markup=False)
        table: DataTable[str] = DataTable(id="alerts-rules", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Static("", id="alerts-firings", markup=False)
        problem = self.source.alerts_problem
        empty = (
            f"The alert rules are not used:\n\n  {problem}\n\nFix that, then restart camtui."
            if problem
            else EMPTY_TEXT
        )
        yield Static(empty, id="alerts-empty", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self._ready = True
        self.refresh_views()
        self.set_interval(1.0, self.refresh_views, name="alerts-view-tick")
        self.query_one(DataTable).focus()

    # ---- what is shown --------------------------------------------------------------------------------------

    @property
    def views(self) -> list[Any]:
        return list(self.source.alert_views())

    def selected(self) -> Any | None:
        views = self.views
        table = self.query_one(DataTable)
        if not views or not 0 <= table.cursor_row < len(views):
            return None
        return views[table.cursor_row]

    def refresh_views(self) -> None:
        """Rows and the firings panel from the engine's views now; cells that did not change are left alone."""
        if not self._ready:
            return  # an evaluation right after the push: on_mount fills the screen
        views = self.views
        now = self.source.clock()
        table: DataTable[str] = self.query_one(DataTable)
        empty = not views
        self.query_one("#alerts-empty", Static).display = empty
        table.display = not empty
        self.query_one("#alerts-firings", Static).display = not empty
        self._show_title(views)
        names = tuple(v.name for v in views)
        if names != self._names:
            keep = table.cursor_row
            table.clear()
            self._cells.clear()
            for view in views:
                cells = self._row_cells(view, now)
                table.add_row(*cells, key=view.name)
                self._cells.update(
                    {(view.name, key): cell for (key, _), cell in zip(COLUMNS, cells, strict=True)}
                )
            self._names = names
            if views:
                table.move_cursor(row=max(0, min(keep, len(views) - 1)))
        else:
            for view in views:
                for (key, _), cell in zip(COLUMNS, self._row_cells(view, now), strict=True):
                    if self._cells.get((view.name, key)) != cell:
                        self._cells[(view.name, key)] = cell
                        table.update_cell(view.name, key, cell, update_width=True)
        self._show_firings()

    def _row_cells(self, view: Any, now: datetime) -> tuple[str, ...]:
        when = view.condition + (f" for {seconds_text(view.for_s)}" if view.for_s else "")
        return (
            view.name,
            view.target,
            when,
            state_text(view, now, self.tz),
            last_fired_text(view, now, self.tz),
        )

    def _show_title(self, views: Sequence[Any]) -> None:
        active = sum(v.active for v in views)
        parts = ["Alerts", f"{len(views)} rule{'s' if len(views) != 1 else ''}"]
        if active:
            parts.append(f"{active} active")
        if self.source.alerts_muted:
            parts.append("all muted (m: unmute)")
        self.query_one("#alerts-title", Static).update(" · ".join(parts))

    def _show_firings(self) -> None:
        view = self.selected()
        if view is None:
            text = ""
        else:
            lines = firing_lines(view, self.source.clock(), self.tz, read_only=self.source.read_only)
            text = f"Last firings of “{view.name}”\n" + "\n".join(lines)
        if text != self._firings_text:
            self._firings_text = text
            self.query_one("#alerts-firings", Static).update(Text(text))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_firings()

    # ---- actions --------------------------------------------------------------------------------------------

    def action_close(self) -> None:
        self.app.pop_screen()

    def _snooze(self, until: datetime | None) -> None:
        view = self.selected()
        if view is None:
            self.notify("No rule to snooze: the config has none.", markup=False)
            return
        self.source.snooze_rule(view.name, until)
        now = self.source.clock()
        if until is None:
            self.notify(f"{view.name}: snooze ended.", markup=False)
        else:
            self.notify(f"{view.name}: snoozed until {clock_text(until, now, self.tz)}.", markup=False)
        self.refresh_views()

    def action_snooze(self, seconds: int) -> None:
        self._snooze(self.source.clock() + timedelta(seconds=seconds))

    def action_snooze_tomorrow(self) -> None:
        self._snooze(tomorrow(self.source.clock(), self.tz))

    def action_unsnooze(self) -> None:
        self._snooze(None)

    def action_toggle_mute(self) -> None:
        muted = not self.source.alerts_muted
        self.source.mute_alerts(muted)
        self.notify("Every alert rule muted (m: unmute)." if muted else "Alert rules unmuted.", markup=False)
        self.refresh_views()
