"""The batch engine: files as people write them, validation before anything is sent, and a journal that makes
re-runs, crashes and ^C safe — checked against what the real sandbox delivered."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from camtui.api import BatchItem, CAMAPIError, CAMClient, RetryPolicy
from camtui.compose.batch import (
    BatchLoadError,
    BatchRefused,
    apply_batch,
    load_batch_file,
    parse_batch_text,
    plan_batch,
)
from camtui.compose.matcher import RecipientMatcher
from camtui.sandbox.runner import RunningSandbox
from camtui.store import Store

FAST = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)
GOOD = ["user1@test.com", "user2@test.com", "user1@xxx.com", "user2@xxx.com"]

SPEC_SAMPLE = """messages=[
 {"message":"こんにちは 1","property":{"users":"user1@test.com,user2@test.com"}},
 {"message":"こんにちは 2","property":{"users":"user1@test.com,user2@test.com"}},
 {"message":"こんにちは 3","property":{"users":"user1@test.com,user2@test.com"}},
 {"message":"こんにちは 4","property":{"users":"user1@test.com,user2@test.com"}},
]
"""


def client_for(sb: RunningSandbox, token: str | None = None) -> CAMClient:
    return CAMClient(sb.url, token or sb.admin_token, timeout=5.0, read_budget=5.0, retry=FAST)


def write_items(path: Path, items: list[dict[str, Any]], *, prefix: bool = True) -> Path:
    body = ",\n".join(" " + json.dumps(i, ensure_ascii=False) for i in items)
    path.write_text(("messages=" if prefix else "") + "[\n" + body + ",\n]\n", encoding="utf-8")
    return path


def numbered(n: int, tag: str = "msg") -> list[dict[str, Any]]:
    return [
        {"message": f"{tag} {i}", "property": {"users": f"{GOOD[i % 4]},{GOOD[(i + 1) % 4]}"}}
        if i % 3
        else {"send": "test", "message": f"{tag} {i}"}
        for i in range(n)
    ]


def texts(sb: RunningSandbox, tag: str) -> Counter[str]:
    return Counter(m["text"] for m in sb.delivered_messages() if str(m.get("text", "")).startswith(tag + " "))


async def directory(sb: RunningSandbox) -> RecipientMatcher:
    async with client_for(sb) as client:
        export = await client.export_users()
    return RecipientMatcher(export.users)


# -- loading -----------------------------------------------------------------------------------------------------
def test_the_spec_sample_loads_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "messages.json"
    path.write_text(SPEC_SAMPLE, encoding="utf-8")
    bf = load_batch_file(path)
    assert [e.message for e in bf.items] == [f"こんにちは {i}" for i in range(1, 5)]
    assert bf.items[0].users == ("user1@test.com", "user2@test.com")
    assert bf.items[0].destination == "messenger" and bf.items[0].send is None
    room = parse_batch_text('messages=[\n  {"send": "test", "message":"テスト 1"}\n]')
    assert room.items[0].destination == "test" and room.items[0].users == ()


def test_bom_and_no_prefix_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + b'[{"message": "x", "property": {"users": ["user1@xxx.com"]}}]')
    bf = load_batch_file(path)
    assert bf.items[0].users == ("user1@xxx.com",)


def test_shift_jis_file_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "sjis.json"
    path.write_bytes(SPEC_SAMPLE.encode("cp932"))
    with pytest.raises(BatchLoadError) as err:
        load_batch_file(path)
    text = str(err.value)
    assert "Shift_JIS" in text and "UTF-8" in text and str(path) in text
    assert "\n" not in text


def test_other_encodings_and_broken_files(tmp_path: Path) -> None:
    utf16 = tmp_path / "u16.json"
    utf16.write_bytes(SPEC_SAMPLE.encode("utf-16"))
    with pytest.raises(BatchLoadError, match="UTF-16"):
        load_batch_file(utf16)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"messages=[\xff\xfe\xfa]")
    with pytest.raises(BatchLoadError, match="not valid UTF-8"):
        load_batch_file(binary)
    with pytest.raises(BatchLoadError, match="no such file"):
        load_batch_file(tmp_path / "missing.json")
    with pytest.raises(BatchLoadError, match=r"line 3, column"):
        parse_batch_text('messages=[\n {"message": "a"},\n {"message": }\n]')
    with pytest.raises(BatchLoadError, match="array"):
        parse_batch_text('{"message": "a"}')
    with pytest.raises(BatchLoadError, match="no messages"):
        parse_batch_text("messages=[]")
    with pytest.raises(BatchLoadError, match="empty"):
        parse_batch_text("messages=")


# -- validation --------------------------------------------------------------------------------------------------
async def test_bad_items_are_refused_before_anything_is_sent(sandbox: RunningSandbox, store: Store) -> None:
    bf = parse_batch_text(
        json.dumps(
            [
                {"message": "fine", "property": {"users": "user1@xxx.com"}},
                {"property": {"users": "user1@xxx.com"}},  # no message
                {"message": 42, "property": {"users": "user1@xxx.com"}},  # wrong type
                {"message": "no one to send to"},  # messenger without recipients
                {"message": "x", "property": {"users": "nobody@example.co.jp"}},  # 451 predicted
                {"message": "x", "property": {"users": "someone@elsewhere.org"}},  # 452 predicted
                {"message": "x", "property": {"users": "not-an-address"}},
                {"message": "fine", "property": {"users": "USER1@xxx.com"}},  # duplicate of the first
                "just a string",
                {"send": "", "message": "x"},
                {"message": "x", "property": {"users": 5}},
                {
                    "message": "ok",
                    "property": {"users": "user2@xxx.com"},
                    "seal": True,
                },  # ignored key: warning
            ]
        ),
        path="bad.json",
    )
    plan = plan_batch(bf, users=await directory(sandbox), journal=store.batch_journal)
    assert not plan.ok
    by_item = {(p.index, p.code) for p in plan.errors}
    assert {
        (1, "400"),
        (2, "400"),
        (3, "400"),
        (4, "451"),
        (5, "452"),
        (6, "452"),
        (8, "400"),
        (9, "400"),
    } <= by_item
    assert (10, "400") in by_item
    assert any(p.index == 7 and "duplicate of item 1" in p.text for p in plan.errors)
    assert any(p.index == 11 and "seal" in p.text for p in plan.warnings)
    assert plan.counts["errors"] == len(plan.errors)
    assert any("error: item 5 [451]" in line for line in plan.lines())
    async with client_for(sandbox) as client:
        with pytest.raises(BatchRefused):
            await apply_batch(client, store, plan)
    assert sandbox.delivered_messages() == []
    assert store.batch_journal.run(bf.fingerprint) is None


async def test_predictions_match_what_the_server_answers(sandbox: RunningSandbox) -> None:
    matcher = await directory(sandbox)
    cases = ["nobody@example.co.jp", "ghost@test.com", "someone@elsewhere.org"]
    bf = parse_batch_text(json.dumps([{"message": "x", "property": {"users": c}} for c in cases]))
    predicted = {p.index: p.code for p in plan_batch(bf, users=matcher).errors}
    async with client_for(sandbox) as client:
        for i, email in enumerate(cases):
            with pytest.raises(CAMAPIError) as err:
                await client.send_messages([BatchItem("x", users=(email,))])
            assert err.value.code == predicted[i], email


def test_unknown_rooms_and_skip_invalid() -> None:
    bf = parse_batch_text(
        json.dumps(
            [
                {"send": "test", "message": "a"},
                {"send": "nosuchroom", "message": "b"},
                {"message": "", "property": {"users": "user1@xxx.com"}},
            ]
        )
    )
    loose = plan_batch(bf, known_rooms={"test"})  # not used from here before: a warning, no 405 predicted
    assert any(
        p.index == 1 and p.severity == "warning" and p.code is None and "not used from here before" in p.text
        for p in loose.problems
    )
    strict = plan_batch(bf, known_rooms={"test"}, rooms_authoritative=True)
    assert any(p.index == 1 and p.severity == "error" and p.code == "405" for p in strict.problems)
    skipping = plan_batch(bf, known_rooms={"test"}, rooms_authoritative=True, skip_invalid=True)
    assert skipping.ok and skipping.to_send == (0,)
    assert skipping.counts["invalid"] == 2
    # No directory: recipients cannot be checked, and the plan says so.
    assert any(p.index is None and "not checked" in p.text for p in loose.warnings)


def test_chunks_respect_size_and_estimate_is_positive() -> None:
    bf = parse_batch_text(json.dumps(numbered(45)))
    plan = plan_batch(bf, chunk_size=10)
    assert [len(c) for c in plan.chunks] == [10, 10, 10, 10, 5]
    assert plan.estimate_seconds > 0 and plan.counts["chunks"] == 5
    assert plan_batch(bf, chunk_size=5000).chunk_size == 1000


# -- applying ----------------------------------------------------------------------------------------------------
async def test_apply_sends_each_item_once_and_a_rerun_sends_nothing(
    sandbox: RunningSandbox, store: Store, tmp_path: Path
) -> None:
    path = write_items(tmp_path / "b.json", numbered(230, "run"))
    bf = load_batch_file(path)
    seen: list[Any] = []
    async with client_for(sandbox) as client:
        plan = plan_batch(bf, users=await directory(sandbox), journal=store.batch_journal, chunk_size=50)
        assert plan.ok, plan.lines()
        summary = await apply_batch(client, store, plan, on_progress=seen.append)
        assert (summary.sent, summary.failed, summary.unknown, summary.not_attempted) == (230, 0, 0, 0)
        assert summary.ok and summary.failed_path is None
        assert [p.chunk for p in seen] == [1, 2, 3, 4, 5] and seen[-1].done == 230
        again = plan_batch(load_batch_file(path), journal=store.batch_journal)
        assert again.to_send == () and again.counts["already_sent"] == 230
    counts = texts(sandbox, "run")
    assert len(counts) == 230 and set(counts.values()) == {1}
    assert len(store.sent_log) == 230
    ids = {o.message_id for o in store.batch_journal.outcomes(bf.fingerprint).values()}
    assert len(ids) == 230 and None not in ids
    assert store.batch_journal.run(bf.fingerprint).finished_at is not None  # type: ignore[union-attr]


async def test_items_the_server_refuses_fail_alone_and_go_to_the_failed_file(
    sandbox: RunningSandbox, store: Store, tmp_path: Path
) -> None:
    items = numbered(12, "partial")
    items[4] = {"message": "partial 4", "property": {"users": "ghost@elsewhere.org"}}
    items[9] = {"message": "partial 9", "property": {"users": "ghost2@example.co.jp"}}
    bf = load_batch_file(write_items(tmp_path / "p.json", items))
    plan = plan_batch(bf, journal=store.batch_journal, chunk_size=5)  # no directory: the server finds them
    async with client_for(sandbox) as client:
        summary = await apply_batch(client, store, plan)
    assert (summary.sent, summary.failed) == (10, 2)
    assert [i for i, _ in summary.failures] == [4, 9]
    assert "452" in summary.failures[0][1] and "451" in summary.failures[1][1]
    counts = texts(sandbox, "partial")
    assert set(counts.values()) == {1} and "partial 4" not in counts and len(counts) == 10
    failed = load_batch_file(summary.failed_path)  # type: ignore[arg-type]
    assert [e.message for e in failed.items] == ["partial 4", "partial 9"]
    assert all(not e.notes for e in failed.items)  # the "error" field is ours and ignored on load
    assert "452" in failed.items[0].raw["error"]


async def test_edited_file_after_failures_does_not_resend_what_went(
    sandbox: RunningSandbox, store: Store, tmp_path: Path
) -> None:
    items = numbered(6, "fix")
    items[2] = {"message": "fix 2", "property": {"users": "typo@elsewhere.org"}}
    path = write_items(tmp_path / "fix.json", items)
    async with client_for(sandbox) as client:
        first = await apply_batch(
            client, store, plan_batch(load_batch_file(path), journal=store.batch_journal)
        )
        assert (first.sent, first.failed) == (5, 1)
        items[2] = {"message": "fix 2", "property": {"users": "user1@xxx.com"}}
        write_items(path, items)  # the user fixes the address and runs the file again
        plan = plan_batch(load_batch_file(path), journal=store.batch_journal)
        assert plan.to_send == (2,)
        assert plan.counts["already_sent"] == 5
        second = await apply_batch(client, store, plan)
    assert second.sent == 1
    counts = texts(sandbox, "fix")
    assert len(counts) == 6 and set(counts.values()) == {1}


async def test_outcome_unknown_chunk_is_marked_and_not_resent(
    sandbox: RunningSandbox, store: Store, tmp_path: Path
) -> None:
    bf = load_batch_file(write_items(tmp_path / "u.json", numbered(30, "unk")))
    sandbox.set_faults({"reset_after": 1.0, "methods": ["sendMessages"], "times": 1})
    async with client_for(sandbox) as client:
        summary = await apply_batch(client, store, plan_batch(bf, journal=store.batch_journal, chunk_size=10))
        assert (summary.sent, summary.unknown) == (20, 10)
        assert summary.unknowns == tuple(range(10))
        assert any("outcome unknown" in line for line in summary.lines())
        rerun = plan_batch(bf, journal=store.batch_journal, chunk_size=10)
        assert rerun.to_send == () and rerun.counts["unknown_before"] == 10
        assert (await apply_batch(client, store, rerun)).sent == 0
    counts = texts(sandbox, "unk")
    assert len(counts) == 30 and set(counts.values()) == {1}  # committed before the reset: once, never twice


async def test_interrupted_midway_resumes_without_duplicates(sandbox: RunningSandbox, tmp_path: Path) -> None:
    path = write_items(tmp_path / "big.json", numbered(120, "resume"))
    db = tmp_path / "journal.db"
    sandbox.set_faults({"latency_ms": 400, "methods": ["sendMessages"]})
    store = Store.open(db)
    bf = load_batch_file(path)
    plan = plan_batch(bf, journal=store.batch_journal, chunk_size=20)
    async with client_for(sandbox) as client:
        progress: list[Any] = []

        async def run() -> None:
            await apply_batch(client, store, plan, on_progress=progress.append)

        task = asyncio.create_task(run())
        while len(progress) < 2:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.15)  # the third chunk is in flight
        task.cancel()  # ^C
        with pytest.raises(asyncio.CancelledError):
            await task
    states = Counter(o.state for o in store.batch_journal.outcomes(bf.fingerprint).values())
    assert states == {"sent": 40, "unknown": 20}
    store.close()
    sandbox.clear_faults()
    await asyncio.sleep(0.5)  # let the server finish the request we walked away from

    store = Store.open(db)  # a new process, later
    async with client_for(sandbox) as client:
        plan = plan_batch(load_batch_file(path), journal=store.batch_journal, chunk_size=20)
        assert len(plan.to_send) == 60 and plan.counts["unknown_before"] == 20
        summary = await apply_batch(client, store, plan)
        assert summary.sent == 60
    counts = texts(sandbox, "resume")
    assert max(counts.values()) == 1  # nothing twice
    assert len(counts) in (100, 120)  # the chunk cut off in flight landed or not; it is not resent either way
    store.close()


async def test_auth_failure_stops_the_run_and_leaves_items_for_later(
    sandbox: RunningSandbox, store: Store, tmp_path: Path
) -> None:
    bf = load_batch_file(write_items(tmp_path / "a.json", numbered(10, "auth")))
    plan = plan_batch(bf, journal=store.batch_journal, chunk_size=5)
    async with client_for(sandbox, token="wrong") as client:
        summary = await apply_batch(client, store, plan)
    assert summary.stopped and "805" in summary.stopped
    assert (summary.sent, summary.failed, summary.not_attempted) == (0, 0, 10)
    assert store.batch_journal.outcomes(bf.fingerprint) == {}
    async with client_for(sandbox) as client:
        summary = await apply_batch(client, store, plan_batch(bf, journal=store.batch_journal, chunk_size=5))
    assert summary.sent == 10 and summary.ok


async def test_applying_the_same_plan_twice_sends_once(
    sandbox: RunningSandbox, store: Store, tmp_path: Path
) -> None:
    bf = load_batch_file(write_items(tmp_path / "twice.json", numbered(15, "twice")))
    plan = plan_batch(bf, journal=store.batch_journal, chunk_size=4)
    async with client_for(sandbox) as client:
        first = await apply_batch(client, store, plan)
        second = await apply_batch(client, store, plan)  # a stale plan: double-click, or a second window
    assert (first.sent, second.sent) == (15, 0)
    counts = texts(sandbox, "twice")
    assert len(counts) == 15 and set(counts.values()) == {1}
