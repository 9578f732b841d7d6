"""The read-only client: every read reaches the server, every write is refused before it leaves the machine."""

from __future__ import annotations

import pytest

from camtui.api import CAMClient
from camtui.api.read_only import WRITE_METHODS, ReadOnlyClient, ReadOnlyError


async def test_reads_pass_and_writes_are_refused(sandbox):
    client = ReadOnlyClient(CAMClient(sandbox.url, sandbox.admin_token))
    async with client:
        rooms = await client.get_conference_rooms()
        assert rooms
        for name in sorted(WRITE_METHODS):
            with pytest.raises(ReadOnlyError, match="read-only"):
                await getattr(client, name)("x")
    assert sandbox.delivered_messages() == []
    assert {"send_message", "send_messages", "create_quick_call", "update_users_csv", "update_chat_room"} <= (
        WRITE_METHODS
    )
