"""Alert rule state that must survive a restart: each (rule, subject) episode, snoozes and mute, and the
firings with what was sent.

The engine writes an episode as `fired` *before* any action runs, so a restart (or a crash mid-action) never
fires the same episode again: at most once, like the outbox.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from camtui.store.db import Repository, from_ms, from_ms_required, to_ms

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS alert_episodes (
    rule      TEXT NOT NULL,
    subject   TEXT NOT NULL,
    status    TEXT NOT NULL,
    since_ms  INTEGER,
    fired_ms  INTEGER,
    PRIMARY KEY (rule, subject)
) WITHOUT ROWID
""",
    "CREATE TABLE IF NOT EXISTS alert_snoozes (rule TEXT PRIMARY KEY, until_ms INTEGER)",
    """
CREATE TABLE IF NOT EXISTS alert_firings (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    rule     TEXT NOT NULL,
    subject  TEXT NOT NULL,
    label    TEXT NOT NULL,
    at_ms    INTEGER NOT NULL,
    lines    TEXT NOT NULL
)
""",
    "CREATE INDEX IF NOT EXISTS alert_firings_rule ON alert_firings(rule, id)",
)

MUTE_ALL = "*"
"""The snooze row that mutes every rule (until_ms NULL: until unmuted)."""


@dataclass(frozen=True, slots=True)
class EpisodeRow:
    rule: str
    subject: str
    status: str
    """"armed" | "pending" | "fired" (see `camtui.alerts.engine`)."""
    since: datetime | None
    """When the condition became true (pending / fired)."""
    fired_at: datetime | None
    """The last firing of this (rule, subject): the cool-down counts from it."""


@dataclass(frozen=True, slots=True)
class FiringRow:
    id: int
    rule: str
    subject: str
    label: str
    at: datetime
    lines: tuple[str, ...]
    """What was done, one line each ("message to user1@…: sent [m12]", "outcome unknown …")."""


class AlertStateRepo(Repository):
    SCHEMA = _SCHEMA

    def episodes(self) -> dict[tuple[str, str], EpisodeRow]:
        rows = self._all("SELECT rule, subject, status, since_ms, fired_ms FROM alert_episodes")
        return {(r[0], r[1]): EpisodeRow(r[0], r[1], r[2], from_ms(r[3]), from_ms(r[4])) for r in rows}

    def save_episodes(self, rows: Sequence[EpisodeRow]) -> None:
        """Write changed episodes in one transaction (a round with 2,000 changes is one commit)."""
        if not rows:
            return
        with self._transaction() as c:
            c.executemany(
                "INSERT INTO alert_episodes(rule, subject, status, since_ms, fired_ms) VALUES (?,?,?,?,?) "
                "ON CONFLICT(rule, subject) DO UPDATE SET status=excluded.status, since_ms=excluded.since_ms, "
                "fired_ms=excluded.fired_ms",
                [(r.rule, r.subject, r.status, _ms(r.since), _ms(r.fired_at)) for r in rows],
            )

    def snoozes(self) -> dict[str, datetime | None]:
        """rule → until (None: until lifted; only `MUTE_ALL` uses that)."""
        return {r[0]: from_ms(r[1]) for r in self._all("SELECT rule, until_ms FROM alert_snoozes")}

    def set_snooze(self, rule: str, until: datetime | None) -> None:
        self._execute(
            "INSERT INTO alert_snoozes(rule, until_ms) VALUES (?,?) "
            "ON CONFLICT(rule) DO UPDATE SET until_ms=excluded.until_ms",
            (rule, _ms(until)),
        )

    def clear_snooze(self, rule: str) -> bool:
        return self._execute("DELETE FROM alert_snoozes WHERE rule=?", (rule,)).rowcount > 0

    def add_firing(self, rule: str, subject: str, label: str, at: datetime, lines: Sequence[str]) -> int:
        cur = self._execute(
            "INSERT INTO alert_firings(rule, subject, label, at_ms, lines) VALUES (?,?,?,?,?)",
            (rule, subject, label, to_ms(at), json.dumps(list(lines), ensure_ascii=False)),
        )
        return int(cur.lastrowid or 0)

    def add_firings(self, rows: Sequence[tuple[str, str, str, datetime, Sequence[str]]]) -> list[int]:
        """Several firings (rule, subject, label, at, lines) in one transaction; their ids in order."""
        ids: list[int] = []
        with self._transaction() as c:
            for rule, subject, label, at, lines in rows:
                cur = c.execute(
                    "INSERT INTO alert_firings(rule, subject, label, at_ms, lines) VALUES (?,?,?,?,?)",
                    (rule, subject, label, to_ms(at), json.dumps(list(lines), ensure_ascii=False)),
                )
                ids.append(int(cur.lastrowid or 0))
        return ids

    def set_firing_lines(self, firing_id: int, lines: Sequence[str]) -> None:
        self._execute(
            "UPDATE alert_firings SET lines=? WHERE id=?",
            (json.dumps(list(lines), ensure_ascii=False), firing_id),
        )

    def firings(self, rule: str | None = None, limit: int = 20) -> list[FiringRow]:
        """Newest first."""
        if rule is None:
            rows = self._all(f"SELECT {_FCOLS} FROM alert_firings ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self._all(
                f"SELECT {_FCOLS} FROM alert_firings WHERE rule=? ORDER BY id DESC LIMIT ?", (rule, limit)
            )
        return [_firing(r) for r in rows]


_FCOLS = "id, rule, subject, label, at_ms, lines"


def _firing(r: Sequence[Any]) -> FiringRow:
    return FiringRow(r[0], r[1], r[2], r[3], from_ms_required(r[4]), tuple(json.loads(r[5])))


def _ms(when: datetime | None) -> int | None:
    return None if when is None else to_ms(when)
