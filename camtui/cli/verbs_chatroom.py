"""`camtui chatroom FILE`: a chat room from the spec's chatRoom JSON, pasted as people paste it."""

from __future__ import annotations

import argparse
import json
import re
from typing import TYPE_CHECKING, Any

from camtui.cli.support import Connection, UsageProblem, decode_utf8_input
from camtui.cli.verb_io import Output, read_input

if TYPE_CHECKING:
    from camtui.api import CAMClient


_JS_WRAPPER = re.compile(r"\A\ufeff?\s*(?:(?:let|const|var)\s+)?chatRoom\s*=\s*")
"""The spec's sample starts with `let chatRoom = {`; the form field style is `chatRoom={`."""


def parse_chat_room_text(text: str, name: str) -> Any:
    """The chatRoom JSON of a file as people paste it from the vendor page: a `chatRoom=` or
    `let/const/var chatRoom =` prefix, a trailing `;` and trailing commas are accepted. A JSON error becomes
    UsageProblem with the file's line and column (the prefix is blanked, not cut, so they stay true) and, for
    the usual slips, a hint."""
    from camtui.api import lenient_json
    from camtui.common import safe_json

    match = _JS_WRAPPER.match(text)
    if match:
        blank = re.sub(r"[^\n]", " ", match.group(0))
        text = blank + text[match.end() :]
    text = re.sub(r";(\s*)\Z", r" \1", text)
    try:
        return safe_json.loads(text, parse=lenient_json.loads)  # nesting, NaN, huge numbers: with the line
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


async def chatroom(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
    text = decode_utf8_input(read_input(args.file), args.file)
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
