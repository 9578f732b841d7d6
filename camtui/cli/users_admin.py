"""`camtui users diff FILE` and `camtui users update FILE`: the admin engine's plan on the command line.

`diff` sends nothing: it prints what would be created and changed (old → new) and every verdict; exit 0 when
there is no verdict, 2 when there is one. `update` prints the summary, asks (or takes `--yes`), writes the
rollback file before sending and prints its path, then re-exports and reports whether the directory matches."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from camtui.cli.support import EXIT_USAGE, UsageProblem, decode_utf8_input
from camtui.cli.verb_io import Output, err, read_input
from camtui.common.paths import expand_user

ME_HELP = (
    "your own address (default: [admin] me in the config): a row changing your own admin rights is refused; "
    "the API cannot say whose token this is"
)
MAX_CSV_PROBLEMS = 50
"""At most this many problems are listed (then "… and N more")."""


def register(users_sub: Any, common: argparse.ArgumentParser, verb: Callable[[Any], Any]) -> None:
    """Add `diff` and `update` under `camtui users`; `verb` wraps an action as scripting's other verbs are."""
    p = users_sub.add_parser(
        "diff",
        parents=[common],
        help="show what a users CSV would change (sends nothing)",
        description="Compares the CSV with a fresh export: rows to create, changes field by field, identical "
        "rows, and every problem by line and column. Exit 0: no problems; 2: problems. A Shift_JIS file is "
        "decoded (and said so).",
    )
    p.add_argument("csv", metavar="CSV", help="the CSV file ('-': stdin)")
    p.add_argument("--me", metavar="EMAIL", help=ME_HELP)
    p.set_defaults(func=verb(_diff))
    p = users_sub.add_parser(
        "update",
        parents=[common],
        help="create or update users from a CSV file (diff, confirm, rollback file, verify)",
        description="CSV columns (header row required): uid,email,name,romaji,department,position,admin. "
        "Before sending, a rollback CSV (the current values of every row that changes) is written next to the "
        "local database; upload it with `camtui users update` to undo.",
    )
    p.add_argument("csv", metavar="CSV", help="the CSV file ('-': stdin)")
    p.add_argument(
        "--dry-run", action="store_true", help="check the file and show what would change; change nothing"
    )
    p.add_argument("--yes", action="store_true", help="apply without asking (needed when not on a terminal)")
    p.add_argument("--me", metavar="EMAIL", help=ME_HELP)
    p.add_argument("--convert", action="store_true", help="accept a Shift_JIS / EUC-JP file (sent as UTF-8)")
    p.add_argument(
        "--rollback-dir", metavar="DIR", help="where the rollback file goes (default: the data dir)"
    )
    p.set_defaults(func=verb(_update))


def _read(path_text: str) -> bytes:
    return read_input(path_text)


def _err(text: str) -> None:
    err(text)


def _refuse(name: str, plan: Any) -> UsageProblem:
    problems = [v for v in plan.errors]
    shown = [f"{name}: line {v.line}: {v.reason}" for v in problems[:MAX_CSV_PROBLEMS]]
    if len(problems) > MAX_CSV_PROBLEMS:
        shown.append(f"{name}: … and {len(problems) - MAX_CSV_PROBLEMS} more")
    if len(problems) > 1:
        shown.append(f"{name}: {len(problems)} problems; nothing was sent")
    return UsageProblem("\n".join(shown))


def diff_lines(plan: Any) -> list[str]:
    """The human diff: the summary, then each create/change row with its fields, then the verdicts."""
    lines = [plan.summary()]
    for row in plan.rows:
        if row.kind == "create" and row.new is not None:
            u = row.new
            lines.append(f"+ line {row.line}: {u.email} (new) name={u.name!r} department={u.department!r}")
        elif row.kind == "change":
            fields = "; ".join(f"{c.field}: {c.old!r} → {c.new!r}" for c in row.changes)
            lines.append(f"~ line {row.line}: {row.email}: {fields}")
    for v in plan.verdicts:
        lines.append(f"! {v.severity} {v.text()}")
    unchecked = plan.own_admin_unchecked()
    if unchecked:
        lines.append(f"! {unchecked}")
    return lines


def _me(args: argparse.Namespace, conn: Any) -> str | None:
    return args.me or getattr(conn, "admin_me", None)


