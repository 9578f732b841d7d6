"""How the shell opens the admin screen (`4`, alt+4, the palette) without importing the admin package at start:
it is named as a string and imported on first use, as the panes are."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import partial
from typing import Any

from textual.app import SystemCommand

ADMIN_SCREEN = ("camtui.tui.admin.screen", "AdminScreen")
INSTALLED_NAME = "admin"


def open_admin(app: Any, tab: str = "users") -> None:
    """Push the admin screen on tab `tab` ("users" / "rooms"), or switch tab when it is already up."""
    if getattr(app, "read_only", False):
        app.notify("This dashboard is read-only: there is no admin screen.", markup=False)
        return
    module_name, class_name = ADMIN_SCREEN
    screen_class = getattr(importlib.import_module(module_name), class_name)
    if isinstance(app.screen, screen_class):
        app.screen.show_tab(tab)
        return
    # One screen for the session (installed, so leaving it keeps it): what was typed in its fields, the loaded
    # diff and the room form are there again on the next `4`.
    if not app.is_screen_installed(INSTALLED_NAME):
        app.install_screen(screen_class(tab), INSTALLED_NAME)
        app.push_screen(INSTALLED_NAME)
        return
    app.push_screen(INSTALLED_NAME)
    app.screen.show_tab(tab)


def admin_commands(app: Any) -> Iterable[SystemCommand]:
    if getattr(app, "read_only", False):
        return  # a wall display offers no admin work at all
    yield SystemCommand(
        "Admin: users…", "The user directory: export, update from CSV (4)", partial(open_admin, app, "users")
    )
    yield SystemCommand("Admin: chat rooms…", "Create or edit chat rooms", partial(open_admin, app, "rooms"))
