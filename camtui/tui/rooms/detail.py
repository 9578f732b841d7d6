"""Reservation detail: who booked the slot under the cursor, when, and how far that is from now.

Times are shown in the configured zone and humanised with arrow in the configured locale ("starts in 12
minutes" / "12分後に開始"). When reservations overlap, every reservation touching the slot is listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from camtui.api.models import Reservation
from camtui.tui.rooms.model import Cell, DayAxis, RoomRow, next_after, running_at

_WORDS = {
    "en": {
        "starts": "starts {}",
        "started": "started {}",
        "ends": "ends {}",
        "ended": "ended {}",
        "sep": ", ",
    },
    "ja": {"starts": "{}に開始", "started": "{}に開始", "ends": "{}に終了", "ended": "{}に終了", "sep": "・"},
}


def _human(moment: datetime, now: datetime, locale: str) -> str:
    """arrow's humanise, with hours and minutes when a whole-hour phrase would round ("in an hour" for 90 min)."""
    import arrow  # here, not at the top: arrow and dateutil cost ~1.5 MB and 20-30 ms at start-up

    target, base = arrow.get(moment), arrow.get(now)
    # Rounded, as arrow rounds: a floor of a past instant (-60.5 min → -61) read "an hour and 0 minutes ago".
    minutes = round(abs((moment - now).total_seconds()) / 60)
    if 60 < minutes < 24 * 60 and minutes % 60:
        return target.humanize(base, locale=locale, granularity=["hour", "minute"])
    return target.humanize(base, locale=locale)


def relative_phrase(res: Reservation, now: datetime, locale: str = "en") -> str:
    """How a reservation relates to now: starts in 12 minutes / started …, ends in … / ended … (or ja)."""
    words = _WORDS.get(locale, _WORDS["en"])
    if now < res.start:
        return words["starts"].format(_human(res.start, now, locale))
    if now < res.end:
        return (
            words["started"].format(_human(res.start, now, locale))
            + words["sep"]
            + words["ends"].format(_human(res.end, now, locale))
        )
    return words["ended"].format(_human(res.end, now, locale))


def format_span(res: Reservation, axis: DayAxis) -> str:
    """Start–end like 10:30–11:00 in the axis zone; dates are added when it is not within the shown day."""
    start, end = res.start.astimezone(axis.tz), res.end.astimezone(axis.tz)
    zone = start.tzname() or str(axis.tz)
    if start.date() == end.date() == axis.day:
        return f"{start:%H:%M}–{end:%H:%M} {zone}"
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} {zone}"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} {zone}"


def _overlaps(res: Reservation, others: Sequence[Reservation]) -> bool:
    return any(o is not res and o.start < res.end and res.start < o.end for o in others)


def now_status(row: RoomRow, axis: DayAxis, now: datetime) -> Text | None:
    """On today's grid, whether the room is in use at this very instant, whatever slot the cursor is on:
    "now 06:40: in use: 品質会議 until 07:30" (a meeting before the day's hours counts too)."""
    local = now.astimezone(axis.tz)
    if local.date() != axis.day:
        return None
    running = running_at(row.room, now)
    if running:
        what = ", ".join(
            f"{r.title or '(untitled)'} until {r.end.astimezone(axis.tz):%H:%M}" for r in running
        )
        return Text(f"now {local:%H:%M}: in use: {what}", style="bold")
    nxt = next_after(row.room, now)
    if nxt is None:
        return Text(f"now {local:%H:%M}: free for the rest of the day")
    until = (
        f"{nxt.start.astimezone(axis.tz):%H:%M}" if nxt.start.astimezone(axis.tz).date() == axis.day else ""
    )
    tail = f" until {until}" if until else ""
    return Text(f"now {local:%H:%M}: free{tail} (next: {nxt.title or '(untitled)'})")


def detail_lines(row: RoomRow, slot: int, axis: DayAxis, now: datetime, locale: str = "en") -> list[Text]:
    """The screen's content as plain rich Text (no markup: titles and names are user data)."""
    room = row.room
    slot_start, slot_end = axis.slot_bounds(slot)
    facts = [room.name]
    if room.location:
        facts.append(room.location)
    if room.capacity is not None:
        facts.append(f"{room.capacity} seats")
    lines = [
        Text(" · ".join(facts), style="bold"),
        Text(
            f"slot {slot_start:%H:%M}–{slot_end:%H:%M}, {axis.day:%a %Y-%m-%d} ({axis.tz.key})", style="dim"
        ),
    ]
    now_line = now_status(row, axis, now)
    if now_line is not None:
        lines.append(now_line)
    reservations = row.slot_reservations[slot]
    if not reservations:
        later = sorted(
            (r for rs in row.slot_reservations[slot + 1 :] for r in rs if r.start >= slot_end),
            key=lambda r: r.start,
        )
        if later:
            nxt = later[0]
            free = f"free until {nxt.start.astimezone(axis.tz):%H:%M} (next: {nxt.title or '(untitled)'})"
        else:
            free = "free for the rest of the day"
        lines.append(Text(free))
        return lines
    if row.cells[slot] == Cell.OVERLAP:
        lines.append(Text(f"⚠ {len(reservations)} reservations overlap in this slot", style="bold"))
    return lines


class ReservationDetailScreen(ModalScreen[None]):
    """Modal over the dashboard; escape or enter closes it."""

    BINDINGS: ClassVar = [
        Binding("escape,enter", "close", "Close"),
    ]

    def __init__(
        self, row: RoomRow, slot: int, axis: DayAxis, now: datetime, locale: str = "en", *, mark: str = ""
    ) -> None:
        super().__init__()
        self.mark = mark
        """The room's alert mark explained (ghost / squatter, `camtui.tui.rooms.marks`); "" without one."""
        self.row = row
        self.slot = slot
        self.axis = axis
        self.now = now
        self.locale = locale

    @property
    def reservations(self) -> tuple[Reservation, ...]:
        return self.row.slot_reservations[self.slot]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-box") as box:
            box.border_title = "Reservation"
            heading = Text("\n").join(detail_lines(self.row, self.slot, self.axis, self.now, self.locale))
            yield Static(heading, id="detail-heading")
            if self.mark:
                yield Static(Text(self.mark), id="detail-mark")
            reservations = self.reservations
            for res in reservations:
                yield Static(
                    self._describe(res),
                    classes="detail-item -overlap" if _overlaps(res, reservations) else "detail-item",
                )
            yield Static("escape / enter: close", id="detail-footer")

    def _describe(self, res: Reservation) -> Text:
        text = Text()
        text.append(res.title or "(untitled)", style="bold")
        text.append("\n")
        organiser = res.organizer_name or "(unknown organiser)"
        text.append(organiser)
        if res.organizer_email:
            text.append(f" <{res.organizer_email}>")
        text.append("\n")
        text.append(format_span(res, self.axis))
        text.append("\n")
        text.append("→ " + relative_phrase(res, self.now, self.locale), style="italic")
        return text

    def action_close(self) -> None:
        self.dismiss(None)
