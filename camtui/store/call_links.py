"""Links between a watched call (sid) and a meeting room (room id) that the user made in the calls pane (`l`).

A reservation that carries the call's share URL or id in its text links them too, without anything stored
(`camtui.alerts.links`); a stored link wins over that, so the user can correct a wrong guess. One room per call.
"""

from __future__ import annotations

from camtui.store.db import Repository

_SCHEMA = """
CREATE TABLE IF NOT EXISTS call_links (
    sid       TEXT PRIMARY KEY,
    room_id   TEXT NOT NULL,
    linked_ms INTEGER NOT NULL
)
"""


class CallLinksRepo(Repository):
    SCHEMA = (_SCHEMA,)

    def link(self, sid: str, room_id: str) -> None:
        """Link `sid` to `room_id` (replacing any earlier link of that call)."""
        self._execute(
            "INSERT INTO call_links(sid, room_id, linked_ms) VALUES (?,?,?) "
            "ON CONFLICT(sid) DO UPDATE SET room_id=excluded.room_id, linked_ms=excluded.linked_ms",
            (sid, room_id, self._now_ms()),
        )

    def unlink(self, sid: str) -> bool:
        return self._execute("DELETE FROM call_links WHERE sid=?", (sid,)).rowcount > 0

    def get(self, sid: str) -> str | None:
        row = self._one("SELECT room_id FROM call_links WHERE sid=?", (sid,))
        return None if row is None else str(row[0])

    def all(self) -> dict[str, str]:
        """sid → room id."""
        return {sid: room for sid, room in self._all("SELECT sid, room_id FROM call_links ORDER BY sid")}
