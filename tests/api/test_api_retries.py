"""The retry rules, proven on the sandbox's fault plan. Above all: a write is never sent twice.

A write that fails after the request may have reached the server raises OutcomeUnknown and is not resent,
whether the server had committed it (`reset_after`: delivered once) or not (`reset_before`: zero times).
"""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta

import pytest

from camtui.api import (
    BatchItem,
    CAMAPIError,
    CAMClient,
    ChatRoom,
    OutcomeUnknown,
    RetryPolicy,
    TransportError,
)


def hello(client: CAMClient):
    return client.send_message("messenger", "once only", users=["user1@xxx.com"])


def requests_for(sandbox, method: str) -> int:
    """Requests of `method` that got past the fault layer (reset_before ones never do)."""
    return sandbox.stats()["byMethod"].get(method, 0)


# ---------------------------------------------------------------------------------------- safe retries


@pytest.mark.parametrize("fault", ["error_503", "error_491"])
async def test_refused_send_is_retried_and_delivered_once(client, sandbox, sleeps, fault):
    sandbox.set_faults({fault: 1.0, "times": 2, "methods": ["sendMessage"]})
    result = await hello(client)
    delivered = sandbox.delivered_messages()
    assert [m["id"] for m in delivered] == [result.message_id]
    assert sandbox.stats()["faults"][fault] == 2
    assert len(sleeps.delays) == 2
    assert all(d >= 1.0 for d in sleeps.delays)  # the sandbox's Retry-After: 1 is honoured


async def test_refused_batch_is_retried_and_delivered_once(client, sandbox):
    sandbox.set_faults({"error_503": 1.0, "times": 1, "methods": ["sendMessages"]})
    result = await client.send_messages(
        [BatchItem("a", users=("user1@xxx.com",)), BatchItem("b", send="test")]
    )
    assert result.count == 2
    assert [m["text"] for m in sandbox.delivered_messages()] == ["a", "b"]


@pytest.mark.parametrize("fault", ["reset_before", "reset_after"])
async def test_reads_retry_on_resets(client, sandbox, fault):
    sandbox.set_faults({fault: 1.0, "times": 2, "methods": ["getConferenceMaster"]})
    rooms = await client.get_conference_master()
    assert len(rooms) == 12
    assert sandbox.stats()["faults"][fault] == 2


async def test_read_retries_a_read_timeout(sandbox, fast_retry):
    sandbox.set_faults({"latency_ms": 1000, "times": 1, "methods": ["getConferenceRooms"]})
    async with CAMClient(sandbox.url, sandbox.user_token, timeout=0.3, retry=fast_retry) as client:
        rooms = await client.get_conference_rooms()
    assert len(rooms) == 12
    assert sandbox.stats()["faults"]["latency"] == 1


# ----------------------------------------------------------------------------- writes: outcome unknown


async def test_reset_after_send_is_outcome_unknown_and_delivered_exactly_once(client, sandbox, sleeps):
    sandbox.set_faults({"reset_after": 1.0, "times": 1, "methods": ["sendMessage"]})
    with pytest.raises(OutcomeUnknown) as info:
        await hello(client)
    assert info.value.method == "sendMessage"
    assert "not resent" in str(info.value)
    assert [m["text"] for m in sandbox.delivered_messages()] == ["once only"]  # committed once, never resent
    assert requests_for(sandbox, "sendMessage") == 1
    assert sleeps.delays == []


async def test_reset_before_send_is_outcome_unknown_and_delivered_zero_times(client, sandbox, sleeps):
    sandbox.set_faults({"reset_before": 1.0, "times": 1, "methods": ["sendMessage"]})
    with pytest.raises(OutcomeUnknown):
        await hello(client)
    assert sandbox.delivered_messages() == []
    assert sandbox.stats()["faults"]["reset_before"] == 1
    assert requests_for(sandbox, "sendMessage") == 0  # and no second attempt reached the server
    assert sleeps.delays == []
    # The client stays usable: the next send (a new decision by the caller) goes through.
    await hello(client)
    assert len(sandbox.delivered_messages()) == 1


async def test_unreadable_answer_to_a_send_is_outcome_unknown_not_an_error(client, sandbox):
    # The sandbox's `garbage` fault answers after the method ran and committed: the message went out, and
    # a plain "500 error" would invite the caller to send it again.
    sandbox.set_faults({"garbage": 1.0, "times": 1, "methods": ["sendMessage"]})
    with pytest.raises(OutcomeUnknown) as info:
        await hello(client)
    assert "not a JSON object" in str(info.value)
    assert [m["text"] for m in sandbox.delivered_messages()] == ["once only"]
    assert requests_for(sandbox, "sendMessage") == 1


