"""The dashboard's panes by id: where each lives (imported on first use) and its title.

The shell names pane modules as strings and never imports a pane package statically: panes load lazily (the
lower ones after the rooms data is drawn) and talk to the shell through messages only."""

from __future__ import annotations

PANES: tuple[tuple[str, str, str, str], ...] = (
    # (id, module, class, title)
    ("rooms", "camtui.tui.rooms.pane", "RoomsPane", "Rooms"),
    ("calls", "camtui.tui.calls.pane", "CallsPane", "Calls"),
    ("composer", "camtui.tui.composer.pane", "ComposerPane", "Composer"),
)
PANE_IDS = tuple(p[0] for p in PANES)


def pane_title(pane_id: str) -> str:
    return next(p[3] for p in PANES if p[0] == pane_id)
