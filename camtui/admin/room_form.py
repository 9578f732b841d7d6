"""The chat room editor's decisions, without Textual: the form's values to and from the spec's chatRoom JSON
(pasted as the spec writes it, `let chatRoom = {…}`, or as JSON, with the line of a syntax error), members
typed as the composer's recipients (names / e-mails → uids), and 405 / 406 explained next to the right field."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_JS_WRAPPER = re.compile(r"\A\ufeff?\s*(?:(?:let|const|var)\s+)?chatRoom\s*=\s*")


class RoomTextError(ValueError):
    def __init__(self, line: int, column: int, detail: str) -> None:
        self.line = line
        self.column = column
        super().__init__(f"line {line}, column {column}: {detail}")


def parse_room_text(text: str) -> Mapping[str, Any]:
    """The chatRoom object of pasted text; the JS prefix is blanked (not cut) so error lines stay true."""
    from camtui.api import lenient_json
    from camtui.common import safe_json

    match = _JS_WRAPPER.match(text)
    if match:
        text = re.sub(r"[^\n]", " ", match.group(0)) + text[match.end() :]
    text = re.sub(r";(\s*)\Z", r" \1", text)
    try:
        value = safe_json.loads(text, parse=lenient_json.loads)
    except json.JSONDecodeError as exc:
        raise RoomTextError(exc.lineno, exc.colno, f"not valid JSON: {exc.msg}") from None
    if isinstance(value, Mapping) and isinstance(value.get("chatRoom"), Mapping):
        value = value["chatRoom"]
    if not isinstance(value, Mapping):
        raise RoomTextError(1, 1, "the text is not a chatRoom object ({…})")
    return value


@dataclass(slots=True)
class RoomForm:
    id: str = ""
    name: str = ""
    is_public: bool | None = False
    """None: unknown (a room named by id, never read): isPublic is not sent."""
    admin_user: str = ""
    """An e-mail (or a uid the directory does not know)."""
    members: str = ""
    """The composer's recipient text: e-mails / names, comma-separated."""
    create_user_id: str = ""
    """Kept from a loaded room (the server refuses a change: 406)."""
    members_known: bool = True
    """False for a room named by id: its members are unknown, so an empty field sends no memberUids."""
    problems: dict[str, str] = field(default_factory=dict)
    """Field → what is wrong with it, shown next to the field."""


def form_from_wire(room: Mapping[str, Any], email_of: Mapping[str, str]) -> RoomForm:
    """A loaded / pasted chatRoom; uids shown as the directory's e-mails where known."""
    members = room.get("memberUids") or {}
    uids = [k for k, v in members.items() if v] if isinstance(members, Mapping) else [str(m) for m in members]
    return RoomForm(
        id=str(room.get("id") or ""),
        name=str(room.get("name") or ""),
        is_public=bool(room.get("isPublic", False)),
        admin_user=email_of.get(str(room.get("adminUserId") or ""), str(room.get("adminUserId") or "")),
        members=", ".join(email_of.get(u, u) for u in uids),
        create_user_id=str(room.get("createUserId") or ""),
    )


def contents_unknown(room: Any) -> bool:
    """A room kept by its id only (the store's `remember_id`): the server never told camtui its contents
    (every room the server answered for has a name and a creator)."""
    return not room.name and not room.create_user_id


def form_from_room(room: Any, email_of: Mapping[str, str]) -> RoomForm:
    """A recorded `camtui.api.ChatRoom`."""
    if contents_unknown(room):
        return RoomForm(id=room.id, is_public=None, members_known=False)
    return form_from_wire(
        {
            "id": room.id,
            "name": room.name,
            "isPublic": room.is_public,
            "adminUserId": room.admin_user_id,
            "memberUids": list(room.member_uids),
            "createUserId": room.create_user_id,
        },
        email_of,
    )


def members_to_uids(text: str, matcher: Any) -> tuple[list[str], list[str]]:
    """The uids of the typed members (resolved as the composer resolves recipients) and the entries that are
    not one known user (unknown, ambiguous, invalid). A bare uid the directory has is taken as it is."""
    uids: list[str] = []
    problems: list[str] = []
    for entry in matcher.resolve(text):
        user = entry.user
        if entry.status == "resolved" and user is not None and getattr(user, "uid", ""):
            if user.uid not in uids:
                uids.append(user.uid)
        else:
            problems.append(f"{entry.token} ({entry.status})")
    return uids, problems


def room_wire(form: RoomForm, matcher: Any) -> dict[str, Any]:
    """The chatRoom JSON to send; fills `form.problems` (and returns {}) when a field cannot be sent."""
    form.problems = {}
    if not form.id and not form.name.strip():
        form.problems["name"] = "a new chat room needs a name"
    uids, bad = members_to_uids(form.members, matcher)
    if bad:
        form.problems["members"] = "not one known user: " + ", ".join(bad[:5])
    admin_uid = ""
    if form.admin_user.strip():
        admin, bad_admin = members_to_uids(form.admin_user, matcher)
        if bad_admin or len(admin) != 1:
            form.problems["admin"] = "the admin must be one known user"
        else:
            admin_uid = admin[0]
    if not form.id and not uids and not admin_uid:
        form.problems["members"] = "a new chat room needs members (or an admin)"
    if form.problems:
        return {}
    wire: dict[str, Any] = {}
    if form.id:
        wire["id"] = form.id
    if form.name.strip():
        wire["name"] = form.name.strip()
    if form.is_public is not None:
        wire["isPublic"] = form.is_public
    if admin_uid:
        wire["adminUserId"] = admin_uid
    if form.create_user_id:
        wire["createUserId"] = form.create_user_id
    if uids or (form.id and form.members_known):
        wire["memberUids"] = {u: True for u in uids}
    if list(wire) == ["id"]:
        form.problems["name"] = "nothing to send: fill in what should change (name, public, admin, members)"
        return {}
    return wire


_FIELD = {
    "id": "id",
    "name": "name",
    "createUserId": "admin",
    "adminUserId": "admin",
    "memberUids": "members",
}


def explain_error(code: str, server_field: str | None, message: str) -> tuple[str, str]:
    """(form field, sentence) for an updateChatRoom error, to show next to the field it concerns."""
    if code == "405":
        return "id", "405: no chat room has this id. Check the id, or clear it to create a new room."
    if code == "406":
        if server_field == "createUserId":
            return "admin", "406: the creator of a room cannot be changed."
        if server_field == "memberUids":
            return "members", "406: a room must keep at least one member; this removes the last one."
        return "name", f"406: the name cannot be used (another room has it, or it is reserved): {message}"
    return _FIELD.get(server_field or "", "name"), f"{code}: {message}"


def email_index(users: Iterable[Any]) -> dict[str, str]:
    return {u.uid: u.email for u in users if getattr(u, "uid", "")}
