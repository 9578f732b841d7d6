"""A booking written straight into a sandbox's database file by another connection, as another process would."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from camtui.sandbox.demo import TOKYO


def book_tonight(db_path: Path, booking_id: str, title: str) -> None:
    """A 30-minute booking at 23:00 Tokyo today in the sandbox's first room."""
    conn = sqlite3.connect(db_path)
    room = conn.execute("SELECT id FROM rooms ORDER BY seq LIMIT 1").fetchone()[0]
    start = datetime.now(TOKYO).replace(hour=23, minute=0, second=0, microsecond=0)
    start_ms = int(start.timestamp() * 1000)
    with conn:
        conn.execute(
            "INSERT INTO reservations VALUES (?, ?, ?, ?, ?, ?, ?, 'sim')",
            (booking_id, room, title, start_ms, start_ms + 1_800_000, "検証", "qa@example.com"),
        )
    conn.close()
