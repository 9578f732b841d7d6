"""`camtui send-batch FILE [--dry-run] [--resume] [--json]`: the composer's batch engine from the shell.

Exit codes: 0 everything sent (or, with --dry-run, the plan is clean); 1 the server refused items or the run;
2 usage or bad input, nothing sent (bad file, items refused by the local checks, bad options, nothing configured,
a started run without --resume); 3 network failure, or items of this file whose outcome is unknown (they may or
may not have been delivered: never resent blindly; check, then --force-unknown).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta
from typing import Any

from camtui.cli.support import (
    ENV_SERVER,
    ENV_TOKEN,
    EXIT_API,
    EXIT_NETWORK,
    EXIT_OK,
    EXIT_USAGE,
    Connection,
    UsageProblem,
    decode_utf8_input,
    load_connection,
    open_client,
    print_json,
)

DIRECTORY_MAX_AGE = timedelta(minutes=10)
"""A cached directory younger than this is used as is; older, it is refreshed with exportUsers first."""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "send-batch",
        help="send many messages from a JSON file (the API's sendMessages format), safely",
        description=(
            "Validate every item first (recipients against the user directory, rooms, duplicates), show the "
            "plan, then send in chunks. A journal remembers each item, so running the same file again resumes "
            f"and never sends an item twice. Server and token: config file, or ${ENV_SERVER} / ${ENV_TOKEN}."
        ),
    )
    p.add_argument("file", metavar="FILE", help="the batch file: messages=[{...}, ...] (UTF-8)")
    p.add_argument("--dry-run", action="store_true", help="validate and print the plan; send nothing")
    p.add_argument("--resume", action="store_true", help="continue a run of this file that did not finish")
    p.add_argument("--json", action="store_true", help="print the plan and the summary as JSON on stdout")
    p.add_argument(
        "--force-unknown",
        action="store_true",
        help="also resend items whose outcome is unknown (they may have been delivered already)",
    )
    p.add_argument("--skip-invalid", action="store_true", help="send the valid items, skip the invalid ones")
    p.add_argument("--allow-duplicates", action="store_true", help="send identical items more than once")
    p.add_argument("--chunk-size", type=int, default=None, metavar="N", help="items per request (1..1000)")
    p.add_argument(
        "--failed-out", metavar="PATH", help="where to write the failed items (default FILE.failed.json)"
    )
    p.add_argument("--store", metavar="PATH", help="the local database (default: from the config / data dir)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from camtui.compose.batch import BatchLoadError, load_batch_file

    as_json = bool(args.json)
    if args.chunk_size is not None and not 1 <= args.chunk_size <= 1000:
        return _fail("--chunk-size must be between 1 and 1000", EXIT_USAGE, as_json)
    try:
        _check_encoding(args.file)
        bf = load_batch_file(args.file)
    except UsageProblem as exc:
        return _fail(str(exc), EXIT_USAGE, as_json)
    except BatchLoadError as exc:
        return _fail(str(exc), EXIT_USAGE, as_json)
    try:
        conn = load_connection(getattr(args, "config", None))
    except UsageProblem as exc:
        return _fail(str(exc), EXIT_USAGE, as_json)
    from camtui.store import Store

    store = Store.open(args.store or conn.store_path)
    try:
        return asyncio.run(_main(args, bf, conn, store))
    except KeyboardInterrupt:
        counts = store.batch_journal.counts(bf.fingerprint)
        _err(
            f"interrupted: {counts['sent']} sent so far, {counts['unknown']} outcome unknown; "
            "run the same command with --resume to continue (nothing is sent twice)"
        )
        return 130
    finally:
        store.close()


async def _main(args: argparse.Namespace, bf: Any, conn: Connection, store: Any) -> int:
    from camtui.compose.batch import RATE_KEY, BatchRefused, apply_batch, plan_batch
    from camtui.store import BatchBusyError

    as_json = bool(args.json)
    journal = store.batch_journal
    previous = journal.run(bf.fingerprint)
    counts = journal.counts(bf.fingerprint)
    started = previous is not None and previous.finished_at is None and any(counts.values())
    if started and not args.resume and not args.dry_run:
        return _fail(
            f"{bf.path} was already started ({counts['sent']} sent, {counts['failed']} failed, "
            f"{counts['unknown'] + counts['sending']} outcome unknown): use --resume to continue it "
            "(items already sent are skipped)",
            EXIT_USAGE,
            as_json,
        )
    try:
        client = open_client(conn)
    except UsageProblem as exc:
        return _fail(str(exc), EXIT_USAGE, as_json)
    async with client:
        users, note = await _directory(client, store)
        if note:
            _err(note)
        known_rooms = set(conn.chat_rooms) | set(store.directory.used_rooms())
        plan = plan_batch(
            bf,
            users=users,
            org_domains=store.directory.domains(),
            known_rooms=known_rooms,
            journal=journal,
            chunk_size=args.chunk_size or 200,
            force_unknown=args.force_unknown,
            skip_invalid=args.skip_invalid,
            allow_duplicates=args.allow_duplicates,
            items_per_second=store.ui_state.get(RATE_KEY),
        )
        if not as_json:
            for line in plan_lines(plan):
                print(line)
        if not plan.ok:
            if as_json:
                print_json({"ok": False, "plan": _plan_json(plan), "summary": None})
            _err(
                "nothing was sent: fix the errors above (or use --skip-invalid to send only the valid items)"
            )
            return EXIT_USAGE  # the file is wrong, the server was not asked: bad input
        if args.dry_run or not plan.to_send:
            if as_json:
                print_json(
                    {"ok": True, "dry_run": bool(args.dry_run), "plan": _plan_json(plan), "summary": None}
                )
            elif not plan.to_send:
                print("nothing to send")
            return EXIT_OK if args.dry_run or not plan.counts["unknown_before"] else EXIT_NETWORK
        show_progress = not as_json and sys.stderr.isatty()

        def progress(p: Any) -> None:
            if show_progress:
                print(
                    f"\r{p.done}/{p.total} sent {p.sent} failed {p.failed} unknown {p.unknown}",
                    end="",
                    file=sys.stderr,
                    flush=True,
                )

        try:
            summary = await apply_batch(
                client, store, plan, on_progress=progress, failed_path=args.failed_out
            )
        except BatchRefused as exc:  # pragma: no cover - plan.ok was checked
            return _fail(str(exc), EXIT_API, as_json)
        except BatchBusyError as exc:
            return _fail(str(exc), EXIT_USAGE, as_json)
        if show_progress:
            print(file=sys.stderr)
    if as_json:
        print_json({"ok": summary.ok, "plan": _plan_json(plan), "summary": _summary_json(summary)})
    else:
        for line in summary.lines():
            print(line)
    unconfirmed = store.batch_journal.counts(bf.fingerprint)["unknown"]
    if unconfirmed or (summary.stopped and _network_stop(summary.stopped)):
        return EXIT_NETWORK
    if summary.failed or summary.stopped:
        return EXIT_API
    return EXIT_OK


def _check_encoding(path: str) -> None:
    """The same "not UTF-8" wording (with the line) as `users update` and `chatroom`; the engine reads it again."""
    from pathlib import Path

    try:
        data = Path(path).read_bytes()
    except OSError:
        return  # the engine's loader says what is wrong with the path
    decode_utf8_input(data, path)


def refused_items(plan: Any) -> list[int]:
    """Items the plan would send but that its checks refused (errors): the run cannot start with them."""
    sending = set(plan.to_send)
    return sorted({p.index for p in plan.errors if p.index is not None and p.index in sending})


def headline(plan: Any) -> str:
    """`5 items in f.json: 1 to send, 4 refused (1 recipient), about 1 s`: refused items are not "to send"."""
    from pathlib import Path

    c = plan.counts
    refused = set(refused_items(plan))
    sendable = [i for i in plan.to_send if i not in refused]
    recipients = sum(len({u.lower() for u in plan.file.items[i].users}) for i in sendable)
    parts = [f"{len(sendable)} to send"]
    if refused:
        parts.append(f"{len(refused)} refused")
    else:
        parts[0] += f" in {_plural(c.get('chunks', len(plan.chunks)), 'request')}"
    tail = f"({_plural(recipients, 'recipient')})"
    if not refused:
        tail += f", about {_seconds(plan.estimate_seconds)}"
    return f"{_plural(c['items'], 'item')} in {Path(plan.file.path).name}: {', '.join(parts)} {tail}"


def plan_lines(plan: Any) -> list[str]:
    """The engine's plan text with this CLI's headline (the engine's first line counts refused items as
    "to send")."""
    return [headline(plan), *plan.lines()[1:]]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _seconds(seconds: float) -> str:
    if seconds < 1:
        return "1 s"
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def _network_stop(reason: str) -> bool:
    return reason.startswith("network error")


async def _directory(client: Any, store: Any) -> tuple[Any, str | None]:
    """The user list to check recipients against: a fresh export, else the cache, else None (not checked)."""
    from camtui.api import CAMAPIError, OutcomeUnknown, TransportError
    from camtui.compose.matcher import RecipientMatcher

    directory = store.directory
    if len(directory) and not directory.is_stale(DIRECTORY_MAX_AGE):
        return RecipientMatcher(directory.users()), None
    try:
        export = await client.export_users()
    except CAMAPIError as exc:
        if len(directory):
            return RecipientMatcher(
                directory.users()
            ), f"note: using the cached user list ({exc.code} {exc.meaning})"
        if exc.code == "800":
            return None, "note: recipients not checked: listing users needs an administrator token (800)"
        return None, f"note: recipients not checked: {exc}"
    except (TransportError, OutcomeUnknown) as exc:
        if len(directory):
            return RecipientMatcher(directory.users()), f"note: using the cached user list ({exc})"
        return None, f"note: recipients not checked: {exc}"
    directory.replace(export.users)
    return RecipientMatcher(export.users), None


def _plan_json(plan: Any) -> dict[str, Any]:
    return {
        "file": plan.file.path,
        "fingerprint": plan.file.fingerprint,
        "counts": {**plan.counts, "to_send": len(plan.to_send) - len(refused_items(plan))}
        | {"refused": len(refused_items(plan))},
        "estimate_seconds": round(plan.estimate_seconds, 1),
        "problems": [
            {
                "item": None if p.index is None else p.index + 1,
                "severity": p.severity,
                "code": p.code,
                "text": p.text,
            }
            for p in plan.problems
        ],
    }


def _summary_json(summary: Any) -> dict[str, Any]:
    return {
        "sent": summary.sent,
        "failed": summary.failed,
        "unknown": summary.unknown,
        "skipped": summary.skipped,
        "not_attempted": summary.not_attempted,
        "elapsed_seconds": round(summary.elapsed, 2),
        "stopped": summary.stopped,
        "failures": [{"item": i + 1, "reason": r} for i, r in summary.failures],
        "unknown_items": [i + 1 for i in summary.unknowns],
        "failed_file": str(summary.failed_path) if summary.failed_path else None,
    }


def _fail(message: str, code: int, as_json: bool) -> int:
    _err(message)
    if as_json:
        print_json({"ok": False, "error": message})
    return code


def _err(message: str) -> None:
    print(message, file=sys.stderr)
