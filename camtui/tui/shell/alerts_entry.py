"""How the shell opens the Alerts view (`5`, alt+5, palette "Alerts…") without importing it at start: named as
a string and imported on first use, like the admin screen."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import partial
from typing import Any

from textual.app import SystemCommand

ALERTS_SCREEN = ("camtui.tui.alerts.screen", "AlertsScreen")


def open_alerts(app: Any) -> None:
    """Push the Alerts view (once: `5` on it goes back)."""
    app.start_alerts()  # normally at the first poll; the view may be opened before it
    module_name, class_name = ALERTS_SCREEN
    screen_class = getattr(importlib.import_module(module_name), class_name)
    if isinstance(app.screen, screen_class):
        return
    app.push_screen(screen_class(app, app.settings.time_zone))


def alerts_commands(app: Any) -> Iterable[SystemCommand]:
    yield SystemCommand(
        "Alerts…", "Alert rules, their state and last firings; snooze, mute (5)", partial(open_alerts, app)
    )
