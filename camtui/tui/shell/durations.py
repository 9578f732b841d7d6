"""How the UI says a poll interval or an age ("every 15 s", "4 min"): one spelling for every pane."""

from __future__ import annotations

from collections.abc import Iterable

POLL_STEPS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0)
"""What + and - step through in the calls pane (the current interval is a step of its own)."""


def age_text(seconds: float) -> str:
    """A duration as the status bars say it: "12 s", "4 min", "1 h 05 min"."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def interval_text(seconds: float) -> str:
    """A poll interval: `age_text`, but a fractional second stays ("1.5 s")."""
    if seconds < 60 and seconds != int(seconds):
        return f"{seconds:g} s"
    return age_text(seconds)


def step_interval(current: float, direction: int, steps: Iterable[float] = POLL_STEPS) -> float:
    """The next interval up (+1) or down (-1) the steps; a configured odd value is a step of its own."""
    ordered = sorted({*steps, current})
    i = ordered.index(current)
    return ordered[max(0, min(len(ordered) - 1, i + direction))]
