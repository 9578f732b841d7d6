"""`camtui send-batch FILE [--dry-run] [--resume] [--json]`: the composer's batch engine from the shell.

Exit codes: 0 everything sent (or, with --dry-run, the plan is clean); 1 the server refused items or the run;
2 usage or bad input, nothing sent (bad file, items refused by the local checks, bad options, nothing configured,
a started run without --resume); 3 network failure, or items of this file whose outcome is unknown (they may or
may not have been delivered: never resent blindly; they are listed in FILE.unknown.json: check them, then send
that file with --force-unknown); 130 interrupted (^C: the request in flight was finished and journalled; a
second ^C aborts it, its items then outcome unknown).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from camtui.cli.batch_report import network_stop, plan_json, plan_lines, summary_json
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

EXIT_INTERRUPTED = 130
"""^C: 128 + SIGINT, as shells report it."""
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
        help="also resend items whose outcome is unknown (they may have been delivered already); given "
        "FILE.unknown.json (written after such a run, edited down to the items that did not arrive), resend "
        "just the items it lists",
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
    from camtui.compose.batch import (
        BatchLoadError,
        is_unknown_list,
        load_batch_file,
        original_path,
        unknown_list_problem,
    )

    as_json = bool(args.json)
    if args.chunk_size is not None and not 1 <= args.chunk_size <= 1000:
        return _fail("--chunk-size must be between 1 and 1000", EXIT_USAGE, as_json)
    listed = None
    try:
        _check_encoding(args.file)
        bf = load_batch_file(args.file)
        problem = unknown_list_problem(bf)
        if problem:
            raise UsageProblem(problem)
        if is_unknown_list(bf):  # FILE.unknown.json: a chosen subset of FILE's unknown items
            listed, source = bf, original_path(bf.path)
            assert source is not None
            if not args.force_unknown:
                raise UsageProblem(
                    f"{args.file} lists items of {source.name} whose outcome is unknown (they may have been "
                    "delivered): check each one, delete from the file the ones that arrived, then send the "
                    f"rest with: camtui send-batch {args.file} --force-unknown"
                )
            _check_encoding(str(source))
            bf = load_batch_file(source)
    except UsageProblem as exc:
        return _fail(str(exc), EXIT_USAGE, as_json)
    except BatchLoadError as exc:
        if listed is not None:
            return _fail(
                f"{args.file} lists items of another file, which cannot be read: {exc}", EXIT_USAGE, as_json
            )
        return _fail(str(exc), EXIT_USAGE, as_json)
    try:
        conn = load_connection(getattr(args, "config", None))
    except UsageProblem as exc:
        return _fail(str(exc), EXIT_USAGE, as_json)
    from camtui.compose.batch import StopRequest
    from camtui.store import Store, StoreError

    try:
        store = Store.open(args.store or conn.store_path)
    except StoreError as exc:  # not a database, a directory, a NUL in the path: the journal cannot be kept
        return _fail(f"{exc}; nothing was sent", EXIT_USAGE, as_json)
    stop = StopRequest()
    try:
        return asyncio.run(_main(args, bf, conn, store, stop, listed))
    except (KeyboardInterrupt, asyncio.CancelledError):
        counts = store.batch_journal.counts(bf.fingerprint)
        unknown = counts["unknown"] + counts["sending"]
        _err(
            f"interrupted: {counts['sent']} sent so far, {unknown} outcome unknown; "
            "run the same command with --resume to continue (nothing is sent twice)"
        )
        _note_unknown_file(bf, store, listed)
        return EXIT_INTERRUPTED
    finally:
        store.close()


async def _main(
    args: argparse.Namespace,
    bf: Any,
    conn: Connection,
    store: Any,
    stop: Any,
    listed: Any = None,
) -> int:
    from camtui.cli.batch_interrupt import InterruptGuard

    with InterruptGuard(stop, bound=conn.timeout, say=_say):
        return await _send(args, bf, conn, store, stop, listed)


async def _send(
    args: argparse.Namespace, bf: Any, conn: Connection, store: Any, stop: Any, listed: Any
) -> int:
    from camtui.compose.batch import (
        BatchRefused,
        apply_batch,
        known_rooms_for,
        match_unknown_subset,
        plan_batch,
        refused_rooms_for,
    )
    from camtui.compose.batch.plan import measured_rate
    from camtui.store import BatchBusyError

    as_json = bool(args.json)
    journal = store.batch_journal
    only = None
    if listed is not None:
        subset = match_unknown_subset(listed, bf, journal.outcomes(bf.fingerprint))
        if subset.problems:
            for problem in subset.problems:
                _err(f"{args.file}: {problem}")
            return _fail(
                f"{args.file}: nothing was sent: it no longer matches {bf.path}", EXIT_USAGE, as_json
            )
        for index, why in subset.settled:
            _err(f"{args.file}: index {index}: {why}: not sent")
        only = subset.chosen
    previous = journal.run(bf.fingerprint)
    counts = journal.counts(bf.fingerprint)
    started = previous is not None and previous.finished_at is None and any(counts.values())
    if started and not args.resume and not args.dry_run and listed is None:
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
        plan = plan_batch(
            bf,
            users=users,
            org_domains=store.directory.domains(),
            known_rooms=known_rooms_for(store, conn.chat_rooms),
            refused_rooms=refused_rooms_for(store),
            journal=journal,
            chunk_size=args.chunk_size or 200,
            force_unknown=args.force_unknown,
            skip_invalid=args.skip_invalid,
            allow_duplicates=args.allow_duplicates,
            items_per_second=measured_rate(store),
            only=only,
        )
        if not as_json:
            for line in plan_lines(plan):
                print(line)
        if not plan.ok:
            if as_json:
                print_json({"ok": False, "plan": plan_json(plan), "summary": None})
            _err(
                "nothing was sent: fix the errors above (or use --skip-invalid to send only the valid items)"
            )
            return EXIT_USAGE  # the file is wrong, the server was not asked: bad input
        if args.dry_run or not plan.to_send:
            if as_json:
                print_json(
                    {"ok": True, "dry_run": bool(args.dry_run), "plan": plan_json(plan), "summary": None}
                )
            elif not plan.to_send:
                print("nothing to send")
            if not args.dry_run:
                _note_unknown_file(bf, store, listed)
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
                client,
                store,
                plan,
                on_progress=progress,
                failed_path=args.failed_out,
                stop=stop,
                stop_reason=STOPPED_BY_CTRL_C,
            )
        except BatchRefused as exc:  # pragma: no cover - plan.ok was checked
            return _fail(str(exc), EXIT_API, as_json)
        except BatchBusyError as exc:
            return _fail(str(exc), EXIT_USAGE, as_json)
        if show_progress:
            print(file=sys.stderr)
    unknown_file = _note_unknown_file(bf, store, listed, quiet=True)
    if as_json:
        data = summary_json(summary) | {"unknown_file": str(unknown_file) if unknown_file else None}
        print_json({"ok": summary.ok, "plan": plan_json(plan), "summary": data})
    else:
        for line in summary.lines():
            print(line)
        if unknown_file is not None:
            print(_unknown_file_line(unknown_file))
    if stop.requested:
        return EXIT_INTERRUPTED
    outcomes = store.batch_journal.outcomes(bf.fingerprint)
    mine = set(only) if only is not None else set(outcomes)  # a chosen subset answers for its items only
    unconfirmed = sum(1 for i in mine if i in outcomes and outcomes[i].state in ("unknown", "sending"))
    if unconfirmed or (summary.stopped and network_stop(summary.stopped)):
        return EXIT_NETWORK
    if summary.failed or summary.stopped:
        return EXIT_API
    return EXIT_OK


STOPPED_BY_CTRL_C = "interrupted (^C): the request in flight was answered and journalled, no new one was sent"


def _note_unknown_file(bf: Any, store: Any, listed: Any, *, quiet: bool = False) -> Path | None:
    """Write FILE.unknown.json when the journal holds items of FILE whose outcome is unknown. Sending a subset
    (`listed`: the unknown-items file itself) rewrites that file only with its items still unknown."""
    from camtui.compose.batch import write_unknown_items

    outcomes = store.batch_journal.outcomes(bf.fingerprint)
    path = None
    if listed is not None:
        mine = {e.raw["index"] for e in listed.items}
        outcomes = {i: o for i, o in outcomes.items() if i in mine}
        path = listed.path
    try:
        written = write_unknown_items(bf, outcomes, path)
    except OSError as exc:
        _err(f"cannot write the unknown items beside {bf.path}: {exc.strerror or exc}")
        return None
    if written is not None and not quiet:
        _err(_unknown_file_line(written))
    return written


def _unknown_file_line(path: Path) -> str:
    return (
        f"outcome unknown items written to {path} (with their index): check them, delete the ones that "
        f"arrived, then: camtui send-batch {path} --force-unknown"
    )


def _say(text: str) -> None:
    """A line on stderr that does not share the line with the progress counter."""
    print(("\n" if sys.stderr.isatty() else "") + text, file=sys.stderr, flush=True)


def _check_encoding(path: str) -> None:
    """The same "not UTF-8" wording (with the line) as `users update` and `chatroom`; the engine reads it again."""
    from pathlib import Path

    try:
        data = Path(path).read_bytes()
    except OSError:
        return  # the engine's loader says what is wrong with the path
    decode_utf8_input(data, path)


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


def _fail(message: str, code: int, as_json: bool) -> int:
    _err(message)
    if as_json:
        print_json({"ok": False, "error": message})
    return code


def _err(message: str) -> None:
    print(message, file=sys.stderr)
