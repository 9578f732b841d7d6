"""The alert marks of the rooms grid: a ghost meeting (∅) and a squatter (⊕), shown after the room's name.

Which rooms carry a mark is decided by the alert engine (`camtui.alerts.links.classify_rooms`, fed by the shell
after each poll); this module only knows the glyphs and the words that explain them (detail view, help, README).
Kept apart from grid.py/paint.py so the grid itself changes by a few lines only.
"""

from __future__ import annotations

from collections.abc import Mapping

GHOST = "ghost"
SQUATTER = "squatter"

GLYPHS: Mapping[str, str] = {GHOST: "∅", SQUATTER: "⊕"}
"""One cell each (not East Asian wide), distinct from the grid's other marks (· hour, │ now-line, ⚠ overlap)."""

EXPLANATIONS: Mapping[str, str] = {
    GHOST: "ghost meeting: a reservation is running here and its linked call has nobody in it",
    SQUATTER: "squatter: a call linked to this room is in progress, but the room has no reservation now",
}

LEGEND = "∅ ghost meeting (booked, its linked call is empty) · ⊕ squatter (linked call in progress, not booked)"
"""The help's line for the marks."""


def glyph(kind: str) -> str:
    """The mark drawn for a kind ("ghost" / "squatter"); an unknown kind draws nothing."""
    return GLYPHS.get(kind, "")


def explain(kind: str, detail: str = "") -> str:
    """The detail view's sentence for a mark: glyph, meaning, and the engine's detail (which call, since when)."""
    words = EXPLANATIONS.get(kind)
    if words is None:
        return ""
    return f"{glyph(kind)} {words}" + (f" ({detail})" if detail else "")
