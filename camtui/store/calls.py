"""Watched calls and their participant history, so the calls pane survives a restart with its sparklines intact.

There is no list-calls API: the only calls camtui can see are the ones the user created or added, so this table
*is* the watch list. History is stored as points taken when the participant count changed or a heartbeat passed
(the pane decides when); a long silence between points means nobody was watching.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from camtui.store.db import check_columns, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls_watched (
    sid            TEXT PRIMARY KEY,
    title          TEXT NOT NULL DEFAULT '',
    url            TEXT NOT NULL DEFAULT '',
    password       TEXT NOT NULL DEFAULT '',
    presenter_pass TEXT NOT NULL DEFAULT '',
    origin         TEXT NOT NULL DEFAULT 'added',
    added_ms       INTEGER NOT NULL,
    created_ms     INTEGER,
    expires_ms     INTEGER,
    last_ok_ms     INTEGER,
    participants   INTEGER,
    in_progress    INTEGER,
    last_error     TEXT,
    last_error_ms  INTEGER
);
CREATE TABLE IF NOT EXISTS calls_samples (
    sid          TEXT NOT NULL,
    at_ms        INTEGER NOT NULL,
    participants INTEGER NOT NULL,
    in_progress  INTEGER NOT NULL,
    PRIMARY KEY (sid, at_ms)
) WITHOUT ROWID;
"""

ORIGINS = ("added", "created", "config", "successor")


@dataclass(frozen=True, slots=True)
class WatchedCall:
    sid: str
    title: str
    url: str
    password: str
    presenter_pass: str
    origin: str
    """How it got on the list: added by hand, created here, from the config, or a successor call."""
    added_at: datetime
    created: datetime | None
    expires: datetime | None
    last_ok: datetime | None
    participants: int | None
    in_progress: bool | None
    last_error: str | None
    last_error_at: datetime | None


@dataclass(frozen=True, slots=True)
class Sample:
    at: datetime
    participants: int
    in_progress: bool


class CallUpdate(NamedTuple):
    """One poll's outcome, written in batches (a round of 2,000 calls is one transaction). A failed poll
    (`ok=False`) records `error` if given, and a history point if `sample` (participants -1: unknown from here).

    A named tuple rather than a frozen dataclass: the pane makes one per changed poll, up to 200 a second, and a
    tuple is several times cheaper to build. `sample`: also append a history point (participants, in_progress)
    at `at`."""

    sid: str
    at: datetime
    ok: bool
    title: str = ""
    created: datetime | None = None
    expires: datetime | None = None
    participants: int | None = None
    in_progress: bool | None = None
    error: str | None = None
    sample: bool = False


def _ms(value: datetime | None) -> int | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("CallStore needs aware datetimes")
    return int(value.timestamp() * 1000)


