"""SVG snapshot of the Alerts view at a fixed instant on the seeded sandbox: a rule that fired and sent its
message, one pending, one snoozed, one stale. Update with `pytest --snapshot-update` after checking the report."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from alerts_support import NOW, build_app, until

from camtui.tui.alerts.screen import AlertsScreen

SIZE = (130, 36)


def test_alerts_view(snap_compare, sandbox_factory, tmp_path: Path) -> None:
    sb = sandbox_factory(now=lambda: NOW)
    rules = (
        {
            "name": "room free",
            "rooms": ["room-006"],
            "when": "free",
            "send": {"users": ["user1@xxx.com"], "text": "{room.name} is free"},
        },
        {"name": "room busy", "rooms": ["room-001"], "when": "busy", "for": "5m"},
        {"name": "server down", "when": "server unreachable", "for": "2m"},
        {"name": "unknown call", "call": "NoSuchCall123", "when": "participants == 0"},
    )
    app = build_app(sb, tmp_path / "store.db", lambda: NOW, rules)

    async def run_before(pilot) -> None:
        await until(pilot, lambda: app.status_line.alerts_text != "", "the firing")
        app.snooze_rule("server down", NOW + timedelta(hours=1))
        await pilot.press("5")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), "the Alerts view")
        await until(pilot, lambda: "sent to" in app.screen._firings_text, "what was sent")
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
