"""The calls table's columns and how a cell's text is fitted to its width: pure, no Textual."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rich.cells import cell_len

from camtui.tui.calls.model import (
    CallState,
)
from camtui.tui.shell.cells import fit

SPARK_WINDOW = timedelta(minutes=30)
"""How much history the table's sparkline shows (the detail view shows all of it)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_STATE_ORDER = {
    CallState.IN_PROGRESS: 0,
    CallState.WAITING: 1,
    CallState.PENDING: 2,
    CallState.ERROR: 3,
    CallState.EXPIRED: 4,
}
_STATE_MARK = {
    CallState.IN_PROGRESS: "●",
    CallState.WAITING: "○",
    CallState.PENDING: "…",
    CallState.ERROR: "!",
    CallState.EXPIRED: "✕",
}


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int
    priority: float
    """Lower is more important; the least important columns are hidden first when the pane is narrow."""
    align: str = "left"


COLUMNS: tuple[Column, ...] = (
    Column("title", "Title", 12, 0),
    Column("id", "ID", 8, 3),
    Column("now", "Now", 5, 0, "right"),
    Column("trend", "Trend 30m", 12, 2),
    Column("state", "State", 13, 0),
    Column("created", "Created", 11, 4),
    Column("expires", "Expires", 9, 1, "right"),
    Column("polled", "Polled", 17, 1),
)
"""Widths leave room for the sort arrow after each label ("Now ▲"), and for "59m ⚠ 503 unavail"."""
ARROW_UP, ARROW_DOWN = "▲", "▼"
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
_KEY_INDEX = {key: i for i, key in enumerate(COLUMN_KEYS)}
_STATE_CLASS = {
    CallState.IN_PROGRESS: "calls-table--progress",
    CallState.WAITING: "calls-table--waiting",
    CallState.EXPIRED: "calls-table--expired",
    CallState.ERROR: "calls-table--error",
    CallState.PENDING: "calls-table--pending",
}


def _fit(text: str, width: int, align: str = "left") -> str:
    """Pad or truncate to exactly `width` cells (double-width characters count two), with an ellipsis: the
    whole UI's one helper (`shell.cells.fit`), so a cut never splits a character."""
    return fit(text, width, align)


def header_label(label: str, arrow: str | None, width: int, align: str = "left") -> str:
    """A column heading in exactly `width` cells; the sort arrow is never the part that gets cut."""
    if arrow is None or width <= 1:
        return _fit(label, width, align)
    for text in (f"{label} {arrow}", f"{label}{arrow}"):
        if cell_len(text) <= width:
            return _fit(text, width, align)
    return _fit(label, width - 1) + arrow  # the label is cut (with "…"), the arrow stays
