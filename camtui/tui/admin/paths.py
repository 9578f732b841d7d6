"""Path completion for the admin screen's file fields: the first entry of the typed folder that starts with
what is typed (folders get a trailing slash), offered as Textual's inline suggestion (→ accepts)."""

from __future__ import annotations

import os
from pathlib import Path

from textual.suggester import Suggester


def complete_path(value: str) -> str | None:
    """The completed path for `value`, or None. Hidden entries only when a dot is typed."""
    if not value:
        return None
    expanded = os.path.expanduser(value)
    folder, _sep, stem = expanded.rpartition(os.sep)
    base = Path(folder or ".") if _sep else Path(".")
    try:
        names = sorted(e.name for e in os.scandir(base) if e.name.startswith(stem))
    except OSError:
        return None
    names = [n for n in names if stem.startswith(".") or not n.startswith(".")]
    if not names:
        return None
    name = names[0]
    completed = value[: len(value) - len(stem)] + name
    if (base / name).is_dir():
        completed += os.sep
    return completed if completed != value else None


class PathSuggester(Suggester):
    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return complete_path(value)
