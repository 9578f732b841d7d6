"""The alert marks of the rooms grid: a ghost meeting (∅) and a squatter (⊕), shown after the room's name.

Which rooms carry a mark is decided by the alert engine (`camtui.alerts.links.classify_rooms`, fed by the shell
after each poll); this module only knows the glyphs and the words that explain them (detail view, help, README).
Kept apart from grid.py/paint.py so the grid itself changes by a few lines only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

GHOST = "ghost"
SQUATTER = "squatter"

GLYPHS: Mapping[str, str] = {GHOST: "∅", SQUATTER: "⊕"}
"""One cell each (not East Asian wide), distinct from the grid's other marks (· hour, │ now-line, ⚠ overlap)."""

EXPLANATIONS: Mapping[str, str] = {
    GHOST: "ghost meeting: a reservation is running here and its linked call has had nobody in it",
    SQUATTER: "squatter: a call linked to this room is in progress, but the room has no reservation now",
}

LEGEND = (
    "∅ ghost meeting (booked, its linked call is empty) · ⊕ squatter (linked call in progress, not booked)"
)
"""The help's line for the marks."""


def glyph(kind: str) -> str:
    """The mark drawn for a kind ("ghost" / "squatter"); an unknown kind draws nothing."""
    return GLYPHS.get(kind, "")


def explain(kind: str, detail: str = "") -> str:
    """The detail view's sentence for a mark: glyph, name, and the engine's own words for this room (which
    reservation, which call, since when); the general meaning when there are none."""
    words = EXPLANATIONS.get(kind)
    if words is None:
        return ""
    if detail:
        return f"{glyph(kind)} {words.split(':', 1)[0]}: {detail}"
    return f"{glyph(kind)} {words}"


class RoomMarks:
    """Mixed into the rooms pane: keeps the shell's latest marks, hands the glyphs to the grid and the words to
    the detail view. The marks are about today: another day's grid shows none. Needs `grid`, `day`, `today()`."""

    grid: Any
    day: Any
    _alert_marks: dict[str, tuple[str, str]] = {}  # noqa: RUF012  (replaced, never mutated)

    today: Callable[[], Any]  # RoomsPolling's (an annotation only: a method here would shadow it)

    def on_alert_marks(self, event: Any) -> None:
        """From the shell after each evaluation: room id → (kind, reason); rooms without a mark are clean."""
        self._alert_marks = dict(event.marks)
        self.show_marks()

    def show_marks(self) -> None:
        """Draw the marks, or none when the grid shows another day (after a day change too)."""
        marks = self._alert_marks if self.day == self.today() else {}
        self.grid.set_marks({room: glyph(kind) for room, (kind, _reason) in marks.items()})

    def mark_words(self, room_id: str) -> str:
        """The detail view's line for the room's mark ("" without one, or on another day)."""
        found = self._alert_marks.get(room_id) if self.day == self.today() else None
        return explain(found[0], found[1]) if found else ""
