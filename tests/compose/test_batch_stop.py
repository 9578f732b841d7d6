"""A polite stop of a batch run (`StopRequest`, the first ^C / `q`) and sending a chosen subset (`only`), against
the real sandbox: the chunk in flight is answered and journalled, nothing becomes "outcome unknown"."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

from camtui.api import CAMClient, RetryPolicy
from camtui.compose.batch import StopRequest, apply_batch, load_batch_file, plan_batch
from camtui.sandbox.runner import RunningSandbox
from camtui.store import Store


def batch(path: Path, n: int, tag: str) -> Path:
    items = [{"message": f"{tag} {i}", "property": {"users": "user1@test.com"}} for i in range(n)]
    path.write_text("messages=" + json.dumps(items), encoding="utf-8")
    return path


def received(sb: RunningSandbox, tag: str) -> Counter[str]:
    return Counter(m["text"] for m in sb.delivered_messages() if m["text"].startswith(tag + " "))


def test_stop_while_a_request_is_out_finishes_it_and_sends_no_new_chunk(
    sandbox: RunningSandbox, store: Store, tmp_path: Path
) -> None:
    sandbox.set_faults({"latency_ms": 300, "methods": ["sendMessages"]})
    bf = load_batch_file(batch(tmp_path / "b.json", 20, "stop"))
    plan = plan_batch(bf, journal=store.batch_journal, chunk_size=5)
    stop = StopRequest()

    async def main() -> tuple[object, bool]:
        async with CAMClient(sandbox.url, sandbox.admin_token, retry=RetryPolicy(max_attempts=1)) as client:
            run = asyncio.create_task(apply_batch(client, store, plan, stop=stop, stop_reason="asked"))
            while stop.in_flight == 0:  # the first request is out
                await asyncio.sleep(0.01)
            was_waiting = stop.waiting_for_answer
            assert stop.request() and not stop.request()  # first: polite; then: already asked
            return await run, was_waiting

    summary, was_waiting = asyncio.run(main())
    assert was_waiting and not stop.running and stop.in_flight == 0
    assert (summary.sent, summary.unknown, summary.not_attempted, summary.stopped) == (5, 0, 15, "asked")
    assert set(received(sandbox, "stop")) == {f"stop {i}" for i in range(5)}
    states = {i: o.state for i, o in store.batch_journal.outcomes(bf.fingerprint).items()}
    assert states == dict.fromkeys(range(5), "sent")


def test_only_plans_the_chosen_items_and_says_the_rest_were_not_chosen(store: Store, tmp_path: Path) -> None:
    bf = load_batch_file(batch(tmp_path / "b.json", 6, "only"))
    plan = plan_batch(bf, journal=store.batch_journal, only=[1, 4])
    assert plan.to_send == (1, 4) and plan.counts["not_chosen"] == 4
    assert "skipped: 4 not chosen" in plan.lines()
