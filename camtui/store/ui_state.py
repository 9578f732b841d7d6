"""UI state: small key/value JSON (theme, last destination, pane choices) that should survive a restart."""

from __future__ import annotations

import json
import sqlite3
import threading
from typing import Any

from camtui.store.db import Repository, json_value

_SCHEMA = "CREATE TABLE IF NOT EXISTS ui_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


class UIStateRepo(Repository):
    SCHEMA = (_SCHEMA,)

    def __init__(self, conn: sqlite3.Connection, *, lock: threading.RLock | None = None) -> None:
        super().__init__(conn, lock=lock)  # no clock: nothing here is timed

    def get(self, key: str, default: Any = None, *, kind: type | tuple[type, ...] | None = None) -> Any:
        """The value, or `default` when absent, not readable JSON (a damaged row), or not of `kind`."""
        row = self._one("SELECT value FROM ui_state WHERE key=?", (key,))
        if row is None:
            return default
        value = json_value(row[0], _MISSING)
        if value is _MISSING or (kind is not None and not isinstance(value, kind)):
            return default
        return value

    def set(self, key: str, value: Any) -> None:
        """`value` must be JSON-serialisable (raises TypeError otherwise, before anything is written)."""
        text = json.dumps(value, ensure_ascii=False)
        self._execute(
            "INSERT INTO ui_state(key, value) VALUES (?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, text),
        )

    def delete(self, key: str) -> bool:
        return self._execute("DELETE FROM ui_state WHERE key=?", (key,)).rowcount > 0

    def items(self) -> dict[str, Any]:
        rows = self._all("SELECT key, value FROM ui_state ORDER BY key")
        out: dict[str, Any] = {}
        for key, text in rows:
            value = json_value(text, _MISSING)
            if value is not _MISSING:
                out[key] = value
        return out


_MISSING = object()
