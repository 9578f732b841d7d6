"""The sandbox's SQLite database: schema and connection setup. Queries live with the code that needs them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    uid TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, romaji TEXT NOT NULL,
    department TEXT NOT NULL, position TEXT NOT NULL, admin INTEGER NOT NULL, domain TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS users_domain ON users(domain);
CREATE INDEX IF NOT EXISTS users_seq ON users(seq);
CREATE TABLE IF NOT EXISTS rooms (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, name TEXT NOT NULL, capacity INTEGER, location TEXT NOT NULL,
    floor INTEGER
);
CREATE TABLE IF NOT EXISTS reservations (
    id TEXT PRIMARY KEY, room_id TEXT NOT NULL, title TEXT NOT NULL, start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL, organizer_name TEXT NOT NULL, organizer_email TEXT NOT NULL, origin TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reservations_start ON reservations(start_ms);
CREATE TABLE IF NOT EXISTS reservation_months (month TEXT PRIMARY KEY, rows INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chat_rooms (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, create_user_id TEXT NOT NULL, admin_user_id TEXT NOT NULL,
    is_public INTEGER NOT NULL, created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chat_members (
    room_id TEXT NOT NULL, uid TEXT NOT NULL, PRIMARY KEY (room_id, uid)
);
CREATE TABLE IF NOT EXISTS calls (
    sid TEXT PRIMARY KEY, title TEXT NOT NULL, password TEXT NOT NULL, presenter_pass TEXT NOT NULL,
    creation_ms INTEGER NOT NULL, expired_ms INTEGER NOT NULL, participants INTEGER NOT NULL,
    capacity INTEGER NOT NULL, origin TEXT NOT NULL, phase TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, method TEXT NOT NULL, destination TEXT NOT NULL,
    recipients TEXT NOT NULL, text TEXT NOT NULL, seal INTEGER NOT NULL, time_ms INTEGER NOT NULL,
    item_index INTEGER
);
"""

DATA_TABLES = (
    "users", "rooms", "reservations", "reservation_months", "chat_rooms", "chat_members", "calls", "messages",
)  # fmt: skip


def connect(path: Path | str | None) -> sqlite3.Connection:
    """Open (creating) the database. `None` or ":memory:" keeps it in memory for this process only.

    The connection is used by one thread at a time (built by the caller, then handed to the server's thread),
    hence `check_same_thread=False`. Transactions are explicit (`with conn:`).
    """
    target = ":memory:" if path is None else str(path)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=OFF")
    if target != ":memory:":
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    return conn


def get_meta(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def set_meta(conn: sqlite3.Connection, values: dict[str, str]) -> None:
    conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", list(values.items()))


class transaction:
    """BEGIN … COMMIT, or ROLLBACK on any exception: the all-or-nothing writes (sendMessages, CSV)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN")
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")
