"""The floor: a trivial Textual app (Header, Static, Footer) that writes a startup probe on its first paint.

benchmarks/startup.py runs it in the same harness as camtui, so camtui's figures read as ratios to it."""

from __future__ import annotations

import json
import os
import sys
import time

T0 = time.time()

from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import Footer, Header, Static  # noqa: E402


class FloorApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("hello")
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        path = os.environ.get("CAMTUI_STARTUP_PROBE")
        if path:
            with open(path, "w", encoding="utf-8") as out:
                json.dump({"launch_import": T0, "app_built": T0, "first_rooms_painted": time.time()}, out)
            if os.environ.get("CAMTUI_STARTUP_PROBE_STAY") != "1":
                self.exit()


if __name__ == "__main__":
    FloorApp().run()
    sys.exit(0)
