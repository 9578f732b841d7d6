"""How the Alerts view puts a rule's state and its firings into words: pure, so a fixed clock gives fixed text.

The engine (`camtui.alerts`) decides the states; this only spells them: "armed", "pending 12s of 30s",
"fired at 14:05", "snoozed until 15:20" (or "until Tue 00:00" when not today), "stale (offline)", "muted".
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from camtui.alerts.actions import PLANNED

EMPTY_TEXT = """No alert rules in the config.

Alert rules watch what the panes already poll and act: a toast here, a message
through the outbox, a successor call before one expires. Add one as an
[[alerts]] table in the config file, for example:

  [[alerts]]
  name = "empty call"
  call = "<call id or share URL>"
  when = "participants == 0"
  for = "0s"
  send = { users = ["user1@xxx.com"], text = "{call.title} is empty" }

then restart camtui. `camtui alerts check` validates the rules; the README's
"Alert rules" section lists every condition and action."""

READ_ONLY_TEXT = (
    "Read-only dashboard: rules are watched and toasted here, but nothing is sent and no call is created "
    "(messages and successor calls need a dashboard that may write)."
)


def clock_text(moment: datetime, now: datetime, tz: ZoneInfo) -> str:
    """HH:MM today, "Tue 00:00" another day (in the configured zone)."""
    local, today = moment.astimezone(tz), now.astimezone(tz)
    return f"{local:%H:%M}" if local.date() == today.date() else f"{local:%a %H:%M}"


def seconds_text(seconds: float) -> str:
    s = max(0, int(seconds))
    if s < 120:
        return f"{s}s"
    if s < 7200:
        return f"{s // 60}m"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"


def state_text(view: Any, now: datetime, tz: ZoneInfo) -> str:
    """A `RuleView`'s state in words (the view's State column)."""
    state = view.state
    if state == "pending":
        held = seconds_text(view.pending_s or 0.0)
        return f"pending {held} of {seconds_text(view.for_s)}" if view.for_s else f"pending {held}"
    if state == "fired":
        return f"fired at {clock_text(view.fired_at, now, tz)}" if view.fired_at else "fired"
    if state == "snoozed":
        return f"snoozed until {clock_text(view.snoozed_until, now, tz)}" if view.snoozed_until else "snoozed"
    if state == "muted":
        return "muted"
    return str(state)  # armed; stale (its reason is long: the firings panel shows it)


def last_fired_text(view: Any, now: datetime, tz: ZoneInfo) -> str:
    if not view.firings:
        return "never"
    return clock_text(view.firings[0].at, now, tz)


def firing_lines(view: Any, now: datetime, tz: ZoneInfo, *, read_only: bool = False) -> list[str]:
    """The selected rule's last firings, newest first: when, about what, then what was done (one line each).

    On a read-only dashboard a firing's actions never run: its "planned: …" lines say so instead of promising."""
    lines: list[str] = []
    if view.state == "stale":
        lines.append(f"stale: {view.stale_reason or 'no fresh data'}")
    if not view.firings:
        return [*lines, "no firing yet"]
    for firing in view.firings:
        lines.append(f"{clock_text(firing.at, now, tz)}  {firing.label}")
        for line in firing.lines or ("nothing done yet",):
            if read_only and line.startswith(PLANNED):
                line = "not done (read-only dashboard): " + line.removeprefix(PLANNED)
            lines.append(f"    {line}")
    return lines


def tomorrow(now: datetime, tz: ZoneInfo) -> datetime:
    """The start of tomorrow in the configured zone: "snooze until tomorrow"."""
    day = now.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(day, time(0), tz)
