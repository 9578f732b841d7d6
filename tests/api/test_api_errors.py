"""Every error code of the spec, as the sandbox answers it and the client explains it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from camtui.api import BatchItem, CAMAPIError, CAMClient, ChatRoom, MalformedResponse, RetryPolicy
from camtui.api.codes import lookup


def check(err: CAMAPIError, code: str, method: str, *, http_status: int = 200) -> None:
    """The common promises: code as a string, English meaning, the server's (spec) message, one line."""
    assert err.code == code
    assert err.meaning == lookup(code).meaning
    assert err.message.startswith(lookup(code).message)
    assert err.http_status == http_status
    assert err.method == method
    text = str(err)
    assert text.startswith(f"{code} {err.meaning}") and "\n" not in text


async def test_805_bad_token(sandbox, fast_retry):
    async with CAMClient(sandbox.url, "not-the-token", retry=fast_retry) as bad:
        with pytest.raises(CAMAPIError) as info:
            await bad.get_conference_rooms()
    check(info.value, "805", "getConferenceRooms")
    assert info.value.message == "APIトークンが正しくありません。"
    assert not info.value.retryable
    assert "api token" in info.value.hint.lower()


async def test_805_missing_token(sandbox, fast_retry):
    async with CAMClient(sandbox.url, "", retry=fast_retry) as bad:
        with pytest.raises(CAMAPIError) as info:
            await bad.get_call_stats("x")
    check(info.value, "805", "getCallStats")


@pytest.mark.parametrize(
    ("call", "method"),
    [
        (lambda c: c.export_users(), "exportUsers"),
        (lambda c: c.update_users_csv("uid,email\n,a@xxx.com\n"), "updateUsersCSV"),
        (lambda c: c.update_chat_room({"name": "x", "memberUids": {}}), "updateChatRoom"),
    ],
)
async def test_800_admin_only_with_user_token(user_client, call, method):
    with pytest.raises(CAMAPIError) as info:
        await call(user_client)
    check(info.value, "800", method)


async def test_400_unknown_call(client):
    with pytest.raises(CAMAPIError) as info:
        await client.get_call_stats("no-such-call")
    check(info.value, "400", "getCallStats")
    assert "no-such-call" in info.value.message
    assert info.value.field == "roomName"


async def test_400_past_expiry(client):
    with pytest.raises(CAMAPIError) as info:
        await client.create_quick_call(datetime.now(UTC) - timedelta(minutes=1))
    check(info.value, "400", "createQuickCall")
    assert info.value.field == "expiredDate"


async def test_400_messenger_without_recipients(client, sandbox):
    with pytest.raises(CAMAPIError) as info:
        await client.send_message("messenger", "hello")
    check(info.value, "400", "sendMessage")
    assert sandbox.delivered_messages() == []


async def test_400_bad_period(client):
    with pytest.raises(CAMAPIError) as info:
        await client.get_conference_room_status("201913")
    check(info.value, "400", "getConferenceRoomStatus")


async def test_400_bad_csv_names_the_line(client):
    with pytest.raises(CAMAPIError) as info:
        await client.update_users_csv(
            "uid,email,name,romaji,department,position,admin\n,ok@xxx.com,A,,,,false\n,broken,B,,,,false\n"
        )
    check(info.value, "400", "updateUsersCSV")
    assert info.value.line == 3
    assert "line 3" in str(info.value)


async def test_405_unknown_chat_room(client, sandbox):
    with pytest.raises(CAMAPIError) as info:
        await client.send_message("存在しないルーム", "hello")
    check(info.value, "405", "sendMessage")
    assert "存在しないルーム" in info.value.message
    assert sandbox.delivered_messages() == []


async def test_405_in_a_batch_names_the_item(client, sandbox):
    with pytest.raises(CAMAPIError) as info:
        await client.send_messages(
            [BatchItem("ok", users=("user1@xxx.com",)), BatchItem("x", send="nowhere")]
        )
    check(info.value, "405", "sendMessages")
    assert info.value.index == 1
    assert sandbox.delivered_messages() == []  # all or nothing


async def test_406_forbidden_chat_room_changes(client, sandbox):
    room = next(r for r in sandbox.chat_rooms() if r["name"] == "test")
    with pytest.raises(CAMAPIError) as info:
        await client.update_chat_room({"id": room["id"], "createUserId": "1lmn7hoh3s1ja26fsazw"})
    check(info.value, "406", "updateChatRoom")
    with pytest.raises(CAMAPIError) as info:
        await client.update_chat_room({"id": room["id"], "memberUids": {}})
    check(info.value, "406", "updateChatRoom")


