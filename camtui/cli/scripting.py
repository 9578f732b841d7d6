"""Scripting verbs: `camtui send | rooms | call create/stats | users export/update | chatroom`.

Each verb is a thin layer over `CAMClient`: human output by default, `--json` for scripts. Server and token
come from the config file or the environment, never from the command line (where `ps` would show the token).
Exit codes: 0 ok, 1 API error, 2 usage or bad input (nothing sent), 3 network failure or outcome unknown;
141 when stdout's reader went away (`camtui rooms | head -1`, handled in `camtui.cli.main`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from camtui.api import CAMClient, ConferenceRoom, RetryPolicy, User

RETRY_POLICY: RetryPolicy | None = None
"""A `RetryPolicy` for every verb's client; None: the client's default (tests set a fast one)."""


# ------------------------------------------------------------------------------------------ registration


def register(subparsers: Any) -> None:
    """Add the verbs to `camtui`'s subcommand parser (cheap: the client is imported when a verb runs)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")
    env_note = f"Server and token: config file, or ${ENV_SERVER} / ${ENV_TOKEN}."

    p = subparsers.add_parser(
        "send",
        parents=[common],
        help="send one message to people (messenger) or to a chat room",
        description=f"Send a message (the API's sendMessage). {env_note}",
        epilog='examples:\n  camtui send messenger "Backup done" -u user1@xxx.com,user2@xxx.com\n'
        "  echo 'Deploy finished' | camtui send ルーム名 -u user1@xxx.com --seal",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("to", metavar="TO", help='"messenger" for direct messages, or a chat room name')
    p.add_argument("message", nargs="?", metavar="MESSAGE", help="the text; '-' or omitted: read stdin")
    p.add_argument(
        "-u",
        "--users",
        action="append",
        default=[],
        metavar="EMAILS",
        help="recipients (messenger) or people to mention (chat room); repeat or separate with commas",
    )
    p.add_argument("--seal", action="store_true", help="send sealed (with opening confirmation)")
    p.set_defaults(func=_verb(_send))

    p = subparsers.add_parser(
        "rooms",
        parents=[common],
        help="meeting rooms and their reservations for a day or a month",
        description=f"Reservations per meeting room (getConferenceRoomStatus). {env_note}",
    )
    p.add_argument(
        "date",
        nargs="?",
        default="today",
        metavar="DATE",
        help="today (default), tomorrow, +2, fri, 12/3, 2026-12-03, or a month: 2026-12",
    )
    p.set_defaults(func=_verb(_rooms))

    call = subparsers.add_parser("call", help="quick web conferences: create, stats")
    call_sub = call.add_subparsers(dest="call_command", metavar="ACTION", required=True)
    p = call_sub.add_parser(
        "create",
        parents=[common],
        help="create a quick web conference URL",
        description=f"Create a quick web conference (createQuickCall). {env_note}",
    )
    p.add_argument("--title", default="", help="title shown in the conference screen")
    p.add_argument("--password", default="", help="conference password (blank: no password)")
    p.add_argument(
        "--expires",
        default="in 1 hour",
        metavar="WHEN",
        help='expiry: "in 2 hours", "90m", "18:00", "tomorrow 9:00" or ISO 8601 (default: in 1 hour)',
    )
    p.set_defaults(func=_verb(_call_create))
    p = call_sub.add_parser("stats", parents=[common], help="participants and state of a web conference")
    p.add_argument(
        "sid", metavar="SID", help="the conference id (a quick call's sid), or its share URL …/share/{sid}"
    )
    p.set_defaults(func=_verb(_call_stats))

    users = subparsers.add_parser("users", help="users (administrator token): export, update")
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    p = users_sub.add_parser("export", parents=[common], help="download all users as CSV")
    p.add_argument("path", metavar="PATH", help="file to write ('-': stdout)")
    p.set_defaults(func=_verb(_users_export))
    p = users_sub.add_parser(
        "update",
        parents=[common],
        help="create or update users from a CSV file",
        description="CSV columns (header row required): uid,email,name,romaji,department,position,admin",
    )
    p.add_argument("csv", metavar="CSV", help="the CSV file ('-': stdin)")
    p.add_argument(
        "--dry-run", action="store_true", help="check the file and show what would change; change nothing"
    )
    p.set_defaults(func=_verb(_users_update))

    p = subparsers.add_parser(
        "chatroom",
        parents=[common],
        help="create or update a chat room from a JSON file",
        description="The file holds the spec's chatRoom JSON (no id: a new room). A `chatRoom=` or "
        "`let chatRoom =` prefix, a trailing `;` and trailing commas are accepted.",
    )
    p.add_argument("file", metavar="FILE", help="the JSON file ('-': stdin)")
    p.set_defaults(func=_verb(_chatroom))


# ----------------------------------------------------------------------------------------- the runner

Action = Callable[[argparse.Namespace, "CAMClient", Connection], Awaitable[Any]]


def _verb(action: Action) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        return run_verb(args, action)

    return run


def run_verb(args: argparse.Namespace, action: Action) -> int:
    """Load the connection, run `action` with a client, and map every failure to one line + an exit code."""
    from camtui.api import CAMAPIError, OutcomeUnknown, TransportError

    as_json = bool(getattr(args, "json", False))
    try:
        conn = load_connection(getattr(args, "config", None))

        async def main() -> Any:
            client = open_client(conn, retry=RETRY_POLICY, on_warning=lambda text: _err(f"warning: {text}"))
            async with client:
                return await action(args, client, conn)

        output = asyncio.run(main())
    except UsageProblem as exc:
        for line in str(exc).splitlines():
            _err(line)
        return EXIT_USAGE
    except CAMAPIError as exc:
        _err(f"error {exc}")
        if exc.hint:
            _err(f"hint: {exc.hint}")
        if as_json:
            print_json({"ok": False, "error": _error_json(exc)})
        return EXIT_API
    except (TransportError, OutcomeUnknown) as exc:
        _err(str(exc))
        if as_json:
            kind = "outcome_unknown" if isinstance(exc, OutcomeUnknown) else "network"
            print_json({"ok": False, "error": {"kind": kind, "detail": str(exc)}})
        return EXIT_NETWORK
    if output.text is None:
        pass  # the verb wrote its own stdout (a CSV on `-`)
    elif as_json:
        print_json(output.data)
    else:
        print(output.text)
    return EXIT_OK


@dataclass(frozen=True, slots=True)
class Output:
    """What a verb prints: `text` for people, `data` for `--json`."""

    text: str | None
    data: Any


# ------------------------------------------------------------------------------------------- the verbs


async def _send(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
    text = args.message
    if text is None or text == "-":
        if text is None and sys.stdin.isatty():
            raise UsageProblem("no message: give MESSAGE or pipe it on stdin")
        text = sys.stdin.read()
        if text.endswith("\n"):
            text = text[:-1]
    if not text.strip():
        raise UsageProblem("the message is empty")
    users = [u.strip() for group in args.users for u in group.split(",") if u.strip()]
    bad = [u for u in users if "@" not in u]
    if bad:
        raise UsageProblem(f"not an e-mail address: {bad[0]!r} (users are given by e-mail)")
    if args.to == "messenger" and not users:
        raise UsageProblem("messenger needs at least one recipient: -u user@example.com")
    result = await client.send_message(args.to, text, seal=args.seal, users=users)
    who = ", ".join(result.recipients) or "(no one listed)"
    return Output(
        f"sent {result.message_id} to {result.panel_name}: {who}",
        {
            "messageId": result.message_id,
            "panelName": result.panel_name,
            "recipients": list(result.recipients),
        },
    )


def _period(text: str, conn: Connection) -> tuple[str, date | None]:
    """DATE argument → (`yyyyMMdd` or `yyyyMM`, the day or None for a month)."""
    import re

    from camtui.common.timeparse import parse_day

    stripped = text.strip()
    m = re.fullmatch(r"(\d{4})[-/]?(\d{2})", stripped)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}{m.group(2)}", None
    try:
        day = parse_day(stripped, _today(conn))
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None
    return day.strftime("%Y%m%d"), day


def _today(conn: Connection) -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(UTC).astimezone(ZoneInfo(conn.time_zone)).date()


async def _rooms(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
    from zoneinfo import ZoneInfo

    period, day = _period(args.date, conn)
    status = await client.get_conference_room_status(period)
    zone = ZoneInfo(conn.time_zone)
    lines = [f"{len(status.rooms)} rooms, {_period_label(period)} ({conn.time_zone})"]
    for room in status.rooms:
        lines.append("")
        lines.append(_room_heading(room))
        reservations = sorted(room.reservations, key=lambda r: (r.start, r.end))
        if not reservations:
            lines.append("  free" + (" all day" if day else " all month"))
        for r in reservations:
            start, end = r.start.astimezone(zone), r.end.astimezone(zone)
            span = f"{start:%H:%M}-{end:%H:%M}" if day else f"{start:%m/%d %H:%M}-{end:%H:%M}"
            who = f"  ({r.organizer_name})" if r.organizer_name else ""
            lines.append(f"  {span}  {r.title or '(no title)'}{who}")
    data = {
        "period": status.period or period,
        "timeZone": status.time_zone or conn.time_zone,
        "rooms": [_room_json(room) for room in status.rooms],
    }
    return Output("\n".join(lines), data)


def _period_label(period: str) -> str:
    if len(period) == 8:
        return f"{period[:4]}-{period[4:6]}-{period[6:]}"
    return f"{period[:4]}-{period[4:]}"


def _room_heading(room: ConferenceRoom) -> str:
    details = [room.id]
    if room.capacity is not None:
        details.append(f"{room.capacity} seats")
    if room.location:
        details.append(room.location)
    return f"{room.name} ({', '.join(details)})"


def _room_json(room: ConferenceRoom) -> dict[str, Any]:
    return {
        "id": room.id,
        "name": room.name,
        "capacity": room.capacity,
        "location": room.location,
        "floor": room.floor,
        "reservations": [
            {
                "id": r.id,
                "title": r.title,
                "start": r.start.isoformat(),
                "end": r.end.isoformat(),
                "organizerName": r.organizer_name,
                "organizerEmail": r.organizer_email,
            }
            for r in sorted(room.reservations, key=lambda r: (r.start, r.end))
        ],
    }


async def _call_create(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
    from camtui.common.timeparse import parse_when

    now = datetime.now(UTC)
    try:
        expires = parse_when(args.expires, now, conn.time_zone)
    except ValueError as exc:
        raise UsageProblem(f"--expires: {exc}") from None
    if expires <= now:
        raise UsageProblem(f"--expires: {args.expires!r} is in the past")
    call = await client.create_quick_call(expires, password=args.password, title=args.title)
    local = call.expired_date.astimezone(expires.tzinfo)
    text = "\n".join(
        [
            f"quick call {call.sid}",
            f"  url:            {call.url}",
            f"  presenter pass: {call.presenter_pass or '-'}",
            f"  title:          {call.title or '-'}",
            f"  password:       {'set' if call.password else 'none'}",
            f"  expires:        {local:%Y-%m-%d %H:%M} ({conn.time_zone})",
        ]
    )
    data = {
        "sid": call.sid,
        "url": call.url,
        "presenterPass": call.presenter_pass,
        "title": call.title,
        "password": call.password,
        "expiredDate": call.expired_date.isoformat(),
        "expiredDateMs": int(call.expired_date.timestamp() * 1000),
    }
    return Output(text, data)


def call_sid(text: str, conn: Connection) -> str:
    """SID or share URL (`…/share/{sid}`, query allowed) → SID, with the dashboard's rules (its Add box);
    UsageProblem for an empty or malformed one, before anything is sent. A URL on another host than the
    configured server gets a note: the stats come from the configured server."""
    from urllib.parse import urlsplit

    from camtui.tui.calls.model import parse_call_ref

    if not text.strip():
        raise UsageProblem("empty SID: give the call's ID or its share URL (…/share/{sid})")
    try:
        sid, share = parse_call_ref(text)
    except ValueError as exc:
        raise UsageProblem(f"SID: {exc}") from None
    if share:
        host, server = urlsplit(share).netloc.lower(), urlsplit(conn.server_url).netloc.lower()
        if host != server:
            _err(f"note: the URL is on {host}; asking the configured server {server} about call {sid}")
    return sid


async def _call_stats(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(conn.time_zone)
    sid = call_sid(args.sid, conn)
    stats = await client.get_call_stats(sid)

    def fmt(moment: datetime | None) -> str:
        return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}" if moment else "-"

    state = "in progress" if stats.in_progress else "not in progress"
    text = "\n".join(
        [
            f"call {stats.room_name}: {state}, {stats.participants} participant(s)",
            f"  title:   {stats.title or '-'}",
            f"  created: {fmt(stats.creation_date)}",
            f"  expires: {fmt(stats.expired_date)} ({conn.time_zone})",
        ]
    )
    data = {
        "roomName": stats.room_name,
        "title": stats.title,
        "creationDate": stats.creation_date.isoformat() if stats.creation_date else None,
        "expiredDate": stats.expired_date.isoformat() if stats.expired_date else None,
        "participants": stats.participants,
        "inProgress": stats.in_progress,
    }
    return Output(text, data)


async def _users_export(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
    target = args.path
    if target != "-":
        path = Path(target).expanduser()
        if path.is_dir():
            raise UsageProblem(f"{target}: is a directory; give a file name")
        if not path.parent.exists():
            raise UsageProblem(f"{target}: folder {path.parent} does not exist")
    name = "exportUsers.csv" if target == "-" else Path(target).name
    export = await client.export_users(name)
    if target == "-":
        sys.stdout.write(export.csv_text)
        sys.stdout.flush()
        _err(f"exported {len(export.users)} users")  # stdout holds only the CSV
        return Output(None, None)
    try:
        # With a BOM, as the server sends it: spreadsheet programs then read the Japanese correctly.
        Path(target).expanduser().write_text(export.csv_text, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise UsageProblem(f"{target}: cannot write: {exc.strerror or exc}") from None
    return Output(
        f"exported {len(export.users)} users to {target}", {"path": target, "users": len(export.users)}
    )


def _read_input(path_text: str) -> bytes:
    if path_text == "-":
        return sys.stdin.buffer.read()
    path = Path(path_text).expanduser()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UsageProblem(f"{path_text}: no such file") from None
    except IsADirectoryError:
        raise UsageProblem(f"{path_text}: is a directory") from None
    except OSError as exc:
        raise UsageProblem(f"{path_text}: cannot read: {exc.strerror or exc}") from None


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


async def _users_update(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
    raw = _read_input(args.csv)
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


_JS_WRAPPER = re.compile(r"\A\ufeff?\s*(?:(?:let|const|var)\s+)?chatRoom\s*=\s*")
"""The spec's sample starts with `let chatRoom = {`; the form field style is `chatRoom={`."""


def parse_chat_room_text(text: str, name: str) -> Any:
    """The chatRoom JSON of a file as people paste it from the vendor page: a `chatRoom=` or
    `let/const/var chatRoom =` prefix, a trailing `;` and trailing commas are accepted. A JSON error becomes
    UsageProblem with the file's line and column (the prefix is blanked, not cut, so they stay true) and, for
    the usual slips, a hint."""
    from camtui.api.lenient_json import loads

    match = _JS_WRAPPER.match(text)
    if match:
        blank = re.sub(r"[^\n]", " ", match.group(0))
        text = blank + text[match.end() :]
    text = re.sub(r";(\s*)\Z", r" \1", text)
    try:
        return loads(text)
    except json.JSONDecodeError as exc:
        lines = [f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]
        hint = _json_hint(exc)
        if hint:
            lines.append(f"hint: {hint}")
        raise UsageProblem("\n".join(lines)) from None


def _json_hint(exc: json.JSONDecodeError) -> str | None:
    """What the usual JSON slip at `exc` is, in words (None when there is nothing better than the error)."""
    doc, pos = exc.doc, exc.pos
    rest = doc[pos:].strip()
    if not rest:
        return "the file ends before the object is closed: a } or ] is missing"
    if exc.msg == "Expecting ',' delimiter":
        before = doc[:pos].rstrip()
        if "\n" in doc[len(before) : pos]:  # the next item starts a line: the comma belongs to the line above
            number = before.count("\n") + 1
            last = before.rsplit("\n", 1)[-1].strip()
            return f"a comma is missing at the end of line {number}: {_clip(last)}"
        return f"a comma is missing before column {exc.colno} of line {exc.lineno}"
    if exc.msg == "Extra data":
        return (
            f"the chatRoom object ends before line {exc.lineno}; remove what follows it "
            f"({_clip(rest.splitlines()[0])}): the file holds only the object"
        )
    if exc.msg.startswith("Expecting property name") and rest.startswith("'"):
        return 'JSON needs double quotes around names and strings ("name": "..."), not single quotes'
    if exc.msg == "Expecting value" and not doc[:pos].strip():
        return (
            'the file must hold the chatRoom object, e.g. {"name": "設計レビュー", ...} '
            "(a `chatRoom=` or `let chatRoom =` prefix is fine)"
        )
    return None


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


async def _chatroom(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
    text = decode_utf8_input(_read_input(args.file), args.file)
    room = parse_chat_room_text(text, args.file)
    if not isinstance(room, dict):
        raise UsageProblem(f"{args.file}: expected a JSON object (the chatRoom), got {type(room).__name__}")
    if not str(room.get("name") or "").strip():
        raise UsageProblem(f'{args.file}: the chat room needs a "name"')
    members = room.get("memberUids")
    if members is not None and not isinstance(members, dict | list):
        raise UsageProblem(f'{args.file}: "memberUids" must be an object {{uid: true}} or a list of uids')
    saved = await client.update_chat_room(room)
    verb = "updated" if room.get("id") else "created"
    return Output(
        f"{verb} chat room {saved.id} {saved.name!r} ({len(saved.member_uids)} members)",
        saved.to_wire(),
    )


# ------------------------------------------------------------------------------------------------ output


def _err(text: str) -> None:
    print(f"camtui: {text}", file=sys.stderr)


def _error_json(exc: Any) -> dict[str, Any]:
    return {
        "kind": "api",
        "code": exc.code,
        "meaning": exc.meaning,
        "message": exc.message,
        "httpStatus": exc.http_status,
        "index": exc.index,
        "line": exc.line,
    }
