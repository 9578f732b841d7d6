"""Every API method through CAMClient against the real sandbox over loopback: typed results, real effects."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from camtui.api import (
    BatchItem,
    BatchSendResult,
    CallStats,
    CAMClient,
    ChatRoom,
    ConferenceRoom,
    QuickCall,
    RoomStatus,
    SendResult,
    UsersExport,
    UsersUpdateResult,
)
from camtui.sandbox.runner import FixedClock

SPEC_PEOPLE = ["user1@xxx.com", "user2@xxx.com", "user1@test.com", "user2@test.com"]
NOW = datetime(2026, 12, 3, 1, 30, tzinfo=UTC)  # Thursday 10:30 in Tokyo


async def test_send_message_to_the_messenger(client, sandbox):
    result = await client.send_message(
        "messenger", "Hello!\n2行目", False, ["user1@xxx.com", "user2@xxx.com"]
    )
    assert isinstance(result, SendResult)
    assert result.panel_name == "messenger"
    assert result.recipients == ("user1@xxx.com", "user2@xxx.com")
    (delivered,) = sandbox.delivered_messages()
    assert delivered["id"] == result.message_id
    assert delivered["text"] == "Hello!\n2行目"
    assert delivered["recipients"] == ["user1@xxx.com", "user2@xxx.com"]
    assert delivered["seal"] is False


async def test_send_message_to_a_chat_room_with_mentions_and_seal(client, sandbox):
    result = await client.send_message("ルーム名", "会議は 15 時から", seal=True, users=("user1@xxx.com",))
    assert result.panel_name == "ルーム名"
    (delivered,) = sandbox.delivered_messages()
    assert (delivered["destination"], delivered["seal"], delivered["recipients"]) == (
        "ルーム名",
        True,
        ["user1@xxx.com"],
    )


async def test_send_message_to_a_chat_room_without_mentions(client, sandbox):
    await client.send_message("test", "no mentions")
    (delivered,) = sandbox.delivered_messages()
    assert (delivered["destination"], delivered["recipients"]) == ("test", [])


async def test_send_messages_batch(client, sandbox):
    items = [
        BatchItem("こんにちは 1", users=("user1@test.com", "user2@test.com")),
        BatchItem("テスト 1", send="test"),
        BatchItem("こんにちは 2", send="messenger", users=("user1@test.com",)),
    ]
    result = await client.send_messages(items)
    assert isinstance(result, BatchSendResult)
    assert result.count == 3 and len(result.message_ids) == 3
    delivered = sandbox.delivered_messages()
    assert [m["text"] for m in delivered] == ["こんにちは 1", "テスト 1", "こんにちは 2"]
    assert [m["destination"] for m in delivered] == ["messenger", "test", "messenger"]
    assert [m["id"] for m in delivered] == list(result.message_ids)


async def test_quick_call_lifecycle(client, sandbox):
    expires = datetime.now(UTC) + timedelta(hours=2)
    call = await client.create_quick_call(expires, "password!", "週次定例")
    assert isinstance(call, QuickCall)
    assert call.url == f"{sandbox.url}/share/{call.sid}"
    assert (call.title, call.password) == ("週次定例", "password!")
    assert abs(call.expired_date - expires) < timedelta(milliseconds=1)
    assert call.presenter_pass
    assert call.sid in {c["sid"] for c in sandbox.calls()}

    stats = await client.get_call_stats(call.sid)
    assert isinstance(stats, CallStats)
    assert (stats.room_name, stats.title, stats.participants, stats.in_progress) == (
        call.sid,
        "週次定例",
        0,
        False,
    )
    assert stats.expired_date is not None and stats.expired_date.tzinfo is not None
    assert stats.creation_date is not None and stats.creation_date <= datetime.now(UTC)

    # The spec's auto-login URL joins the call: the participant count goes up.
    async with httpx.AsyncClient(trust_env=False) as web:
        page = await web.get(call.auto_login_url("太郎"))
    assert page.status_code == 200
    stats = await client.get_call_stats(call.sid)
    assert (stats.participants, stats.in_progress) == (1, True)


async def test_quick_call_with_unix_ms_and_no_password(client):
    expires_ms = int((datetime.now(UTC) + timedelta(minutes=30)).timestamp() * 1000)
    call = await client.create_quick_call(expires_ms)
    assert call.password == "" and call.title == ""
    assert int(call.expired_date.timestamp() * 1000) == expires_ms
    assert "password" not in call.auto_login_url("a")


async def test_export_users(client):
    export = await client.export_users("people.csv")
    assert isinstance(export, UsersExport)
    assert len(export.users) == 300
    by_email = {u.email: u for u in export.users}
    assert set(SPEC_PEOPLE) <= set(by_email)
    assert export.csv_text.splitlines()[0] == "uid,email,name,romaji,department,position,admin"
    assert all(u.uid for u in export.users)
    assert any(u.admin for u in export.users)


@pytest.mark.parametrize("as_type", [bytes, str, Path])
async def test_update_users_csv(client, tmp_path, as_type):
    csv_text = (
        "uid,email,name,romaji,department,position,admin\n"
        ",new.person@example.co.jp,新人 一郎,Ichiro Shinjin,開発部,,false\n"
        "11u1pu9d32p8vuvjoZdd,user1@xxx.com,山田 太郎,Taro Yamada,情報システム部,本部長,true\n"
    )
    if as_type is bytes:
        payload: bytes | str | Path = csv_text.encode("utf-8")
    elif as_type is str:
        payload = csv_text
    else:
        payload = tmp_path / "users.csv"
        payload.write_text(csv_text, encoding="utf-8")
    result = await client.update_users_csv(payload)
    assert isinstance(result, UsersUpdateResult)
    assert (result.created, result.updated) == (1, 1)
    users = {u.email: u for u in (await client.export_users()).users}
    assert users["new.person@example.co.jp"].name == "新人 一郎"
    assert users["new.person@example.co.jp"].uid  # the server assigned one
    assert users["user1@xxx.com"].position == "本部長"


async def test_update_chat_room_create_then_update(client, sandbox):
    uids = [u.uid for u in (await client.export_users()).users[:3]]
    created = await client.update_chat_room(
        ChatRoom(None, "設計レビュー", uids[0], uids[0], False, tuple(uids))
    )
    assert isinstance(created, ChatRoom)
    assert created.id and created.name == "設計レビュー"
    assert set(created.member_uids) == set(uids)
    assert created.create_user_id == uids[0] and created.is_public is False

    renamed = await client.update_chat_room({"id": created.id, "name": "公開会議", "isPublic": True})
    assert (renamed.id, renamed.name, renamed.is_public) == (created.id, "公開会議", True)
    assert set(renamed.member_uids) == set(uids)
    assert "公開会議" in {room["name"] for room in sandbox.chat_rooms()}
    # The new room is a real destination now.
    await client.send_message("公開会議", "ようこそ")
    assert sandbox.delivered_messages()[-1]["destination"] == "公開会議"


async def test_conference_master_and_rooms(client):
    master = await client.get_conference_master()
    rooms = await client.get_conference_rooms()
    assert len(master) == 12 and all(isinstance(r, ConferenceRoom) for r in master)
    assert [r.id for r in master] == [r.id for r in rooms]
    assert all(r.name and r.reservations == () for r in master)
    assert any(r.capacity for r in master) and any(r.location for r in master)


async def test_conference_room_status_day_month_and_master(sandbox_factory, fast_retry):
    sandbox = sandbox_factory(now=FixedClock(NOW))
    async with CAMClient(sandbox.url, sandbox.user_token, retry=fast_retry) as client:
        day = await client.get_conference_room_status(date(2026, 12, 3))
        same_day = await client.get_conference_room_status("20261203")
        month = await client.get_conference_room_status("202612")
        master = await client.get_conference_room_status()
    assert isinstance(day, RoomStatus)
    assert (day.period, day.time_zone) == ("20261203", "Asia/Tokyo")
    assert day.start == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # midnight in Tokyo
    assert day.end == day.start + timedelta(days=1)
    reservations = [r for room in day.rooms for r in room.reservations]
    assert reservations, "the demo data books rooms on a weekday"
    for room in day.rooms:
        for r in room.reservations:
            assert r.room_id == room.id
            assert r.start.tzinfo is not None and r.start < r.end
            assert r.start < day.end and r.end > day.start
    assert day == same_day
    assert month.period == "202612"
    assert sum(len(r.reservations) for r in month.rooms) > len(reservations)
    assert master.period is None and master.start is None and len(master.rooms) == 12


async def test_many_concurrent_reads_share_a_small_pool(client):
    results = await asyncio.gather(*(client.get_conference_master() for _ in range(40)))
    assert all(len(r) == 12 for r in results)
    pool = client._http._transport._pool  # white-box: the pool never grew past the limit
    assert len(pool.connections) <= 8


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from("\n&=+%;#\"\\"),
                 min_size=1, max_size=80).filter(str.strip),
    seal=st.booleans(),
)  # fmt: skip
def test_any_text_arrives_exactly_as_written(sandbox, text, seal):
    """Form encoding of JSON-in-a-field survives any text: `&`, `=`, `+`, `%`, quotes, newlines, emoji, 日本語."""

    async def send() -> str:
        async with CAMClient(sandbox.url, sandbox.admin_token) as client:
            return (await client.send_message("messenger", text, seal, ["user1@xxx.com"])).message_id

    message_id = asyncio.run(send())
    delivered = sandbox.delivered_messages()[-1]
    assert (delivered["id"], delivered["text"], delivered["seal"]) == (message_id, text, seal)