def _dt(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


def _now() -> datetime:
    return datetime.now(UTC)


class CallStore:
    """The watch list and participant history, in the shared store connection (tables created on first use)."""

    def __init__(self, conn: sqlite3.Connection, *, lock: threading.RLock | None = None) -> None:
        self._conn = conn
        self._lock = lock or threading.RLock()
        """The store's shared lock when given (other repositories use it around their transactions)."""
        with self._lock:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
                    check_columns(conn, statement)

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        """One transaction of our own; inside someone else's, join it (they commit)."""
        return transaction(self._conn, self._lock)

    # -- the watch list -------------------------------------------------------------------------------------

    def watch(
        self,
        sid: str,
        *,
        title: str = "",
        url: str = "",
        password: str = "",
        presenter_pass: str = "",
        origin: str = "added",
        created: datetime | None = None,
        expires: datetime | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Add `sid` to the watch list. True if it is new; if already watched, fill in what was blank."""
        if not sid:
            raise ValueError("empty call ID")
        if origin not in ORIGINS:
            raise ValueError(f"unknown origin {origin!r}")
        with self._tx() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO calls_watched (sid, title, url, password, presenter_pass, origin, added_ms,"
                " created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sid,
                    title,
                    url,
                    password,
                    presenter_pass,
                    origin,
                    _ms(now or _now()),
                    _ms(created),
                    _ms(expires),
                ),
            )
            if cur.rowcount:
                return True
            conn.execute(
                "UPDATE calls_watched SET"
                " title = CASE WHEN ? != '' THEN ? ELSE title END,"
                " url = CASE WHEN ? != '' THEN ? ELSE url END,"
                " password = CASE WHEN ? != '' THEN ? ELSE password END,"
                " presenter_pass = CASE WHEN ? != '' THEN ? ELSE presenter_pass END,"
                " created_ms = COALESCE(?, created_ms), expires_ms = COALESCE(?, expires_ms)"
                " WHERE sid = ?",
                (
                    title,
                    title,
                    url,
                    url,
                    password,
                    password,
                    presenter_pass,
                    presenter_pass,
                    _ms(created),
                    _ms(expires),
                    sid,
                ),
            )
            return False

    def watch_many(
        self, sids: Iterable[tuple[str, str]], *, origin: str = "config", now: datetime | None = None
    ) -> int:
        """Add many `(sid, url)` at once (one transaction: a config listing 2,000 calls must not mean 2,000
        fsyncs). Calls already watched are left as they are. Returns how many were new. They are stamped a
        millisecond apart, so the watch list keeps their order after a restart (it is read by time added)."""
        if origin not in ORIGINS:
            raise ValueError(f"unknown origin {origin!r}")
        added = _ms(now or _now()) or 0
        rows = [(sid, url, origin, added + i) for i, (sid, url) in enumerate(p for p in sids if p[0])]
        with self._tx() as conn:
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO calls_watched (sid, url, origin, added_ms) VALUES (?, ?, ?, ?)", rows
            )
            return conn.total_changes - before

    def unwatch(self, sid: str) -> bool:
        """Forget a call and its history. True if it was watched."""
        return self.unwatch_all([sid]) > 0

    def unwatch_all(self, sids: Iterable[str]) -> int:
        """Forget these calls and their history in one transaction; how many were watched."""
        keys = [(sid,) for sid in sids]
        with self._tx() as conn:
            conn.executemany("DELETE FROM calls_samples WHERE sid = ?", keys)
            cur = conn.executemany("DELETE FROM calls_watched WHERE sid = ?", keys)
            return cur.rowcount

    def is_watched(self, sid: str) -> bool:
        with self._lock:
            found = self._conn.execute("SELECT 1 FROM calls_watched WHERE sid = ?", (sid,)).fetchone()
        return found is not None

    def get(self, sid: str) -> WatchedCall | None:
        with self._lock:
            row = self._conn.execute(_SELECT + " WHERE sid = ?", (sid,)).fetchone()
        return None if row is None else _watched(row)

    def list(self) -> list[WatchedCall]:
        """All watched calls, in the order they were added."""
        with self._lock:
            rows = self._conn.execute(_SELECT + " ORDER BY added_ms, sid").fetchall()
        return [_watched(r) for r in rows]

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM calls_watched").fetchone()[0])

    # -- polls and history ----------------------------------------------------------------------------------

    def record(self, updates: Iterable[CallUpdate]) -> int:
        """Write a batch of poll outcomes (and their history points) in one transaction. Returns rows touched."""
        ok_rows: list[tuple[object, ...]] = []
        err_rows: list[tuple[object, ...]] = []
        samples: list[tuple[object, ...]] = []
        for u in updates:
            if u.ok:
                ok_rows.append(
                    (
                        u.title,
                        u.title,
                        _ms(u.created),
                        _ms(u.expires),
                        _ms(u.at),
                        u.participants,
                        None if u.in_progress is None else int(u.in_progress),
                        u.sid,
                    )
                )
            elif u.error is not None:
                err_rows.append((u.error, _ms(u.at), u.sid))
            if u.sample and u.participants is not None:
                samples.append((u.sid, _ms(u.at), u.participants, int(bool(u.in_progress))))
        if not (ok_rows or err_rows or samples):
            return 0
        with self._tx() as conn:
            if ok_rows:
                conn.executemany(
                    "UPDATE calls_watched SET title = CASE WHEN ? != '' THEN ? ELSE title END,"
                    " created_ms = COALESCE(?, created_ms), expires_ms = COALESCE(?, expires_ms),"
                    " last_ok_ms = ?, participants = ?, in_progress = ?, last_error = NULL,"
                    " last_error_ms = NULL WHERE sid = ?",
                    ok_rows,
                )
            if err_rows:
                conn.executemany(
                    "UPDATE calls_watched SET last_error = ?, last_error_ms = ? WHERE sid = ?", err_rows
                )
            if samples:
                # only for calls still watched (a call removed mid-round leaves no orphan history)
                conn.executemany(
                    "INSERT OR REPLACE INTO calls_samples (sid, at_ms, participants, in_progress)"
                    " SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM calls_watched WHERE sid = ?)",
                    [(*s, s[0]) for s in samples],
                )
        return len(ok_rows) + len(err_rows)

    def add_samples(self, sid: str, samples: Sequence[Sample]) -> None:
        """Append history points directly (imports, tests)."""
        with self._tx() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO calls_samples (sid, at_ms, participants, in_progress) VALUES (?, ?, ?, ?)",
                [(sid, _ms(s.at), s.participants, int(s.in_progress)) for s in samples],
            )

    def history(self, sid: str, since: datetime | None = None) -> list[Sample]:
        """The call's history points in time order; with `since`, the one in force at `since` is included."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT at_ms, participants, in_progress FROM calls_samples WHERE sid = ? AND at_ms >= ?"
                " ORDER BY at_ms",
                (sid, self._since_ms(sid, since)),
            ).fetchall()
        return [Sample(_dt(r[0]), int(r[1]), bool(r[2])) for r in rows]  # type: ignore[arg-type]

    def histories(self, since: datetime | None = None) -> dict[str, list[Sample]]:
        """Every watched call's history since `since` (plus the point in force then), in one query."""
        since_ms = _ms(since) if since is not None else None
        with self._lock:
            if since_ms is None:
                rows = self._conn.execute(
                    "SELECT sid, at_ms, participants, in_progress FROM calls_samples ORDER BY sid, at_ms"
                ).fetchall()
            else:
                # per watched call, an index range from the point in force at `since` (no full scan)
                rows = self._conn.execute(
                    "SELECT s.sid, s.at_ms, s.participants, s.in_progress FROM calls_watched w"
                    " JOIN calls_samples s ON s.sid = w.sid AND s.at_ms >= COALESCE("
                    "(SELECT MAX(p.at_ms) FROM calls_samples p WHERE p.sid = w.sid AND p.at_ms <= ?), ?)"
                    " ORDER BY s.sid, s.at_ms",
                    (since_ms, since_ms),
                ).fetchall()
        out: dict[str, list[Sample]] = {}
        for sid, at_ms, participants, in_progress in rows:
            out.setdefault(sid, []).append(Sample(_dt(at_ms), int(participants), bool(in_progress)))  # type: ignore[arg-type]
        return out

    def _since_ms(self, sid: str, since: datetime | None) -> int:
        if since is None:
            return -(2**62)
        since_ms = _ms(since)
        assert since_ms is not None
        row = self._conn.execute(
            "SELECT MAX(at_ms) FROM calls_samples WHERE sid = ? AND at_ms <= ?", (sid, since_ms)
        ).fetchone()
        return int(row[0]) if row and row[0] is not None else since_ms

    def prune(self, before: datetime) -> int:
        """Drop history points older than `before` (the last one per call before it is kept). Returns how many.

        One index range per watched call rather than a scan of every point: cheap enough for the UI thread."""
        cutoff = _ms(before)
        with self._tx() as conn:
            sids = [r[0] for r in conn.execute("SELECT sid FROM calls_watched").fetchall()]
            before_changes = conn.total_changes
            conn.executemany(
                "DELETE FROM calls_samples WHERE sid = ? AND at_ms < (SELECT MAX(p.at_ms) FROM calls_samples p"
                " WHERE p.sid = ? AND p.at_ms <= ?)",
                [(sid, sid, cutoff) for sid in sids],
            )
            return conn.total_changes - before_changes


_SELECT = (
    "SELECT sid, title, url, password, presenter_pass, origin, added_ms, created_ms, expires_ms, last_ok_ms,"
    " participants, in_progress, last_error, last_error_ms FROM calls_watched"
)


def _watched(r: Sequence[object]) -> WatchedCall:
    return WatchedCall(
        sid=str(r[0]),
        title=str(r[1]),
        url=str(r[2]),
        password=str(r[3]),
        presenter_pass=str(r[4]),
        origin=str(r[5]),
        added_at=_dt(r[6]) or _now(),  # type: ignore[arg-type]
        created=_dt(r[7]),  # type: ignore[arg-type]
        expires=_dt(r[8]),  # type: ignore[arg-type]
        last_ok=_dt(r[9]),  # type: ignore[arg-type]
        participants=None if r[10] is None else int(r[10]),  # type: ignore[call-overload]
        in_progress=None if r[11] is None else bool(r[11]),
        last_error=None if r[12] is None else str(r[12]),
        last_error_at=_dt(r[13]),  # type: ignore[arg-type]
    )
