"""The composer's send verdict: what blocks a send, what needs a confirmation, and the request that would leave.

The composer pane used to decide this itself, between calls into the engine. Here it is one pure function over
what the user typed, how each recipient resolved and what is known about chat rooms, so every verdict is testable
without a screen; the pane only shows the verdict (a notice, a confirmation dialog) and acts on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from camtui.api.models import MESSENGER
from camtui.compose.matcher import RecipientEntry

BLOCKING = frozenset({"ambiguous", "invalid"})
"""Entries that stop a send: we do not know which address they mean."""

DestinationStatus = Literal["messenger", "known", "confirmed", "unknown", "refused"]
BlockCode = Literal["empty", "unresolved", "no_recipients"]


def is_messenger(send: str) -> bool:
    """An empty destination or `messenger` (any case): a direct message to people, not a chat room."""
    return not send.strip() or send.strip().casefold() == MESSENGER


def known_rooms(
    used: Iterable[str] = (), configured: Iterable[str] = (), recorded: Iterable[str] = ()
) -> set[str]:
    """The chat rooms known to exist: reached by a send from here (`used`), configured (`chat_rooms`), or recorded
    by the admin screen (`recorded`: `store.chat_rooms.names()`). The API has no
    list of rooms, so a name outside this set is not known either way."""
    return {r.strip() for src in (used, configured, recorded) for r in src if r and r.strip()}


def refused_rooms(entries: Iterable[object]) -> set[str]:
    """Rooms the server answered 405 (no such room) for: outbox entries that failed with that code."""
    return {
        str(getattr(e, "send", "")).strip()
        for e in entries
        if getattr(e, "code", None) == "405" and getattr(e, "state", "failed") == "failed"
    }


def destination_status(
    send: str, known: Iterable[str], confirmed: Iterable[str], refused: Iterable[str] = ()
) -> DestinationStatus:
    """How the typed destination reads: "messenger"; "refused" (the server answered 405 for it: the one case we
    know a room does not exist); "known" (used before, configured or recorded); "confirmed" (the user said to send
    there anyway this session); "unknown" (not used from here before: it may well exist, we cannot tell)."""
    if is_messenger(send):
        return "messenger"
    name = send.strip()
    if name in set(refused):
        return "refused"
    if name in set(known):
        return "known"
    return "confirmed" if name in set(confirmed) else "unknown"


def send_list(entries: Sequence[RecipientEntry]) -> list[str]:
    """The addresses to send to: each resolved / unknown / unchecked entry once, in typed order."""
    out: list[str] = []
    seen: set[str] = set()
    for e in entries:
        if e.email and e.status not in BLOCKING and e.email.lower() not in seen:
            seen.add(e.email.lower())
            out.append(e.email)
    return out


@dataclass(frozen=True, slots=True)
class SendRequest:
    """What goes into the outbox when the send goes ahead: the destination as the wire wants it."""

    send: str
    """`messenger` or the chat room's name (stripped)."""
    text: str
    seal: bool
    users: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Block:
    """One reason the send cannot go ahead; `focus` names the field the user fixes it in ("" = stay)."""

    code: BlockCode
    message: str
    severity: Literal["warning", "error"]
    focus: Literal["", "recipients"] = ""


@dataclass(frozen=True, slots=True)
class SendPlan:
    """The verdict: blocked (the reasons, first one shown), or a request that goes ahead, perhaps after the
    user confirms the warnings."""

    request: SendRequest
    blocks: tuple[Block, ...] = ()
    warnings: tuple[str, ...] = ()
    unknown_room: str = ""
    """A chat room not known here (or refused before): a yes in the dialog confirms it for the session."""
    entries: tuple[RecipientEntry, ...] = field(default=())

    @property
    def blocked(self) -> bool:
        return bool(self.blocks)

    @property
    def needs_confirmation(self) -> bool:
        return not self.blocks and bool(self.warnings)

    @property
    def where(self) -> str:
        """The destination as the dialog names it."""
        return MESSENGER if self.request.send == MESSENGER else f"chat room {self.request.send}"

    @property
    def confirm_title(self) -> str:
        return f"Send to {self.where}?"

    @property
    def confirm_body(self) -> str:
        return "\n".join(f"• {w}" for w in self.warnings)


def recipient_warnings(
    text: str,
    users: Sequence[str],
    entries: Sequence[RecipientEntry],
    *,
    confirm_recipients: int = 20,
    confirm_chars: int = 2000,
) -> list[str]:
    """What a user should look at before this goes: addresses the directory does not know (→ 452 likely), many
    recipients, a long text."""
    reasons: list[str] = []
    unknown = [e for e in entries if e.status == "unknown"]
    if unknown:
        shown = ", ".join(f"{e.token} ({e.predicted_code or '452'})" for e in unknown[:4])
        more = f" and {len(unknown) - 4} more" if len(unknown) > 4 else ""
        reasons.append(
            f"{len(unknown)} recipient(s) are not in the directory; the server will likely refuse: {shown}{more}"
        )
    if len(users) > confirm_recipients:
        reasons.append(f"{len(users)} recipients (more than {confirm_recipients})")
    if len(text) > confirm_chars:
        reasons.append(f"a long message: {len(text)} characters (more than {confirm_chars})")
    return reasons


def plan_send(
    send: str,
    text: str,
    seal: bool,
    entries: Sequence[RecipientEntry],
    *,
    known_rooms: Iterable[str] = (),
    confirmed_rooms: Iterable[str] = (),
    refused_rooms: Iterable[str] = (),
    confirm_recipients: int = 20,
    confirm_chars: int = 2000,
) -> SendPlan:
    """The verdict for one send from the form. Blocks, in the order the user meets them: an empty text, entries
    that name nobody for sure (ambiguous / not found), a messenger message without recipients. Warnings (a
    confirmation): a chat room not used from here before (405 only if it does not exist), one the server already
    refused (405), unknown recipients, many recipients, a long text."""
    messenger = is_messenger(send)
    room = "" if messenger else send.strip()
    users = send_list(entries)
    request = SendRequest(MESSENGER if messenger else room, text, seal, tuple(users))
    blocks: list[Block] = []
    if not text.strip():
        blocks.append(Block("empty", "Nothing to send: the message is empty.", "warning"))
    unresolved = [e for e in entries if e.status in BLOCKING]
    if unresolved:
        names = ", ".join(e.token for e in unresolved[:3])
        blocks.append(
            Block(
                "unresolved",
                f"Not sent: pick who you mean for {names} (choose from the list or type the e-mail).",
                "error",
                "recipients",
            )
        )
    elif messenger and not users:
        blocks.append(
            Block(
                "no_recipients",
                "Not sent: a messenger message needs at least one recipient.",
                "error",
                "recipients",
            )
        )
    warnings = recipient_warnings(
        text, users, entries, confirm_recipients=confirm_recipients, confirm_chars=confirm_chars
    )
    status = destination_status(room, known_rooms, confirmed_rooms, refused_rooms) if room else "messenger"
    unknown_room = room if status in ("unknown", "refused") else ""
    if status == "unknown":
        warnings.insert(
            0,
            f"chat room {room!r} was not used from here before and is not in chat_rooms (config): camtui cannot "
            "tell whether it exists (the API lists no rooms). If it does not, the server refuses it (405).",
        )
    elif status == "refused":
        warnings.insert(
            0,
            f"chat room {room!r}: the server answered 405 (no such room) to a send there, kept in the outbox. "
            "It will refuse it again unless the room was created since; check the name.",
        )
    return SendPlan(request, tuple(blocks), tuple(warnings), unknown_room, tuple(entries))