async def test_405_unknown_chat_room_id(client):
    with pytest.raises(CAMAPIError) as info:
        await client.update_chat_room(ChatRoom("999", "x", "", "", False, ("11u1pu9d32p8vuvjoZdd",)))
    check(info.value, "405", "updateChatRoom")


async def test_451_and_452_unknown_recipients(client, sandbox):
    with pytest.raises(CAMAPIError) as info:
        await client.send_message("messenger", "hi", users=["nobody@xxx.com"])
    check(info.value, "451", "sendMessage")
    assert "nobody@xxx.com" in info.value.message
    with pytest.raises(CAMAPIError) as info:
        await client.send_message("messenger", "hi", users=["user1@xxx.com", "someone@elsewhere.org"])
    check(info.value, "452", "sendMessage")
    with pytest.raises(CAMAPIError) as info:
        await client.send_messages(
            [BatchItem("a", users=("user1@xxx.com",)), BatchItem("b", users=("ghost@elsewhere.org",))]
        )
    check(info.value, "452", "sendMessages")
    assert info.value.index == 1
    assert sandbox.delivered_messages() == []


async def test_490_lock_out_after_a_burst_of_bad_tokens(sandbox, fast_retry):
    async with CAMClient(sandbox.url, "guessing", retry=fast_retry) as bad:
        codes_seen = []
        for _ in range(20):
            with pytest.raises(CAMAPIError) as info:
                await bad.get_conference_rooms()
            codes_seen.append(info.value.code)
    assert codes_seen == ["805"] * 20
    async with CAMClient(sandbox.url, sandbox.admin_token, retry=fast_retry) as good:
        with pytest.raises(CAMAPIError) as info:
            await good.get_conference_rooms()
    check(info.value, "490", "getConferenceRooms")
    assert not info.value.retryable
    sandbox.unlock()


async def test_491_rate_limit_is_retried_after_the_servers_delay(sandbox_factory, real_sleeps):
    sandbox = sandbox_factory(rate_limit=1.0)  # one request a second, burst 1
    sleeps = real_sleeps
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, sleep=sleeps)
    async with CAMClient(sandbox.url, sandbox.user_token, retry=policy) as client:
        first = await client.get_conference_rooms()
        second = await client.get_conference_rooms()  # refused with 491 + Retry-After first, then served
    assert len(first) == len(second) == 12
    assert sleeps.delays and sleeps.delays[0] >= 1.0  # Retry-After honoured, not the 10 ms back-off
    assert sandbox.stats()["rateLimited"] >= 1


async def test_491_when_retries_run_out(sandbox, sleeps):
    sandbox.set_faults({"error_491": 1.0})
    async with CAMClient(
        sandbox.url, sandbox.admin_token, retry=RetryPolicy(max_attempts=2, sleep=sleeps)
    ) as c:
        with pytest.raises(CAMAPIError) as info:
            await c.get_conference_rooms()
    check(info.value, "491", "getConferenceRooms")
    assert info.value.retryable and info.value.retry_after == 1.0
    assert sandbox.stats()["faults"]["error_491"] == 2


async def test_503_when_retries_run_out(sandbox, sleeps):
    sandbox.set_faults({"error_503": 1.0, "methods": ["sendMessage"]})
    async with CAMClient(
        sandbox.url, sandbox.admin_token, retry=RetryPolicy(max_attempts=3, sleep=sleeps)
    ) as c:
        with pytest.raises(CAMAPIError) as info:
            await c.send_message("messenger", "hi", users=["user1@xxx.com"])
    check(info.value, "503", "sendMessage", http_status=503)
    assert info.value.retryable
    assert sandbox.stats()["faults"]["error_503"] == 3
    assert len(sleeps.delays) == 2
    assert sandbox.delivered_messages() == []


async def test_500_garbage_body_is_a_clear_error(client, sandbox):
    sandbox.set_faults({"garbage": 1.0, "times": 1})
    with pytest.raises(CAMAPIError) as info:
        await client.get_conference_master()
    err = info.value
    assert isinstance(err, MalformedResponse)
    assert (err.code, err.meaning, err.http_status) == ("500", "Malformed response", 200)
    assert "not a JSON object" in err.message and "text/html" in err.message
    assert str(err).startswith("500 Malformed response: the server's answer is not a JSON object")
    assert len(await client.get_conference_master()) == 12  # one bad answer does not break the client
