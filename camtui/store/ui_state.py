"""UI state: small key/value JSON (theme, last destination, pane choices) that should survive a restart."""

from __future__ import annotations

import json
import sqlite3
import threading
from typing import Any

_SCHEMA = "CREATE TABLE IF NOT EXISTS ui_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


class UIStateRepo:
    def __init__(self, conn: sqlite3.Connection, *, lock: threading.RLock | None = None) -> None:
        self._conn = conn
        self._lock = lock or threading.RLock()
        with self._lock:
            conn.execute(_SCHEMA)

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            row = self._conn.execute("SELECT value FROM ui_state WHERE key=?", (key,)).fetchone()
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except json.JSONDecodeError:
            return default

    def set(self, key: str, value: Any) -> None:
        """`value` must be JSON-serialisable (raises TypeError otherwise, before anything is written)."""
        text = json.dumps(value, ensure_ascii=False)
        with self._lock:
            self._conn.execute(
                "INSERT INTO ui_state(key, value) VALUES (?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, text),
            )

    def delete(self, key: str) -> bool:
        with self._lock:
            cur = self._conn.execute("DELETE FROM ui_state WHERE key=?", (key,))
        return cur.rowcount > 0

    def items(self) -> dict[str, Any]:
        with self._lock:
            rows = self._conn.execute("SELECT key, value FROM ui_state ORDER BY key").fetchall()
        out: dict[str, Any] = {}
        for key, text in rows:
            try:
                out[key] = json.loads(text)
            except json.JSONDecodeError:
                continue
        return out
