"""The alert rules `camtui demo` runs when your config has none: toasts only, so the Alerts view (5), the status
line's count and the grid's ghost / squatter marks show the feature on the demo's own data (its ghost meeting,
its squatter, a call about to expire with people in it) without sending anything. Your own `[[alerts]]` replace
them all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEMO_RULES: tuple[Mapping[str, Any], ...] = (
    {
        "name": "demo: ghost meeting",
        "rooms": "all",
        "when": "ghost",
        "for": "5m",
        "toast": "{room.name}: “{reservation.title}” is running and nobody is in its call",
    },
    {
        "name": "demo: squatter",
        "rooms": "all",
        "when": "squatter",
        "toast": "{room.name}: “{call.title}” is in progress with no reservation now",
    },
    {
        "name": "demo: call about to expire",
        "calls": "watched",
        "when": "expires_within 15m and participants > 0",
        "toast": "{call.title} expires at {call.expires} with {call.participants} in it",
    },
    {
        "name": "demo: server unreachable",
        "when": "server unreachable",
        "for": "30s",
        "toast": "the sandbox has not answered for 30 s",
    },
)


def with_demo_rules(tables: tuple[Mapping[str, Any], ...]) -> tuple[Mapping[str, Any], ...]:
    """`tables` (the config's rules) if there are any, else the demo's."""
    return tables or DEMO_RULES
