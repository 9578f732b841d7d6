"""The one SQLite connection, the transaction helper, and `Repository`, the base every repository shares.

The connection runs in autocommit mode (`isolation_level=None`) so that a write is on disk when the call returns:
the outbox must hold a message *before* its request leaves. Multi-statement writes use `transaction()`, which
takes the store's lock (workers and the CLI may share a connection across threads) and `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from camtui.common import safe_json
from camtui.common.clock import Clock, system_clock

MEMORY = ":memory:"


def connect(path: Path | str) -> sqlite3.Connection:
    """Open `path` (or ":memory:") in WAL mode with full fsync: losing a queued message is worse than a slow commit."""
    target = str(path)
    if target != MEMORY:
        _make_private(Path(target))
    conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None, timeout=10.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def _make_private(db: Path) -> None:
    """Create the folder (0700) and the file (0600): the store holds message texts, drafts and the whole user
    directory, and office PCs and jump hosts are shared. SQLite's -wal/-shm files inherit the file's mode."""
    db.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(db, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    with contextlib.suppress(OSError):  # a file we do not own (shared store) keeps its mode
        os.chmod(db, 0o600)


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


class Repository:
    """Base of the store's repositories: the shared connection, the store's lock around every statement (one
    connection serves several threads), the store's clock, and the repository's own tables, created on
    construction (`CREATE ... IF NOT EXISTS`: opening an existing file is safe)."""

    SCHEMA: ClassVar[Sequence[str]] = ()
    """The statements that create this repository's tables and indexes."""

    def __init__(
        self, conn: sqlite3.Connection, *, lock: threading.RLock | None = None, clock: Clock = system_clock
    ) -> None:
        self._conn = conn
        self._lock = lock or threading.RLock()
        self._clock = clock
        with self._lock:
            for statement in self.SCHEMA:
                conn.execute(statement)
            self._migrate()
            for statement in self.SCHEMA:
                check_columns(conn, statement)

    def _migrate(self) -> None:
        """Bring tables from an older database up to date (runs under the lock, after SCHEMA)."""

    def _now_ms(self) -> int:
        return to_ms(self._clock())

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._conn, self._lock)

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """One statement under the lock (autocommit, or part of a transaction already open); the cursor gives
        `rowcount` / `lastrowid`."""
        with self._lock:
            return self._conn.execute(sql, params)

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first row, or None."""
        with self._lock:
            return self._conn.execute(sql, params).fetchone()

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _count(self, table: str) -> int:
        return int(self._one(f"SELECT COUNT(*) FROM {table}")[0])

    def _tally(self, keys: Iterable[str], sql: str, params: Sequence[Any] = ()) -> dict[str, int]:
        """(key, count) rows as a dict holding every one of `keys` (0 when the query has no row for it)."""
        out = dict.fromkeys(keys, 0)
        out.update(self._all(sql, params))
        return out


_TABLE = re.compile(r"\s*CREATE TABLE IF NOT EXISTS (\w+)\s*\((.*)\)\s*;?\s*\Z", re.S | re.I)
_CONSTRAINTS = frozenset({"PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT"})


def check_columns(conn: sqlite3.Connection, statement: str) -> None:
    """Raise `sqlite3.DatabaseError` when the table `statement` creates already exists without one of its
    columns: another program's database given as the store (`CREATE TABLE IF NOT EXISTS` keeps its table), which
    would otherwise fail at its first read ("no such column") with a traceback, deep inside a verb or the app."""
    match = _TABLE.match(statement)
    if match is None:
        return
    table, body = match.groups()
    parts, depth, current = [], 0, []
    for ch in body:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    wanted = [p.split()[0] for p in parts if p.split() and p.split()[0].upper() not in _CONSTRAINTS]
    have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    missing = [c for c in wanted if c not in have]
    if missing:
        raise sqlite3.DatabaseError(f"its table {table} has no column {missing[0]}: not camtui's")


def json_value(text: Any, default: Any = None) -> Any:
    """A JSON column read back: the value, or `default` when the row is not JSON camtui can read (a file edited
    or damaged outside camtui: not text, nested 200,000 deep, a 5,000-digit number, NaN). A damaged row costs
    its own value, never the dashboard or the verb that reads it."""
    if not isinstance(text, str | bytes):
        return default
    try:
        return safe_json.loads(text if isinstance(text, str) else text.decode("utf-8", "replace"))
    except ValueError:  # json.JSONDecodeError and safe_json's errors are ValueErrors
        return default


def string_list(text: Any) -> tuple[str, ...]:
    """A JSON list of strings read back (recipients, members); a damaged row reads as no strings."""
    value = json_value(text, [])
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def to_ms(when: datetime) -> int:
    if when.tzinfo is None:
        raise ValueError("store times must be aware datetimes")
    return int(when.timestamp() * 1000)


def from_ms(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms_required(ms)


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