async def _diff(args: argparse.Namespace, client: Any, conn: Any) -> Any:
    from camtui.admin.csv_text import CsvEncodingError, decode_csv, preview_rows
    from camtui.admin.users_apply import plan_against_server

    try:
        decoded = decode_csv(_read(args.csv))
    except CsvEncodingError as exc:
        raise UsageProblem(f"{args.csv}: {exc}") from None
    if decoded.converted:
        _err(
            f"{args.csv}: read as {decoded.encoding} (the server takes UTF-8; `update --convert` sends it so)"
        )
        for row in preview_rows(decoded.text, 3):
            _err("  " + ",".join(row))
    plan = await plan_against_server(client, decoded.text, _me(args, conn))
    data = {"encoding": decoded.encoding, **plan.to_json()}
    return Output("\n".join(diff_lines(plan)), data, EXIT_USAGE if plan.verdicts else 0)


def _ask(question: str) -> bool:
    print(question + " [y/N] ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


async def _update(args: argparse.Namespace, client: Any, conn: Any) -> Any:
    from camtui.admin.csv_text import CsvEncodingError, decode_csv, preview_rows
    from camtui.admin.users_apply import SendFailed, apply_plan, data_dir_of, plan_against_server

    raw = _read(args.csv)
    if args.convert:
        try:
            decoded = decode_csv(raw)
        except CsvEncodingError as exc:
            raise UsageProblem(f"{args.csv}: {exc}") from None
        text = decoded.text
        if decoded.converted:
            _err(f"{args.csv}: converted from {decoded.encoding}; first rows:")
            for row in preview_rows(text, 3):
                _err("  " + ",".join(row))
    else:
        text = decode_utf8_input(raw, args.csv)
    plan = await plan_against_server(client, text, _me(args, conn))
    if plan.errors:
        raise _refuse(args.csv, plan)
    create, change, same = plan.count("create"), plan.count("change"), plan.count("same")
    if args.dry_run:
        rows = create + change + same
        return Output(
            f"{args.csv}: {rows} rows OK; would create {create}, update {change + same} "
            f"({change} with changes, {same} identical) (dry run: nothing sent)",
            {"dryRun": True, "rows": rows, "create": create, "update": change + same, "changed": change},
        )
    for v in plan.warnings:
        _err(f"{args.csv}: warning: {v.text()}")
    if plan.own_admin_unchecked():
        _err(f"{args.csv}: warning: {plan.own_admin_unchecked()}")
    if not plan.sendable:
        return Output(f"{args.csv}: nothing would change; nothing sent", {"created": 0, "updated": 0})
    question = f"{args.csv}: create {create}, change {change} ({same} identical). Apply?"
    if not args.yes:
        if args.csv == "-" or not sys.stdin.isatty():
            raise UsageProblem(f"{question[:-7]}; not on a terminal: give --yes to apply without asking")
        if not _ask(question):
            return Output("nothing sent", {"created": 0, "updated": 0, "sent": False})
    data_dir = expand_user(args.rollback_dir) if args.rollback_dir else data_dir_of(conn.store_path)
    name = "updateUsers.csv" if args.csv == "-" else Path(args.csv).name
    try:
        result = await apply_plan(
            client,
            plan,
            text.encode("utf-8"),
            data_dir,
            datetime.now(UTC),
            filename=name,
            progress=lambda step: _err(f"{args.csv}: {step}") if step.startswith("rollback") else None,
        )
    except SendFailed as exc:  # say where the rollback file is, then fail as the cause does (its exit code)
        _err(f"{args.csv}: {exc}")
        raise exc.__cause__ or exc from None
    lines = [f"{args.csv}: {plan.summary()}"]
    if result.rollback is not None:
        lines.append(
            f"rollback file: {result.rollback} (camtui users update {result.rollback} --yes undoes it)"
        )
    if create:
        lines.append(
            f"note: the {create} created users cannot be removed by a rollback (the API has no delete)"
        )
    lines.append(f"created {result.created}, updated {result.updated}")
    if result.mismatches:
        lines += [f"not as planned: {m.text()}" for m in result.mismatches]
    else:
        lines.append("verified: the directory matches the plan")
    data = {
        "created": result.created,
        "updated": result.updated,
        "rollback": str(result.rollback) if result.rollback else None,
        "verified": not result.mismatches,
        "mismatches": [m.text() for m in result.mismatches],
    }
    return Output("\n".join(lines), data, 1 if result.mismatches else 0)
