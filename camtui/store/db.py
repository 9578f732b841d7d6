"""The one SQLite connection and the transaction helper every repository shares.

The connection runs in autocommit mode (`isolation_level=None`) so that a write is on disk when the call returns:
the outbox must hold a message *before* its request leaves. Multi-statement writes use `transaction()`, which
takes the store's lock (workers and the CLI may share a connection across threads) and `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

MEMORY = ":memory:"


def connect(path: Path | str) -> sqlite3.Connection:
    """Open `path` (or ":memory:") in WAL mode with full fsync: losing a queued message is worse than a slow commit."""
    target = str(path)
    if target != MEMORY:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None, timeout=10.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, lock: threading.RLock) -> Iterator[sqlite3.Connection]:
    """All-or-nothing block. Nested use joins the outer transaction."""
    with lock:
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def to_ms(when: datetime) -> int:
    if when.tzinfo is None:
        raise ValueError("store times must be aware datetimes")
    return int(when.timestamp() * 1000)


def from_ms(ms: int | None) -> datetime | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC)


def from_ms_required(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id still runs (owner checks for rows left in flight)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True
