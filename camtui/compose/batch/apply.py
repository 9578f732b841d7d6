"""Applying a plan: chunks via `sendMessages`. Each chunk is journalled `sending` before its request and `sent`
/ `failed` / `unknown` after. The server refuses a chunk as a whole when an item is bad: those items are marked
failed and the rest of the chunk is sent again without them. `OutcomeUnknown` or a cancellation (a second ^C)
marks the chunk `unknown`; a `StopRequest` (the first ^C) lets the chunk in flight finish and takes no new one.
Unknown items are only sent again when the plan was made with `force_unknown=True`."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camtui.api import codes
from camtui.api.errors import CAMAPIError, OutcomeUnknown, TransportError
from camtui.api.models import MESSENGER
from camtui.compose.batch.parse import BatchEntry, BatchFile
from camtui.compose.batch.plan import RATE_KEY, BatchPlan
from camtui.compose.batch.stop import StopRequest
from camtui.store import ItemOutcome, SentInput, Store
from camtui.store.db import transaction


class BatchRefused(Exception):
    """`apply_batch` was given a plan with errors."""


@dataclass(frozen=True, slots=True)
class BatchProgress:
    done: int
    """Items with an outcome so far in this run."""
    total: int
    sent: int
    failed: int
    unknown: int
    chunk: int
    chunks: int


@dataclass(frozen=True)
class BatchSummary:
    total: int
    """Items in the file."""
    sent: int
    failed: int
    unknown: int
    skipped: int
    not_attempted: int
    """Items left for a later run (the run stopped early)."""
    elapsed: float
    failed_path: Path | None
    stopped: str | None = None
    """Why the run stopped before the end (auth error, network down, interrupted), or None."""
    failures: tuple[tuple[int, str], ...] = ()
    unknowns: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.unknown == 0 and self.stopped is None and self.not_attempted == 0

    def lines(self, max_items: int = 20) -> list[str]:
        rate = f" in {self.elapsed:.1f} s" if self.elapsed else ""
        out = [
            f"sent {self.sent}, failed {self.failed}, outcome unknown {self.unknown}, skipped {self.skipped}"
            + (f", not attempted {self.not_attempted}" if self.not_attempted else "")
            + rate
        ]
        if self.stopped:
            out.append(f"stopped: {self.stopped}; run the same file again to resume")
        for index, reason in self.failures[:max_items]:
            out.append(f"failed: item {index + 1}: {reason}")
        if len(self.failures) > max_items:
            out.append(f"… and {len(self.failures) - max_items} more failures")
        if self.unknowns:
            shown = ", ".join(str(i + 1) for i in self.unknowns[:max_items])
            more = " …" if len(self.unknowns) > max_items else ""
            out.append(
                f"outcome unknown (may have been delivered, not resent): items {shown}{more}; "
                "check the room or the recipients before forcing a resend"
            )
        if self.failed_path is not None:
            out.append(f"failed items written to {self.failed_path} (fix them and send that file)")
        return out


ProgressCallback = Callable[[BatchProgress], Any]


async def apply_batch(
    client: Any,
    store: Store,
    plan: BatchPlan,
    *,
    on_progress: ProgressCallback | None = None,
    failed_path: str | Path | None = None,
    write_failed: bool = True,
    stop: StopRequest | None = None,
    stop_reason: str = "stopped on request: the request in flight was answered and journalled",
) -> BatchSummary:
    """Send what the plan says, chunk by chunk, journalling every item. Raises BatchRefused if the plan has
    errors; BatchBusyError if another process is sending the same file. `stop.request()` ends the run after
    the chunk in flight has its answer (summary `stopped` = `stop_reason`); cancellation re-raises after the
    in-flight chunk is journalled as unknown."""
    if not plan.ok:
        raise BatchRefused(f"the batch has {len(plan.errors)} error(s); nothing was sent")
    bf = plan.file
    journal = store.batch_journal
    journal.begin(bf.fingerprint, bf.path, len(bf.items))
    started = time.monotonic()
    entries = bf.items
    sent = failed = unknown = 0
    failures: dict[int, str] = {}
    stopped: str | None = None
    # The journal may have moved on since the plan was made (the same plan applied twice, another run of the
    # file in between): what it says went out, or may have, is never sent again from a stale plan.
    now_known = journal.outcomes(bf.fingerprint)
    blocked = {"sent", "sending"} | (set() if plan.force_unknown else {"unknown"})
    queue = [
        kept
        for kept in (
            [i for i in c if i not in now_known or now_known[i].state not in blocked] for c in plan.chunks
        )
        if kept
    ]
    total_chunks = len(queue)
    done_chunks = 0
    attempted: set[int] = set()
    finished_cleanly = False
    if stop is not None:
        stop.running = True
    try:
        while queue:
            if stop is not None and stop.requested:
                stopped = stop_reason
                break
            chunk = queue.pop(0)
            attempted.update(chunk)
            journal.mark_sending(bf.fingerprint, [(i, entries[i].item_hash) for i in chunk])
            if stop is not None:
                stop.in_flight = len(chunk)
            try:
                result = await client.send_messages([entries[i].to_batch_item() for i in chunk])
            except (CAMAPIError, TransportError) as exc:
                bad = _item_errors(exc, chunk) if isinstance(exc, CAMAPIError) else {}
                if not bad:
                    # About the request as a whole (auth, network down): none of the chunk counts as attempted.
                    journal.clear(bf.fingerprint, chunk)
                    attempted.difference_update(chunk)
                    stopped = str(exc)
                    break
                journal.record(
                    bf.fingerprint,
                    [
                        ItemOutcome(i, "failed", None, code, reason, entries[i].item_hash)
                        for i, (code, reason) in bad.items()
                    ],
                )
                failed += len(bad)
                failures.update({i: f"{code} {reason}" for i, (code, reason) in bad.items()})
                rest = [i for i in chunk if i not in bad]
                journal.clear(bf.fingerprint, rest)
                attempted.difference_update(rest)
                if rest:
                    queue.insert(0, rest)  # the server refused the chunk as a whole: send the good ones
                    continue
            except OutcomeUnknown as exc:
                journal.record(
                    bf.fingerprint,
                    [ItemOutcome(i, "unknown", None, None, str(exc), entries[i].item_hash) for i in chunk],
                )
                unknown += len(chunk)
            else:
                ids = list(result.message_ids)
                ids += [None] * (len(chunk) - len(ids))
                _record_sent(store, bf.fingerprint, [entries[i] for i in chunk], ids)
                sent += len(chunk)
            finally:
                if stop is not None:
                    stop.in_flight = 0
            done_chunks += 1
            if on_progress is not None:
                progress = BatchProgress(
                    sent + failed + unknown,
                    len(plan.to_send),
                    sent,
                    failed,
                    unknown,
                    done_chunks,
                    total_chunks,
                )
                maybe = on_progress(progress)
                if asyncio.iscoroutine(maybe):
                    await maybe
        finished_cleanly = stopped is None
    except (asyncio.CancelledError, KeyboardInterrupt):
        # The chunk in flight may or may not have landed: the journal says so, and a rerun will not resend it.
        journal.settle_in_flight(bf.fingerprint, "interrupted while its chunk was being sent")
        journal.release(bf.fingerprint)
        raise
    finally:
        if stop is not None:
            stop.running, stop.in_flight = False, 0
    elapsed = time.monotonic() - started
    if sent and elapsed > 0:
        store.ui_state.set(RATE_KEY, round(sent / elapsed, 1))
    outcomes = journal.outcomes(bf.fingerprint)
    complete = (
        finished_cleanly
        and all(o.state == "sent" for o in outcomes.values())
        and len(outcomes) == len(entries)
    )
    journal.release(bf.fingerprint, finished=complete)
    unknowns = tuple(sorted(i for i in attempted if outcomes.get(i) and outcomes[i].state == "unknown"))
    path = None
    if write_failed and failures:
        path = write_failed_items(bf, sorted(failures), failures, failed_path)
    not_attempted = len([i for i in plan.to_send if i not in attempted and i not in failures])
    return BatchSummary(
        total=len(entries),
        sent=sent,
        failed=failed,
        unknown=unknown,
        skipped=len(plan.skipped),
        not_attempted=not_attempted,
        elapsed=elapsed,
        failed_path=path,
        stopped=stopped,
        failures=tuple(sorted(failures.items())),
        unknowns=unknowns,
    )


def _item_errors(exc: CAMAPIError, chunk: Sequence[int]) -> dict[int, tuple[str, str]]:
    """The chunk's items the server named in its errors (its `index` is the position within the chunk)."""
    found: dict[int, tuple[str, str]] = {}
    entries = list(exc.errors) or (
        [{"code": exc.code, "message": exc.message, "index": exc.index}] if exc.index is not None else []
    )
    for err in entries:
        raw = err.get("index")
        try:
            pos = int(raw) if raw is not None else None
        except (TypeError, ValueError):
            pos = None
        if pos is None or not 0 <= pos < len(chunk):
            continue
        code = str(err.get("code", exc.code))
        message = str(err.get("message", "")).strip()
        reason = codes.lookup(code).meaning + (f": {message}" if message else "")
        found.setdefault(chunk[pos], (code, reason))
    return found


