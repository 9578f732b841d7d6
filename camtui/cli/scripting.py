"""Scripting verbs: `camtui send | rooms | call create/stats | users export/update | chatroom`.

Each verb is a thin layer over `CAMClient`: human output by default, `--json` for scripts. Server and token
come from the config file or the environment, never from the command line (where `ps` would show the token).
Exit codes: 0 ok, 1 API error, 2 usage or bad input (nothing sent), 3 network failure or outcome unknown;
141 when stdout's reader went away (`camtui rooms | head -1`, handled in `camtui.cli.main`).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from camtui.cli import users_admin
from camtui.cli.support import (
    ENV_SERVER,
    ENV_TOKEN,
    EXIT_API,
    EXIT_NETWORK,
    EXIT_USAGE,
    Connection,
    UsageProblem,
    load_connection,
    open_client,
    print_json,
)
from camtui.cli.verb_io import Output, err, error_json
from camtui.cli.verbs_chatroom import chatroom, parse_chat_room_text
from camtui.cli.verbs_meetings import call_create, call_sid, call_stats, rooms, send
from camtui.cli.verbs_users import users_export

if TYPE_CHECKING:
    from camtui.api import CAMClient, RetryPolicy

__all__ = [
    "RETRY_POLICY",
    "Output",
    "call_sid",
    "parse_chat_room_text",
    "register",
    "run_verb",
]

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
    p.set_defaults(func=_verb(send))

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
    p.set_defaults(func=_verb(rooms))

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
    p.set_defaults(func=_verb(call_create))
    p = call_sub.add_parser("stats", parents=[common], help="participants and state of a web conference")
    p.add_argument(
        "sid", metavar="SID", help="the conference id (a quick call's sid), or its share URL …/share/{sid}"
    )
    p.set_defaults(func=_verb(call_stats))

    users = subparsers.add_parser("users", help="users (administrator token): export, diff, update")
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    p = users_sub.add_parser("export", parents=[common], help="download all users as CSV")
    p.add_argument("path", metavar="PATH", help="file to write ('-': stdout)")
    p.set_defaults(func=_verb(users_export))
    users_admin.register(users_sub, common, _verb)  # diff, update: the admin engine's plan

    p = subparsers.add_parser(
        "chatroom",
        parents=[common],
        help="create or update a chat room from a JSON file",
        description="The file holds the spec's chatRoom JSON (no id: a new room). A `chatRoom=` or "
        "`let chatRoom =` prefix, a trailing `;` and trailing commas are accepted.",
    )
    p.add_argument("file", metavar="FILE", help="the JSON file ('-': stdin)")
    p.set_defaults(func=_verb(chatroom))


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
            client = open_client(conn, retry=RETRY_POLICY, on_warning=lambda text: err(f"warning: {text}"))
            async with client:
                return await action(args, client, conn)

        output = asyncio.run(main())
    except UsageProblem as exc:
        for line in str(exc).splitlines():
            err(line)
        return EXIT_USAGE
    except CAMAPIError as exc:
        err(f"error {exc}")
        if exc.hint:
            err(f"hint: {exc.hint}")
        if as_json:
            print_json({"ok": False, "error": error_json(exc)})
        return EXIT_API
    except (TransportError, OutcomeUnknown) as exc:
        err(str(exc))
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
    return output.code