def write_calls():
    future = datetime.now(UTC) + timedelta(hours=1)
    return {
        "sendMessages": lambda c: c.send_messages([BatchItem("x", users=("user1@xxx.com",))]),
        "createQuickCall": lambda c: c.create_quick_call(future, title="t"),
        "updateUsersCSV": lambda c: c.update_users_csv("uid,email,name\n,new1@xxx.com,N\n"),
        "updateChatRoom": lambda c: c.update_chat_room(
            ChatRoom(None, "新ルーム", "11u1pu9d32p8vuvjoZdd", "11u1pu9d32p8vuvjoZdd", False, ())
        ),
    }


@pytest.mark.parametrize("fault", ["reset_before", "reset_after"])
@pytest.mark.parametrize("method", ["sendMessages", "createQuickCall", "updateUsersCSV", "updateChatRoom"])
async def test_every_write_is_never_resent(client, sandbox, method, fault):
    before = sandbox.stats()["counts"]
    sandbox.set_faults({fault: 1.0, "times": 1, "methods": [method]})
    with pytest.raises(OutcomeUnknown) as info:
        await write_calls()[method](client)
    assert info.value.method == method
    after = sandbox.stats()
    assert after["faults"][fault] == 1
    assert requests_for(sandbox, method) == (1 if fault == "reset_after" else 0)
    table = {"sendMessages": "messages", "createQuickCall": "calls", "updateUsersCSV": "users",
             "updateChatRoom": "chat_rooms"}[method]  # fmt: skip
    grew = after["counts"][table] - before[table]
    assert grew == (1 if fault == "reset_after" else 0)


async def test_write_read_timeout_is_outcome_unknown_not_a_resend(sandbox, fast_retry):
    sandbox.set_faults({"latency_ms": 1500, "times": 1, "methods": ["sendMessage"]})
    async with CAMClient(sandbox.url, sandbox.admin_token, timeout=0.3, retry=fast_retry) as client:
        with pytest.raises(OutcomeUnknown):
            await hello(client)
    for _ in range(100):  # wait until the server has finished with the slow request
        stats = sandbox.stats()
        if sum(stats["byCode"].values()) >= 1:
            break
        await asyncio.sleep(0.05)
    assert stats["requests"] == 1  # one request reached the server; it was not resent
    assert len(sandbox.delivered_messages()) <= 1


# ------------------------------------------------------------------------------------------ server down


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("write", [False, True])
async def test_server_down_is_a_transport_error_after_bounded_retries(sleeps, write):
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, sleep=sleeps)
    async with CAMClient(closed_port_url(), "token", retry=policy) as client:
        with pytest.raises(TransportError) as info:
            if write:  # a connect failure means nothing was sent: safe to retry, and not "outcome unknown"
                await hello(client)
            else:
                await client.get_conference_rooms()
    err = info.value
    assert not isinstance(err, CAMAPIError)
    assert "ConnectError" in str(err) and "127.0.0.1" in str(err)
    assert len(sleeps.delays) == 2  # three attempts


async def test_connect_failure_then_server_up_delivers_once(sandbox_factory, tmp_path):
    """A send that could not connect is retried; when the server comes up it is delivered exactly once."""
    url = closed_port_url()
    port = int(url.rsplit(":", 1)[1])
    started: list = []

    async def start_later(seconds: float) -> None:
        if not started:
            started.append(sandbox_factory(port=port, admin_token="admin-token-123"))
        await asyncio.sleep(0.001)

    policy = RetryPolicy(max_attempts=3, base_delay=0.01, sleep=start_later)
    async with CAMClient(url, "admin-token-123", retry=policy) as client:
        result = await hello(client)
    assert [m["id"] for m in started[0].delivered_messages()] == [result.message_id]


async def test_read_gives_up_within_its_time_budget(sandbox, real_sleeps):
    sandbox.set_faults({"latency_ms": 1500, "methods": ["getCallStats"]})
    policy = RetryPolicy(max_attempts=10, base_delay=0.05, sleep=real_sleeps)
    loop = asyncio.get_running_loop()
    async with CAMClient(
        sandbox.url, sandbox.admin_token, timeout=5.0, read_budget=0.6, retry=policy
    ) as client:
        started = loop.time()
        with pytest.raises(TransportError):
            await client.get_call_stats("x")
        elapsed = loop.time() - started
    assert sandbox.stats()["faults"]["latency"] == 1  # one attempt fitted in the budget, not ten
    assert elapsed < 3  # loosely: the 0.6 s budget, not 10 attempts × 1.5 s