def _record_sent(
    store: Store, fingerprint: str, entries: Sequence[BatchEntry], ids: Sequence[str | None]
) -> None:
    """Journal, sent log and directory in one transaction."""
    with transaction(store.conn, store.lock):
        store.batch_journal.record(
            fingerprint,
            [
                ItemOutcome(e.index, "sent", mid, None, None, e.item_hash)
                for e, mid in zip(entries, ids, strict=True)
            ],
        )
        store.sent_log.add_many(
            [
                SentInput(e.destination, e.message or "", False, e.users, mid or "")
                for e, mid in zip(entries, ids, strict=True)
            ],
            source="batch",
        )
        used = [u for e in entries for u in e.users]
        if used:
            store.directory.note_used(used)
        for room in {e.destination for e in entries if e.destination != MESSENGER}:
            store.directory.note_room(room)


def write_failed_items(
    bf: BatchFile, indices: Sequence[int], reasons: dict[int, str], path: str | Path | None = None
) -> Path:
    """The failed items, verbatim plus an `error` field, in the same format: fix them and send that file."""
    if path is None:
        src = Path(bf.path)
        path = src.with_name(f"{src.stem}.failed{src.suffix or '.json'}")
    out = Path(path)
    lines = ["messages=["]
    for i in indices:
        raw = bf.items[i].raw
        item = dict(raw) if isinstance(raw, dict) else {"item": raw}
        item["error"] = reasons.get(i, "")
        lines.append(" " + json.dumps(item, ensure_ascii=False) + ",")
    lines.append("]")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out
