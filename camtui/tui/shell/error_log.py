"""What went wrong since camtui started: every reported failure, grouped, for the admin who was not looking.

Toasts vanish after a few seconds and are de-duplicated (a server down for an hour is one toast). A dashboard
left open all day needs the history too: `ErrorLog` keeps each distinct failure once, with how often and when
it first and last happened, bounded so that days of outages cannot grow it without limit; `ErrorLogScreen`
shows it (key `!`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

if TYPE_CHECKING:
    from camtui.tui.shell.error_report import ErrorReport

LIMIT = 200
"""Distinct failures kept; the oldest (by last occurrence) go first."""


@dataclass(slots=True)
class LoggedError:
    """One distinct failure: the latest report of it, when it first and last happened, how many times."""

    report: ErrorReport
    first: datetime
    last: datetime
    count: int = 1


class ErrorLog:
    """Reported failures grouped by identity (`ErrorReport.key`), newest occurrence last.

    Iterating yields the reports (the latest of each group), so `any(r.source == "calls" for r in log)` reads
    naturally; `groups()` gives the counts and times the screen shows.
    """

    def __init__(self, limit: int = LIMIT) -> None:
        self._groups: OrderedDict[tuple[str, ...], LoggedError] = OrderedDict()
        self._limit = limit
        self.total = 0
        """Reports received, repeats included."""

    def add(self, report: ErrorReport, when: datetime) -> LoggedError:
        self.total += 1
        entry = self._groups.pop(report.key, None)
        if entry is None:
            entry = LoggedError(report, when, when)
        else:
            entry.report = report
            entry.last = when
            entry.count += 1
        self._groups[report.key] = entry
        while len(self._groups) > self._limit:
            self._groups.popitem(last=False)
        return entry

    def groups(self) -> list[LoggedError]:
        """Newest occurrence first."""
        return list(reversed(self._groups.values()))

    def clear(self) -> None:
        self._groups.clear()

    def __iter__(self) -> Iterator[ErrorReport]:
        return (entry.report for entry in self._groups.values())

    def __len__(self) -> int:
        return len(self._groups)

    def __bool__(self) -> bool:
        return bool(self._groups)


def describe_entry(entry: LoggedError, zone: ZoneInfo) -> tuple[str, str]:
    """(heading, body) of one entry: "14:03:12  calls: server not reachable  ×37 since 13:58:40", message."""
    last = entry.last.astimezone(zone).strftime("%H:%M:%S")
    heading = f"{last}  {entry.report.title}"
    if entry.count > 1:
        heading += f"  ×{entry.count} since {entry.first.astimezone(zone).strftime('%H:%M:%S')}"
    return heading, entry.report.message


class ErrorLogScreen(ModalScreen[None]):
    """The error log, newest first. `c` clears it, escape (or `!`, `q`) closes."""

    BINDINGS: ClassVar = [
        Binding("escape,exclamation_mark,q", "close", "Close"),
        Binding("c", "clear", "Clear the log"),
    ]

    def __init__(self, log: ErrorLog, zone: ZoneInfo, started: datetime) -> None:
        super().__init__(id="error-log")
        self.errors = log
        self.zone = zone
        self.started = started

    def compose(self) -> ComposeResult:
        with Vertical(id="errors-box"):
            yield Label("camtui — what went wrong", id="errors-title")
            with VerticalScroll(id="errors-body"):
                yield from self._entries()
            yield Label("c clear   esc close", id="errors-footer")

    def _entries(self) -> Iterator[Static]:
        groups = self.errors.groups()
        if not groups:
            since = self.started.astimezone(self.zone).strftime("%H:%M")
            yield Static(f"Nothing has gone wrong since camtui started at {since}.", classes="errors-empty")
            return
        for entry in groups:
            heading, body = describe_entry(entry, self.zone)
            severity = entry.report.severity if entry.report.severity in ("error", "warning") else "error"
            yield Static(heading, classes=f"errors-heading -{severity}", markup=False)
            yield Static(body, classes="errors-message", markup=False)

    def action_clear(self) -> None:
        self.errors.clear()
        body = self.query_one("#errors-body", VerticalScroll)
        body.remove_children()
        body.mount_all(list(self._entries()))

    def action_close(self) -> None:
        self.dismiss(None)
