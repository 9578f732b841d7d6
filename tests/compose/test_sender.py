"""The outbox-backed send path against the real sandbox: sent once, kept when not sent, never resent blindly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from camtui.api import CAMClient, RetryPolicy
from camtui.compose.sender import deliver_entry, queue_message, retry_entry, send_via_outbox
from camtui.sandbox.runner import RunningSandbox
from camtui.store import OutboxStateError, Store

FAST = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)


def client_for(sb: RunningSandbox, token: str | None = None) -> CAMClient:
    return CAMClient(sb.url, token or sb.admin_token, timeout=5.0, read_budget=5.0, retry=FAST)


def delivered(sb: RunningSandbox, text: str) -> list[dict[str, Any]]:
    return [m for m in sb.delivered_messages() if m.get("text") == text]


async def test_sent_message_goes_to_the_sent_log_and_leaves_the_outbox(
    sandbox: RunningSandbox, store: Store
) -> None:
    async with client_for(sandbox) as client:
        out = await send_via_outbox(
            client, store, "messenger", "こんにちは\n二行目", True, ["user1@xxx.com", " user2@xxx.com "]
        )
    assert out.status == "sent" and out.entry is None
    assert len(store.outbox) == 0
    [record] = store.sent_log.list()
    assert record.message_id and record.message_id == out.result.message_id
    assert record.recipients == ("user1@xxx.com", "user2@xxx.com")
    [msg] = delivered(sandbox, "こんにちは\n二行目")
    assert msg["seal"] is True
    assert set(store.directory.used_addresses()) == {"user1@xxx.com", "user2@xxx.com"}
    assert "messenger" in out.summary and "2 recipients" in out.summary


async def test_room_send_is_remembered_for_room_autocomplete(sandbox: RunningSandbox, store: Store) -> None:
    async with client_for(sandbox) as client:
        out = await send_via_outbox(client, store, "ルーム名", "room hello", users=["user1@xxx.com"])
    assert out.status == "sent"
    assert store.directory.used_rooms() == ["ルーム名"]
    [msg] = delivered(sandbox, "room hello")
    assert msg["destination"] == "ルーム名"


async def test_refused_send_stays_failed_with_its_reason_then_edit_and_retry(
    sandbox: RunningSandbox, store: Store
) -> None:
    async with client_for(sandbox) as client:
        out = await send_via_outbox(
            client, store, "messenger", "to a stranger", users=["nobody@elsewhere.org"]
        )
        assert out.status == "failed"
        assert out.entry is not None and out.entry.state == "failed" and out.entry.code == "452"
        assert "452" in (out.entry.reason or "")
        assert delivered(sandbox, "to a stranger") == []
        store.outbox.edit(out.entry_id, users=["user1@test.com"])
        again = await retry_entry(client, store, out.entry_id)
    assert again.status == "sent"
    assert len(delivered(sandbox, "to a stranger")) == 1
    assert len(store.outbox) == 0


async def test_send_during_an_outage_lands_in_the_outbox_and_goes_out_once_on_retry(
    sandbox_factory: Callable[..., RunningSandbox], tmp_path: Path, store: Store
) -> None:
    db = tmp_path / "outage.db"
    first = sandbox_factory(db_path=db)
    port = int(first.url.rsplit(":", 1)[1])
    tokens = {"admin_token": first.admin_token, "user_token": first.user_token}
    first.stop()  # the server goes away
    async with client_for(first) as client:
        out = await send_via_outbox(client, store, "messenger", "during the outage", users=["user1@xxx.com"])
    assert out.status == "failed"
    assert out.entry is not None and out.entry.retryable and out.entry.code is None
    assert store.outbox.counts()["failed"] == 1

    second = sandbox_factory(db_path=db, port=port, **tokens)  # back, same data
    async with client_for(second) as client:
        again = await deliver_entry(client, store, out.entry_id)
        assert again.status == "sent"
        with pytest.raises(KeyError):
            await deliver_entry(client, store, out.entry_id)  # gone from the outbox: cannot go twice
    assert len(delivered(second, "during the outage")) == 1


async def test_server_busy_is_kept_as_retryable_failure(sandbox: RunningSandbox, store: Store) -> None:
    sandbox.set_faults({"error_503": 1.0, "methods": ["sendMessage"]})
    async with client_for(sandbox) as client:
        out = await send_via_outbox(client, store, "messenger", "busy", users=["user1@xxx.com"])
        assert out.status == "failed" and out.entry is not None
        assert out.entry.code == "503" and out.entry.retryable
        sandbox.clear_faults()
        assert (await retry_entry(client, store, out.entry_id)).status == "sent"
    assert len(delivered(sandbox, "busy")) == 1


async def test_reset_after_commit_is_unknown_and_not_resent(sandbox: RunningSandbox, store: Store) -> None:
    sandbox.set_faults({"reset_after": 1.0, "methods": ["sendMessage"], "times": 1})
    async with client_for(sandbox) as client:
        out = await send_via_outbox(client, store, "messenger", "maybe delivered", users=["user1@xxx.com"])
        assert out.status == "unknown"
        assert out.entry is not None and out.entry.state == "unknown"
        assert "outcome unknown" in out.summary
        with pytest.raises(OutboxStateError):
            await retry_entry(client, store, out.entry_id)  # only when the user says so
    assert len(delivered(sandbox, "maybe delivered")) == 1  # the server had committed it: exactly once
    assert store.outbox.get(out.entry_id).state == "unknown"  # type: ignore[union-attr]
    assert len(store.sent_log) == 0


async def test_forced_resend_of_an_unknown_entry_is_explicit(sandbox: RunningSandbox, store: Store) -> None:
    sandbox.set_faults({"reset_before": 1.0, "methods": ["sendMessage"], "times": 1})
    async with client_for(sandbox) as client:
        out = await send_via_outbox(client, store, "messenger", "lost before commit", users=["user1@xxx.com"])
        assert out.status == "unknown"
        assert delivered(sandbox, "lost before commit") == []
        forced = await retry_entry(client, store, out.entry_id, force=True)
    assert forced.status == "sent"
    assert len(delivered(sandbox, "lost before commit")) == 1


async def test_cancelled_mid_request_is_unknown(sandbox: RunningSandbox, store: Store) -> None:
    sandbox.set_faults({"latency_ms": 1500, "methods": ["sendMessage"]})
    entry = queue_message(store, "messenger", "cancelled", users=["user1@xxx.com"])
    async with client_for(sandbox) as client:
        task = asyncio.create_task(deliver_entry(client, store, entry.id))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if store.outbox.get(entry.id).state == "sending":  # type: ignore[union-attr]
                break
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert store.outbox.get(entry.id).state == "unknown"  # type: ignore[union-attr]


async def test_bad_token_keeps_the_message(sandbox: RunningSandbox, store: Store) -> None:
    async with client_for(sandbox, token="wrong-token") as client:
        out = await send_via_outbox(client, store, "messenger", "kept", users=["user1@xxx.com"])
    assert out.status == "failed" and out.entry is not None and out.entry.code == "805"
    assert store.outbox.get(out.entry_id).message == "kept"  # type: ignore[union-attr]
