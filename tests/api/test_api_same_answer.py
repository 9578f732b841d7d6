"""A read answered byte for byte as last time gives back the same parsed object (no decoding again); any change,
another period, or an error in between never mixes answers up."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from camtui.api import CAMClient, RoomStatus
from camtui.api.answers import Answer
from camtui.api.same_answer import SameAnswers
from camtui.sandbox.runner import FixedClock

NOW = datetime(2026, 12, 3, 1, 30, tzinfo=UTC)
TODAY = date(2026, 12, 3)


async def test_an_unchanged_room_status_is_the_same_object_and_a_change_is_a_new_one(sandbox_factory) -> None:
    sb = sandbox_factory(now=FixedClock(NOW), simulation=True)
    async with CAMClient(sb.url, sb.admin_token) as client:
        first = await client.get_conference_room_status(TODAY)
        again = await client.get_conference_room_status(TODAY)
        assert again is first
        month = await client.get_conference_room_status("202612")  # another request: its own answer
        assert month is not first and isinstance(month, RoomStatus)
        assert await client.get_conference_room_status(TODAY) is first
        for _ in range(200):  # the simulation books and cancels: today's answer changes
            sb.advance_simulation(1)
            changed = await client.get_conference_room_status(TODAY)
            if changed is not first:
                break
        assert changed is not first
        assert changed != first  # a new object only because the answer changed
        assert await client.get_conference_room_status(TODAY) is changed


async def test_a_failed_read_in_between_neither_reuses_nor_forgets(sandbox_factory) -> None:
    sb = sandbox_factory(now=FixedClock(NOW))
    async with CAMClient(sb.url, sb.admin_token) as client:
        first = await client.get_conference_room_status(TODAY)
        sb.set_faults({"error_503": 1.0, "methods": "getConferenceRoomStatus", "times": 1})
        client._retry = type(client._retry)(max_attempts=1)  # one attempt: the 503 reaches us
        try:
            await client.get_conference_room_status(TODAY)
        except Exception as exc:
            assert "503" in str(exc)
        else:
            raise AssertionError("the fault did not answer")
        assert await client.get_conference_room_status(TODAY) is first


async def test_concurrent_requests_keep_their_own_answers(sandbox) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        days = [date(2026, 12, d) for d in (1, 2, 3, 4)]
        got = await asyncio.gather(*(client.get_conference_room_status(d) for d in days * 2))
        for index, day in enumerate(days):
            assert got[index] is got[index + len(days)]  # the same day twice: one object
            fresh = await client.get_conference_room_status(day)
            assert fresh is got[index] and fresh.period == got[index].period


def test_only_a_200_with_the_same_bytes_is_reused_and_the_oldest_key_goes() -> None:
    memo = SameAnswers(kept=2)
    ok = Answer(200, b'{"a": 1}', "application/json", None, "OK")
    first = memo.call("k")
    assert first.previous(ok) is None and not first.reused
    value = first.keep(object())
    second = memo.call("k")
    assert second.previous(ok) is value and second.reused
    assert memo.call("k").previous(Answer(503, ok.content, "", None, "")) is None  # an error: never
    assert memo.call("k").previous(Answer(200, b'{"a": 2}', "", None, "")) is None  # other bytes
    assert memo.call("other").previous(ok) is None  # another key
    for key in ("x", "y"):
        call = memo.call(key)
        call.previous(ok)
        call.keep(key)
    assert memo.call("k").previous(ok) is None  # dropped: the two newest are kept
