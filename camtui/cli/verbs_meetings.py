"""The messaging and meeting verbs: `camtui send`, `camtui rooms`, `camtui call create | stats`."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from camtui.cli.support import Connection, UsageProblem, check_argument_text, decode_utf8_input
from camtui.cli.verb_io import Output, err

if TYPE_CHECKING:
    from camtui.api import CAMClient, ConferenceRoom


async def send(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
    text = args.message
    if text is None or text == "-":
        if text is None and sys.stdin.isatty():
            raise UsageProblem("no message: give MESSAGE or pipe it on stdin")
        text = decode_utf8_input(sys.stdin.buffer.read(), "stdin")  # not UTF-8: one line, exit 2, never sent
        if text.endswith("\n"):
            text = text[:-1]
    if not text.strip():
        raise UsageProblem("the message is empty")
    check_argument_text(args.to, "TO")
    check_argument_text(text, "MESSAGE")
    users = [u.strip() for group in args.users for u in group.split(",") if u.strip()]
    for user in users:
        check_argument_text(user, "-u")
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


async def rooms(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
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


async def call_create(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
    from camtui.common.timeparse import parse_when

    now = datetime.now(UTC)
    try:
        expires = parse_when(args.expires, now, conn.time_zone)
    except ValueError as exc:
        raise UsageProblem(f"--expires: {exc}") from None
    if expires <= now:
        raise UsageProblem(f"--expires: {args.expires!r} is in the past")
    check_argument_text(args.title, "--title")
    check_argument_text(args.password, "--password")
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
            err(f"note: the URL is on {host}; asking the configured server {server} about call {sid}")
    return sid


async def call_stats(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
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
