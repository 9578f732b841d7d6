"""The administrator's user verbs: `camtui users export | update` (CSV files, checked before sending)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from camtui.cli.support import Connection, UsageProblem, decode_utf8_input
from camtui.cli.verb_io import Output, err, read_input

if TYPE_CHECKING:
    from camtui.api import CAMClient, User


async def users_export(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
    target = args.path
    if target != "-":
        path = Path(target).expanduser()
        if path.is_dir():
            raise UsageProblem(f"{target}: is a directory; give a file name")
        if not path.parent.exists():
            raise UsageProblem(f"{target}: folder {path.parent} does not exist")
    name = "exportUsers.csv" if target == "-" else Path(target).name
    raw = await client.export_users_csv(name)  # the bytes as sent, held once (100,000 people: ~10 MB)
    body = raw[3:] if raw.startswith(BOM) else raw
    count = _count_rows(raw)
    if target == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        err(f"exported {count} users")  # stdout holds only the CSV
        return Output(None, None)
    try:
        # With a BOM, as the server sends it: spreadsheet programs then read the Japanese correctly.
        with Path(target).expanduser().open("wb") as out:
            out.write(BOM)
            out.write(body)
    except OSError as exc:
        raise UsageProblem(f"{target}: cannot write: {exc.strerror or exc}") from None
    return Output(f"exported {count} users to {target}", {"path": target, "users": count})


BOM = b"\xef\xbb\xbf"


def _count_rows(raw: bytes) -> int:
    """People in the CSV (rows after the header, quoted line breaks respected), read a row at a time."""
    import csv
    import io

    reader = csv.reader(io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline=""))
    return max(0, sum(1 for row in reader if any(cell.strip() for cell in row)) - 1)


MAX_CSV_PROBLEMS = 50
"""`users update` lists at most this many problems of a CSV (then "… and N more")."""


def validate_users_csv(text: str, name: str) -> list[User]:
    """Check a users CSV before it is sent. Every problem is reported at once, one line each naming the CSV
    line (as `send-batch` does for its items), so one round of fixing is enough; UsageProblem if any."""
    import csv
    import io

    from camtui.api import User
    from camtui.api.wire import USERS_CSV_COLUMNS

    problems: list[str] = []

    def refuse() -> UsageProblem:
        shown = [f"{name}: {p}" for p in problems[:MAX_CSV_PROBLEMS]]
        if len(problems) > MAX_CSV_PROBLEMS:
            shown.append(f"{name}: … and {len(problems) - MAX_CSV_PROBLEMS} more")
        if len(problems) > 1:
            shown.append(f"{name}: {len(problems)} problems; nothing was sent")
        return UsageProblem("\n".join(shown))

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: {exc}")
        raise refuse() from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        problems.append("empty file; the first line must be the header (uid,email,...)")
        raise refuse()
    header = [h.strip().lower() for h in rows[0]]
    known = set(USERS_CSV_COLUMNS)
    for h in header:
        if h not in known:
            problems.append(f"line 1: unknown column {h!r} (columns: {', '.join(sorted(known))})")
    if "email" not in header:
        problems.append("line 1: the header has no 'email' column")
    users: list[User] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(f"line {number}: {len(row)} cells, the header has {len(header)}")
            continue
        cells = {h: c.strip() for h, c in zip(header, row, strict=True)}
        row_ok = True
        email = cells.get("email", "")
        if "email" in header:
            if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
                problems.append(f"line {number}: not an e-mail address: {email!r}")
                row_ok = False
            elif email.lower() in seen:
                problems.append(f"line {number}: {email} is also on line {seen[email.lower()]}")
                row_ok = False
            else:
                seen[email.lower()] = number
        admin = cells.get("admin", "false").lower() or "false"
        if admin not in ("true", "false"):
            problems.append(f"line {number}: admin must be true or false, got {cells['admin']!r}")
            row_ok = False
        if row_ok:
            users.append(
                User(
                    uid=cells.get("uid", ""),
                    email=email,
                    name=cells.get("name", ""),
                    romaji=cells.get("romaji", ""),
                    department=cells.get("department", ""),
                    position=cells.get("position", ""),
                    admin=admin == "true",
                )
            )
    if not problems and not users:
        problems.append("no user rows after the header")
    if problems:
        raise refuse()
    return users


async def users_update(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
    raw = read_input(args.csv)
    text = decode_utf8_input(raw, args.csv)
    rows = validate_users_csv(text, args.csv)
    if args.dry_run:
        import csv
        import io

        header = {h.strip().lower() for h in next(csv.reader(io.StringIO(text)))}
        existing = {u.email.lower(): u for u in (await client.export_users()).users}
        create = update = changed = 0
        for row in rows:
            old = existing.get(row.email.lower())
            if old is None:
                create += 1
                continue
            update += 1
            compared = [f for f in header if f != "email" and not (f == "uid" and not row.uid)]
            if any(getattr(row, f) != getattr(old, f) for f in compared):
                changed += 1
        return Output(
            f"{args.csv}: {len(rows)} rows OK; would create {create}, update {update} "
            f"({changed} with changes, {update - changed} identical) (dry run: nothing sent)",
            {"dryRun": True, "rows": len(rows), "create": create, "update": update, "changed": changed},
        )
    name = "updateUsers.csv" if args.csv == "-" else Path(args.csv).name
    result = await client.update_users_csv(raw, filename=name)
    return Output(
        f"created {result.created}, updated {result.updated}",
        {"created": result.created, "updated": result.updated},
    )
