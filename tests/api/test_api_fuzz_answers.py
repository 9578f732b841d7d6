"""Whatever a server answers, every one of the ten methods ends in a result or in camtui's own error types:
random bytes, deep nesting, huge numbers, NaN, wrong types, nulls, missing fields, truncated bodies, wrong
Content-Length — never a traceback of another kind."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from camtui.api import CAMClient, RetryPolicy
from camtui.api.errors import CAMError
from camtui.api.models import BatchItem
from tests.api.hostile import RawServer


@pytest.fixture(scope="module")
def raw_server() -> Iterator[RawServer]:
    server = RawServer()
    yield server
    server.close()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
FIELDS = ["status", "errors", "code", "message", "conferenceRooms", "conferenceRoomStatus", "reservedSchedules",
          "id", "name", "url", "sid", "participants", "expiredDate", "chatRoom", "users", "created", "updated",
          "period", "from", "to", "timeZone", "start", "end", "index", "line", "field"]  # fmt: skip


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["json", "json", "shaped", "bytes", "deep", "huge", "nan", "empty"]))
    if kind == "json":
        return json.dumps(draw(JSON_VALUES)).encode()
    if kind == "shaped":
        shape = draw(st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=6))
        shape.setdefault("status", draw(st.sampled_from([200, 520, "200", None])))
        return json.dumps(shape).encode()
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "deep":
        depth = draw(st.sampled_from([100, 5000, 200_000]))
        return b'{"status":200,"conferenceRooms":' + b"[" * depth + b"]" * depth + b"}"
    if kind == "huge":
        return b'{"status":200,"participants":' + b"9" * draw(st.sampled_from([30, 5000])) + b"}"
    if kind == "nan":
        return b'{"status":200,"participants":NaN,"expiredDate":Infinity,"conferenceRooms":[{"id":NaN}]}'
    return b""


@st.composite
def answers(draw: st.DrawFn) -> bytes:
    body = draw(bodies())
    status = draw(st.sampled_from([200, 200, 200, 520, 503, 500, 404]))
    framing = draw(st.sampled_from(["length", "length", "short", "long", "chunked", "cut-chunked", "close"]))
    head = f"HTTP/1.1 {status} X\r\nContent-Type: {draw(st.sampled_from(['application/json', 'text/csv', 'text/html']))}\r\n"
    if framing == "length":
        return head.encode() + b"Content-Length: %d\r\n\r\n" % len(body) + body
    if framing == "short":  # declares less: the rest is out of step
        return head.encode() + b"Content-Length: %d\r\n\r\n" % max(0, len(body) - 3) + body
    if framing == "long":  # declares more than it sends, then closes
        return head.encode() + b"Content-Length: %d\r\n\r\n" % (len(body) + 10) + body
    if framing in ("chunked", "cut-chunked"):
        chunk = b"%x\r\n%s\r\n" % (len(body), body) if body else b""
        tail = b"0\r\n\r\n" if framing == "chunked" else b""
        return head.encode() + b"Transfer-Encoding: chunked\r\n\r\n" + chunk + tail
    return head.encode() + b"Connection: close\r\n\r\n" + body


CALLS = {
    "sendMessage": lambda c: c.send_message("messenger", "hi", False, ["user1@xxx.com"]),
    "sendMessages": lambda c: c.send_messages([BatchItem("hi", None, ("user1@xxx.com",)), BatchItem("yo", "room")]),
    "createQuickCall": lambda c: c.create_quick_call(datetime.now(UTC) + timedelta(hours=1), "pw", "t"),
    "getCallStats": lambda c: c.get_call_stats("sid00001"),
    "exportUsers": lambda c: c.export_users(),
    "updateUsersCSV": lambda c: c.update_users_csv(b"uid,email\nx,user1@xxx.com\n"),
    "updateChatRoom": lambda c: c.update_chat_room({"name": "r", "isPublic": False, "adminUserId": "u", "users": ["u"]}),
    "getConferenceMaster": lambda c: c.get_conference_master(),
    "getConferenceRooms": lambda c: c.get_conference_rooms(),
    "getConferenceRoomStatus": lambda c: c.get_conference_room_status("202612"),
}  # fmt: skip


async def _one(url: str, method: str) -> None:
    policy = RetryPolicy(max_attempts=1)
    async with CAMClient(url, "fuzz-token-123", timeout=2, read_budget=4, retry=policy) as client:
        with contextlib.suppress(CAMError):  # camtui's own: a message the user can read, and an exit code
            await CALLS[method](client)


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(method=st.sampled_from(sorted(CALLS)), answer=answers())
def test_every_method_survives_any_answer(raw_server: RawServer, method: str, answer: bytes) -> None:
    raw_server.answer = answer
    asyncio.run(_one(raw_server.url, method))
