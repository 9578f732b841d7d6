"""Message templates: `{call.title} is empty`. Only the names below exist; `{{` / `}}` are literal braces.

A name the rule's subject cannot know (`{call.url}` in a server rule) is a config error, caught by
`camtui alerts check`, never a half-filled message sent at 3 a.m.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from camtui.alerts.conditions import Scope

_NAME = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
COMMON = ("now", "rule", "label", "server.url", "server.error")
CALL = ("call.title", "call.participants", "call.url", "call.sid", "call.expires")
ROOM = (
    "room.name",
    "room.id",
    "reservation.title",
    "reservation.start",
    "reservation.end",
    "reservation.organizer",
)
SUCCESSOR = ("successor.url", "successor.title", "successor.expires")
NAMES: dict[Scope, tuple[str, ...]] = {
    "call": COMMON + CALL + ROOM,
    "room": COMMON + ROOM + CALL,
    "server": COMMON,
}


def names_for(scope: Scope, *, successor: bool = False) -> tuple[str, ...]:
    return NAMES[scope] + (SUCCESSOR if successor else ())


def check_template(text: str, scope: Scope, *, successor: bool = False) -> str | None:
    """None when every `{name}` is known; else one line naming the first unknown one."""
    allowed = names_for(scope, successor=successor)
    stripped = _NAME.sub(lambda m: "" if m.group(0) in ("{{", "}}") else m.group(0), text)
    for m in _NAME.finditer(text):
        if m.group(0) in ("{{", "}}"):
            continue
        name = m.group(1).strip()
        if name not in allowed:
            return (
                f"unknown template name {{{name}}} (known here: {', '.join('{' + n + '}' for n in allowed)})"
            )
    if "{" in _NAME.sub("", stripped) or "}" in _NAME.sub("", stripped):
        return "unbalanced { or } (write {{ or }} for a literal brace)"
    return None


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill `{name}`s from `values`; a name without a value becomes "" (e.g. no linked reservation)."""

    def one(m: re.Match[str]) -> str:
        whole = m.group(0)
        if whole == "{{":
            return "{"
        if whole == "}}":
            return "}"
        return str(values.get(m.group(1).strip(), ""))

    return _NAME.sub(one, text)


def names_in(*texts: str) -> frozenset[str]:
    """The `{name}`s the texts use (so a firing computes only those)."""
    return frozenset(m.group(1).strip() for t in texts for m in _NAME.finditer(t) if m.group(1) is not None)
