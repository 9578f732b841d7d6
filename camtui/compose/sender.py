"""The outbox-backed send path: nothing typed is lost, nothing is sent twice.

A message goes into the outbox (on disk) before its request leaves, is marked `sending` while the request is in
flight, and leaves the outbox only when the server accepted it (then it is in the sent log). A refusal or a
network failure leaves it `failed` with the reason; a request that may or may not have landed (`OutcomeUnknown`,
or the worker cancelled mid-request) leaves it `unknown`, and only an explicit `force=True` sends it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from camtui.api.errors import CAMAPIError, OutcomeUnknown, TransportError
from camtui.api.models import MESSENGER
from camtui.store import OutboxEntry, SentRecord, Store
from camtui.store.db import transaction

SendStatus = Literal["sent", "failed", "unknown"]


@dataclass(frozen=True, slots=True)
class SendOutcome:
    status: SendStatus
    entry_id: int
    entry: OutboxEntry | None
    """The outbox entry as it stays (failed / unknown); None once sent."""
    result: Any | None = None
    """`camtui.api.SendResult` when sent."""
    record: SentRecord | None = None
    error: BaseException | None = None

    @property
    def summary(self) -> str:
        """One line for the status line or a toast."""
        if self.status == "sent" and self.record is not None:
            dest = "messenger" if self.record.send == MESSENGER else f"room {self.record.send}"
            n = len(self.record.recipients)
            who = f" ({n} recipient{'s' if n != 1 else ''})" if n else ""
            mid = f" [{self.record.message_id}]" if self.record.message_id else ""
            return f"sent to {dest}{who}{mid}"
        if self.status == "unknown":
            return f"outcome unknown, kept in the outbox (not resent): {self.error}"
        return f"not sent, kept in the outbox: {self.error}"


def queue_message(
    store: Store, send: str, message: str, seal: bool = False, users: Sequence[str] = ()
) -> OutboxEntry:
    """Step 1: the message is on disk in the outbox (`pending`). Safe to drop the draft after this."""
    return store.outbox.add(send.strip() or MESSENGER, message, seal, _clean_users(users))


async def deliver_entry(
    client: Any, store: Store, entry_id: int, *, force: bool = False, source: str = "composer"
) -> SendOutcome:
    """Step 2 (and the explicit retry): one request for one outbox entry.

    Raises `OutboxStateError` if the entry is being sent, or is `unknown` and `force` is not given; KeyError
    if there is no such entry. Every API/network failure is returned in the outcome, not raised."""
    entry = store.outbox.mark_sending(entry_id, force=force)
    try:
        result = await client.send_message(entry.send, entry.message, entry.seal, entry.users)
    except CAMAPIError as exc:
        kept = store.outbox.mark_failed(entry_id, str(exc), code=exc.code, retryable=exc.retryable)
        return SendOutcome("failed", entry_id, kept, error=exc)
    except TransportError as exc:
        # Not reached: the client only raises this when the request surely did not land.
        kept = store.outbox.mark_failed(entry_id, str(exc), retryable=True)
        return SendOutcome("failed", entry_id, kept, error=exc)
    except OutcomeUnknown as exc:
        kept = store.outbox.mark_unknown(entry_id, str(exc))
        return SendOutcome("unknown", entry_id, kept, error=exc)
    except (ValueError, TypeError) as exc:
        # The client refused the arguments before building a request: nothing left this machine.
        kept = store.outbox.mark_failed(entry_id, f"not sent: {exc}")
        return SendOutcome("failed", entry_id, kept, error=exc)
    except (asyncio.CancelledError, KeyboardInterrupt):
        store.outbox.mark_unknown(
            entry_id, "interrupted while sending; it may or may not have been delivered"
        )
        raise
    except Exception as exc:
        # A bug or an unexpected failure mid-request: we cannot tell whether it landed.
        kept = store.outbox.mark_unknown(entry_id, f"unexpected error while sending: {exc!r}")
        return SendOutcome("unknown", entry_id, kept, error=exc)
    record = _accept(store, entry, result, source)
    return SendOutcome("sent", entry_id, None, result=result, record=record)


retry_entry = deliver_entry
"""Retry a failed (or, with `force=True`, an unknown) outbox entry."""


async def send_via_outbox(
    client: Any,
    store: Store,
    send: str,
    message: str,
    seal: bool = False,
    users: Sequence[str] = (),
    *,
    source: str = "composer",
) -> SendOutcome:
    """Queue then deliver: the composer's and `camtui send`'s one way to send a message."""
    entry = queue_message(store, send, message, seal, users)
    return await deliver_entry(client, store, entry.id, source=source)


def _accept(store: Store, entry: OutboxEntry, result: Any, source: str) -> SentRecord:
    """The server accepted it: sent log in, outbox out, in one transaction."""
    recipients = tuple(getattr(result, "recipients", ()) or entry.users)
    with transaction(store.conn, store.lock):
        record = store.sent_log.add(
            entry.send,
            entry.message,
            entry.seal,
            recipients,
            str(getattr(result, "message_id", "") or ""),
            source=source,
        )
        store.outbox.remove(entry.id)
        if entry.users:
            store.directory.note_used(entry.users)
        if entry.send != MESSENGER:
            store.directory.note_room(entry.send)
    return record


def _clean_users(users: Sequence[str]) -> tuple[str, ...]:
    """Stripped, blanks dropped, first spelling of each address kept (the server de-duplicates case-insensitively)."""
    seen: dict[str, str] = {}
    for raw in users:
        email = raw.strip()
        if email:
            seen.setdefault(email.lower(), email)
    return tuple(seen.values())
