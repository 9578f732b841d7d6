"""UI state: small key/value JSON (theme, last destination, pane choices) that should survive a restart."""

from __future__ import annotations

import json
import sqlite3
import threading
from typing import Any

from camtui.store.db import Repository

_SCHEMA = "CREATE TABLE IF NOT EXISTS ui_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


class UIStateRepo(Repository):
    SCHEMA = (_SCHEMA,)

    def __init__(self, conn: sqlite3.Connection, *, lock: threading.RLock | None = None) -> None:
        super().__init__(conn, lock=lock)  # no clock: nothing here is timed

    def get(self, key: str, default: Any = None) -> Any:
        row = self._one("SELECT value FROM ui_state WHERE key=?", (key,))
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except json.JSONDecodeError:
            return default

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
            try:
                out[key] = json.loads(text)
            except json.JSONDecodeError:
                continue
        return out
