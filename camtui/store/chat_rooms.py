"""The chat rooms camtui created or edited (and ones the user named by id): the API has no method that lists
chat rooms, so this is the only list there is. The admin screen's Chat rooms tab writes it; the composer reads
the names (`compose.send_plan.known_rooms(recorded=...)`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from camtui.store.db import Repository, string_list, to_ms

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS chat_rooms (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    is_public INTEGER NOT NULL,
    admin_user_id TEXT NOT NULL,
    create_user_id TEXT NOT NULL,
    members TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
)
""",
)


class ChatRoomsRepo(Repository):
    SCHEMA = _SCHEMA

    def record(self, room: Any, when: datetime | None = None) -> None:
        """Remember a room the server answered for (created or updated): `camtui.api.ChatRoom` with an id."""
        if not room.id:
            raise ValueError("a recorded chat room needs its id")
        self._execute(
            "INSERT OR REPLACE INTO chat_rooms VALUES (?,?,?,?,?,?,?)",
            (
                room.id,
                room.name,
                int(bool(room.is_public)),
                room.admin_user_id or "",
                room.create_user_id or "",
                json.dumps(list(room.member_uids)),
                to_ms(when or self._clock()),
            ),
        )

    def remember_id(self, room_id: str, when: datetime | None = None) -> bool:
        """Keep a room the user named by id (nothing is sent: the API cannot read a room, so its name and
        members stay unknown, name "", until an update's answer records them). False if it was kept already."""
        room_id = room_id.strip()
        if not room_id or len(room_id) > 100 or any(ch.isspace() for ch in room_id):
            raise ValueError("a chat room id is one word of at most 100 characters")
        cursor = self._execute(
            "INSERT OR IGNORE INTO chat_rooms VALUES (?,?,?,?,?,?,?)",
            (room_id, "", 0, "", "", "[]", to_ms(when or self._clock())),
        )
        return cursor.rowcount == 1

    def rooms(self) -> list[Any]:
        """Every recorded room as `camtui.api.ChatRoom`, most recently touched first."""
        from camtui.api.models import ChatRoom

        rows = self._all(
            "SELECT id, name, create_user_id, admin_user_id, is_public, members FROM chat_rooms "
            "ORDER BY updated_ms DESC, name"
        )
        return [ChatRoom(r[0], r[1], r[2], r[3], bool(r[4]), string_list(r[5])) for r in rows]

    def names(self) -> list[str]:
        return [
            r[0] for r in self._all("SELECT name FROM chat_rooms WHERE name != '' ORDER BY updated_ms DESC")
        ]

    def forget(self, room_id: str) -> None:
        self._execute("DELETE FROM chat_rooms WHERE id=?", (room_id,))
