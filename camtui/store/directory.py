"""The user directory cache: users from `exportUsers` with the time they were fetched, plus the addresses and
chat rooms used before (the fallback when the token is not an administrator's, and the room autocomplete)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from camtui.store.db import Repository, from_ms, to_ms

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS directory_users (
    email_key TEXT PRIMARY KEY,
    uid TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    romaji TEXT NOT NULL,
    department TEXT NOT NULL,
    position TEXT NOT NULL,
    admin INTEGER NOT NULL
)
""",
    "CREATE INDEX IF NOT EXISTS directory_users_order ON directory_users(replace(email_key, '@', char(1)))",
    "CREATE TABLE IF NOT EXISTS directory_meta (key TEXT PRIMARY KEY, value INTEGER)",
    """
CREATE TABLE IF NOT EXISTS used_addresses (
    email_key TEXT PRIMARY KEY, email TEXT NOT NULL, last_ms INTEGER NOT NULL, uses INTEGER NOT NULL
)
""",
    """
CREATE TABLE IF NOT EXISTS used_rooms (
    name TEXT PRIMARY KEY, last_ms INTEGER NOT NULL, uses INTEGER NOT NULL
)
""",
)


def user_class() -> type:
    """`camtui.api.models.User`, imported on first use (opening the store need not load the HTTP client)."""
    from camtui.api.models import User

    return User


def email_key(email: str) -> str:
    """E-mail addresses compare case-insensitively (the server looks users up by address)."""
    return email.strip().lower()


class DirectoryRepo(Repository):
    SCHEMA = _SCHEMA

    # -- the exportUsers cache -------------------------------------------------------------------------------
    def replace(self, users: Iterable[Any], fetched_at: datetime | None = None) -> int:
        """Swap the whole cached directory for a fresh export (atomically). Returns the number of users."""
        rows = [
            (
                email_key(u.email),
                u.uid or "",
                u.email.strip(),
                u.name or "",
                u.romaji or "",
                u.department or "",
                u.position or "",
                int(bool(u.admin)),
            )
            for u in users
            if u.email and u.email.strip()
        ]
        when = to_ms(fetched_at or self._clock())
        version = secrets.randbits(62) + 1
        with self._transaction() as c:
            c.execute("DELETE FROM directory_users")
            c.executemany("INSERT OR REPLACE INTO directory_users VALUES (?,?,?,?,?,?,?,?)", rows)
            c.execute("INSERT OR REPLACE INTO directory_meta(key, value) VALUES ('fetched_ms', ?)", (when,))
            c.execute("INSERT OR REPLACE INTO directory_meta(key, value) VALUES ('version', ?)", (version,))
        return len(rows)

    def mark_fetched(self, fetched_at: datetime | None = None) -> None:
        """A fresh export equal to the cached one: only its time changes (the rows, and their version, stay)."""
        when = to_ms(fetched_at or self._clock())
        self._execute("INSERT OR REPLACE INTO directory_meta(key, value) VALUES ('fetched_ms', ?)", (when,))

    def version(self) -> int:
        """Which cached export this is: a new random number at every `replace` (0: never replaced), so an index
        built from the rows can tell whether it still matches them."""
        row = self._one("SELECT value FROM directory_meta WHERE key='version'")
        return int(row[0]) if row else 0

    def users(self) -> list[Any]:
        """Every cached user as `camtui.api.User`, in e-mail order."""
        cls = user_class()
        rows = self._all(f"SELECT {_USER_COLS} FROM directory_users ORDER BY email_key")
        return [_user(cls, row) for row in rows]

    def rows(self) -> Iterator[tuple[str, str, str, str, str, str, int]]:
        """Every cached user as a row `(uid, email, name, romaji, department, position, admin)`, streamed in the
        recipient matcher's order (e-mail, "@" first: `compose.matcher.sort_key`), so the matcher is built
        without holding the directory as objects."""
        after = ""
        while True:  # a page at a time under the lock: the store stays usable by others meanwhile
            page = self._all(
                f"SELECT {_USER_COLS}, {_ORDER} FROM directory_users WHERE {_ORDER} > ? ORDER BY {_ORDER} LIMIT ?",
                (after, _PAGE),
            )
            if not page:
                return
            after = page[-1][-1]
            for row in page:
                yield row[:-1]

    def get(self, email: str) -> Any | None:
        row = self._one(f"SELECT {_USER_COLS} FROM directory_users WHERE email_key=?", (email_key(email),))
        return None if row is None else _user(user_class(), row)

    def fetched_at(self) -> datetime | None:
        """When the cached export was fetched; None if there never was one."""
        row = self._one("SELECT value FROM directory_meta WHERE key='fetched_ms'")
        return from_ms(row[0]) if row else None

    def is_stale(self, max_age: timedelta) -> bool:
        fetched = self.fetched_at()
        return fetched is None or self._clock() - fetched > max_age

    def __len__(self) -> int:
        return self._count("directory_users")

    def domains(self) -> set[str]:
        """The organisation's e-mail domains as seen in the directory (an unknown address there predicts 451)."""
        rows = self._all(
            "SELECT DISTINCT substr(email_key, instr(email_key, '@') + 1) FROM directory_users "
            "WHERE instr(email_key, '@') > 0"
        )
        return {r[0] for r in rows if r[0]}

    # -- addresses and rooms used before ---------------------------------------------------------------------
    def note_used(self, emails: Sequence[str], when: datetime | None = None) -> None:
        """Remember addresses a message was accepted for."""
        ms = to_ms(when or self._clock())
        rows = [(email_key(e), e.strip(), ms) for e in emails if e.strip()]
        if not rows:
            return
        with self._transaction() as c:
            c.executemany(
                "INSERT INTO used_addresses(email_key, email, last_ms, uses) VALUES (?,?,?,1) "
                "ON CONFLICT(email_key) DO UPDATE SET email=excluded.email, last_ms=excluded.last_ms, "
                "uses=uses+1",
                rows,
            )

    def used_addresses(self, limit: int | None = None) -> list[str]:
        """Most recently used first."""
        rows = self._all(
            "SELECT email FROM used_addresses ORDER BY last_ms DESC, uses DESC, email_key LIMIT ?",
            (-1 if limit is None else limit,),
        )
        return [r[0] for r in rows]

    def note_room(self, name: str, when: datetime | None = None) -> None:
        """Remember a chat room a message was accepted for (room autocomplete, batch validation)."""
        name = name.strip()
        if not name or name == "messenger":
            return
        ms = to_ms(when or self._clock())
        self._execute(
            "INSERT INTO used_rooms(name, last_ms, uses) VALUES (?,?,1) "
            "ON CONFLICT(name) DO UPDATE SET last_ms=excluded.last_ms, uses=uses+1",
            (name, ms),
        )

    def used_rooms(self, limit: int | None = None) -> list[str]:
        """Most recently used first."""
        rows = self._all(
            "SELECT name FROM used_rooms ORDER BY last_ms DESC, uses DESC, name LIMIT ?",
            (-1 if limit is None else limit,),
        )
        return [r[0] for r in rows]


_USER_COLS = "uid, email, name, romaji, department, position, admin"
_ORDER = "replace(email_key, '@', char(1))"
"""The matcher's order of people (compose.matcher.sort_key), indexed so each page is a range scan."""
_PAGE = 2000


def _user(cls: type, row: tuple) -> Any:
    uid, email, name, romaji, department, position, admin = row
    return cls(uid, email, name, romaji, department, position, bool(admin))
